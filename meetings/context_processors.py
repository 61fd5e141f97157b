"""Template context for every page: the count of unread notifications in the header."""

from functools import cache

from django.http import HttpRequest

from meetings import unread


def notifications(request: HttpRequest) -> dict:
    """Offer ``unread_notifications``: read (from the cached person, or one query) only if a
    template asks for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"unread_notifications": 0}
    return {"unread_notifications": cache(lambda: unread.of(user))}
