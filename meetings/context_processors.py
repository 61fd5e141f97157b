"""Template context for every page: the count of unread notifications in the header."""

from functools import cache

from django.http import HttpRequest

from meetings.models import Notification


def notifications(request: HttpRequest) -> dict:
    """Offer ``unread_notifications``: one query, run only if a template asks for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}

    @cache
    def unread() -> int:
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    return {"unread_notifications": unread}
