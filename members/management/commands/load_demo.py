from django.core.management.base import BaseCommand

from members.demo import DEMO_PASSWORD, load_demo
from members.services import load_roster


class Command(BaseCommand):
    help = "Load the roster and the demo logins (for `make run`; never in production)."

    def handle(self, *args, **options) -> None:
        load_roster()
        rows = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {DEMO_PASSWORD}):"))
        for username, role, name in rows:
            self.stdout.write(f"  {role:<13} {username:<15} {name}")
