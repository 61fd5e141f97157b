from django.core.management.base import BaseCommand, CommandError

from projects.demo import DemoError, load_demo_projects


class Command(BaseCommand):
    help = (
        "Create the demo project cycle: this year's call with proposals at every stage and one "
        "project approved by a Leading Group vote (idempotent; after load_demo; never in "
        "production)."
    )

    def handle(self, *args, **options) -> None:
        try:
            lines = load_demo_projects()
        except DemoError as error:
            raise CommandError(str(error)) from None
        if not lines:
            self.stdout.write("The demo call already exists: nothing changed.")
            return
        self.stdout.write(self.style.SUCCESS("Demo projects created:"))
        for line in lines:
            self.stdout.write(f"  {line}")
        self.stdout.write(
            "Log in as demo-expert (password infogov-demo) to review; as demo-clerk to screen "
            "and assign experts; as demo-liaison (Finance) to fund."
        )
