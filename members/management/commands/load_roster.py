from django.core.management.base import BaseCommand

from members.services import load_roster


class Command(BaseCommand):
    help = "Load the regulation's annex: units, bodies, duties, people and seats (idempotent)."

    def handle(self, *args, **options) -> None:
        result = load_roster()
        if result:
            self.stdout.write(
                self.style.SUCCESS(f"Roster loaded: {len(result.created)} records created.")
            )
        else:
            self.stdout.write("Roster already loaded: nothing changed.")
