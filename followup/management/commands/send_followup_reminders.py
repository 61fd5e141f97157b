import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from followup.services import send_reminders


class Command(BaseCommand):
    help = (
        "催办: remind the units of items due in 3 working days and of items that became "
        "overdue (run daily from cron; running it again the same day sends nothing more)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--date", help="The day to run for, YYYY-MM-DD (default: today).")

    def handle(self, *args, date=None, **options) -> None:
        try:
            today = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"Not a date: {date!r}") from None
        sent = send_reminders(today=today)
        self.stdout.write(
            f"{today:%Y-%m-%d}: {sent.due_soon} due-soon and {sent.overdue} overdue reminders sent."
        )
