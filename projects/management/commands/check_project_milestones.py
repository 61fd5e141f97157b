"""Daily (cron): each overdue milestone of a project opens a follow-up item (督办), once."""

from django.conf import settings
from django.core.management.base import BaseCommand

from projects import services


class Command(BaseCommand):
    help = "Open a follow-up item for each overdue project milestone (idempotent; run daily)."

    def handle(self, *args, **options) -> None:
        opened = services.open_overdue_followups(base_url=settings.INFOGOV_BASE_URL)
        self.stdout.write(f"{len(opened)} follow-up item(s) opened for overdue milestones.")
