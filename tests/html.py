"""Helpers for reading rendered pages: without their CSRF tokens, and their messages."""

import re

_CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+(")')


def strip_csrf(content: bytes) -> bytes:
    """``content`` with every CSRF token blanked: Django masks the token anew each response."""
    return _CSRF_FIELD.sub(rb"\1\2", content)


def messages_of(response) -> list[str]:
    """The messages shown on a rendered page, as text."""
    return [str(m) for m in response.context["messages"]] if response.context else []


def messages_after(client, response) -> list[str]:
    """The messages shown on the page a redirect leads to."""
    assert response.status_code == 302
    return messages_of(client.get(response["Location"]))
