from django.core.management.base import BaseCommand, CommandError

from meetings.demo import DemoError, load_demo_meetings


class Command(BaseCommand):
    help = (
        "Create demo meetings: a closed plenary with results and a convened special meeting "
        "with check-in open (idempotent; needs `load_demo` first; never in production)."
    )

    def handle(self, *args, **options) -> None:
        try:
            lines = load_demo_meetings()
        except DemoError as error:
            raise CommandError(str(error)) from None
        if not lines:
            self.stdout.write("Demo meetings already exist: nothing changed.")
            return
        self.stdout.write(self.style.SUCCESS("Demo meetings created:"))
        for line in lines:
            self.stdout.write(f"  {line}")
        self.stdout.write(
            "Log in as yanzushu (password infogov-demo) to check in; then as sunqixin to open "
            "the meeting and its votes."
        )
