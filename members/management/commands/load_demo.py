from django.core.management.base import BaseCommand
from django.utils import timezone

from infogov.academic_year import AcademicYear
from members.demo import DEMO_PASSWORD, load_demo
from members.services import load_roster


class Command(BaseCommand):
    help = "Load the roster and the demo logins (for `make run`; never in production)."

    def handle(self, *args, **options) -> None:
        # The demo pretends the annex was seated when this academic year began, so that
        # its meetings can lie in the past; a real install seats the annex from today.
        load_roster(on=AcademicYear.of(timezone.localdate()).starts_on)
        rows = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password: {DEMO_PASSWORD}):"))
        for username, role, name in rows:
            self.stdout.write(f"  {role:<13} {username:<15} {name}")
