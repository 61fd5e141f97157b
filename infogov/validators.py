"""Validators for input that every app takes: dates in a sane window, text that reaches a mail
header, text that goes into a PDF."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# A date outside this window is a typo (0001-01-01, 20266-03-05), never a meeting or an
# appointment: PostgreSQL stores it, and then every page that turns it into a local time fails.
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100


def is_sane_date(value: dt.date) -> bool:
    """Return whether ``value`` (a date or a datetime) falls within 2000-2100."""
    return EARLIEST_YEAR <= value.year <= LATEST_YEAR


@deconstructible
class SaneDateValidator:
    """Refuse a date or datetime outside 2000-2100 with a message the user can read."""

    message = _("Give a date between %(earliest)d and %(latest)d.")
    code = "date_out_of_range"

    def __call__(self, value: dt.date | None) -> None:
        if value is not None and not is_sane_date(value):
            raise ValidationError(
                self.message,
                code=self.code,
                params={"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR},
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SaneDateValidator)


sane_date = SaneDateValidator()


LINE_BREAKS = re.compile(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def has_line_break(text: str) -> bool:
    """Return whether ``text`` holds CR, LF or another line separator."""
    return bool(LINE_BREAKS.search(text))


@deconstructible
class NoLineBreakValidator:
    """Refuse CR, LF and the other line separators in text that may reach a mail header
    (a subject is built from it: Django refuses to send such a header, after the fact)."""

    message = _("Line breaks are not allowed here.")
    code = "line_break"

    def __call__(self, value: str | None) -> None:
        if value and has_line_break(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NoLineBreakValidator)


no_line_break = NoLineBreakValidator()

# Unicode's explicit directional formatting characters: LRE, RLE, PDF, LRO, RLO (U+202A-202E),
# the isolates LRI, RLI, FSI, PDI (U+2066-2069) and the marks LRM, RLM (U+200E-200F). Text
# with U+202E prints reversed in a signed PDF, so they are removed before rendering.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f]")


def strip_bidi(text: str) -> str:
    """Return ``text`` without bidi control characters."""
    return BIDI_CONTROLS.sub("", text) if text else text
