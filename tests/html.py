"""Helpers for comparing rendered pages."""

import re

_CSRF_FIELD = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]+(")')


def strip_csrf(content: bytes) -> bytes:
    """``content`` with every CSRF token blanked: Django masks the token anew each response."""
    return _CSRF_FIELD.sub(rb"\1\2", content)
