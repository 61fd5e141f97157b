"""Template context for every page: the count of unread notifications in the header."""

from functools import cache
from typing import Any

from django.http import HttpRequest

from meetings.services.notifications import unread_count


def notifications(request: HttpRequest) -> dict[str, Any]:
    """Offer ``unread_notifications``, counted (one query) only if a template asks for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": cache(lambda: unread_count(user))}
