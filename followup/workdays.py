"""Working days (工作日): weekdays, less the public holidays the Office lists, plus the make-up
working days (调休上班) that fall on a weekend. Pure arithmetic on a WorkCalendar; the
calendar itself is read from followup.models.Holiday by ``load_calendar``.
"""

import datetime as dt
from dataclasses import dataclass, field

ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class WorkCalendar:
    """Days off on weekdays (``holidays``) and working days on weekends (``makeup_days``)."""

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    makeup_days: frozenset[dt.date] = field(default_factory=frozenset)

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.makeup_days:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """The working days in (start, end]: 0 for the same day, negative when end is before
        start (the working days in (end, start], counted back)."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start + ONE_DAY
        while day <= end:
            count += self.is_working_day(day)
            day += ONE_DAY
        return count

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The ``n``-th working day after ``day`` (before it for a negative ``n``); ``day``
        itself for 0."""
        step = ONE_DAY if n >= 0 else -ONE_DAY
        left = abs(n)
        while left:
            day += step
            left -= self.is_working_day(day)
        return day


def load_calendar() -> WorkCalendar:
    """The calendar the Office keeps in admin (followup.models.Holiday): one query."""
    from followup.models import Holiday

    holidays: set[dt.date] = set()
    makeup: set[dt.date] = set()
    for day, kind in Holiday.objects.values_list("day", "kind"):
        (makeup if kind == Holiday.Kind.WORKDAY else holidays).add(day)
    return WorkCalendar(holidays=frozenset(holidays), makeup_days=frozenset(makeup))
