"""Path converters every urls.py uses."""

from django.urls import register_converter
from django.urls.converters import get_converters

# Eighteen digits stay below 2**63 - 1, the largest id SQLite and PostgreSQL's bigint hold: a
# longer number is not a path of the site (404) instead of an OverflowError on SQLite (500).
ID_PATTERN = "[0-9]{1,18}"


class IdConverter:
    """``<id:pk>``: a database id, as ``<int:...>`` but bounded; used for every id in a path."""

    regex = ID_PATTERN

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def register() -> None:
    """Register ``<id:...>`` (once, from InfogovConfig.ready, before any URLconf is read)."""
    if "id" not in get_converters():
        register_converter(IdConverter, "id")
