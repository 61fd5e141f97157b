from django.core.management.base import BaseCommand, CommandError

from followup.demo import DemoError, load_demo_followup


class Command(BaseCommand):
    help = (
        "Create demo follow-up items in every state, a pending forwarding and an inspection "
        "with findings (idempotent; needs `load_demo` and `load_demo_meetings`; never in "
        "production)."
    )

    def handle(self, *args, **options) -> None:
        try:
            lines = load_demo_followup()
        except DemoError as error:
            raise CommandError(str(error)) from None
        if not lines:
            self.stdout.write("Demo follow-up items already exist: nothing changed.")
            return
        self.stdout.write(self.style.SUCCESS("Demo follow-up items created:"))
        for line in lines:
            self.stdout.write(f"  {line}")
        self.stdout.write(
            "Log in as demo-liaison (password infogov-demo), on a phone if you like, to "
            "acknowledge and report; as demo-clerk to close or return."
        )
