"""Working days at their boundaries: weekends, public holidays, make-up working days."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followup.models import Holiday
from followup.workdays import WorkCalendar, load_calendar

D = dt.date
# 2025's National Day and Mid-Autumn holiday: 1-8 October off; Sunday 28 September and
# Saturday 11 October are make-up working days (国务院办公厅 2025 holiday notice).
NATIONAL_DAY = WorkCalendar(
    holidays=frozenset(D(2025, 10, d) for d in range(1, 9)),
    makeup_days=frozenset({D(2025, 9, 28), D(2025, 10, 11)}),
)
PLAIN = WorkCalendar()


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2025, 9, 26), True),  # Friday
        (D(2025, 9, 27), False),  # Saturday
        (D(2025, 9, 28), True),  # Sunday, make-up day
        (D(2025, 10, 1), False),  # Wednesday, holiday
        (D(2025, 10, 8), False),  # last holiday
        (D(2025, 10, 9), True),  # Thursday, back at work
        (D(2025, 10, 11), True),  # Saturday, make-up day
        (D(2025, 10, 12), False),  # Sunday
    ],
)
def test_is_working_day(day, working):
    assert NATIONAL_DAY.is_working_day(day) is working


@pytest.mark.parametrize(
    ("calendar", "start", "n", "expected"),
    [
        (PLAIN, D(2025, 9, 19), 1, D(2025, 9, 22)),  # Friday + 1 -> Monday
        (PLAIN, D(2025, 9, 20), 1, D(2025, 9, 22)),  # Saturday + 1 -> Monday
        (PLAIN, D(2025, 9, 22), 0, D(2025, 9, 22)),
        (PLAIN, D(2025, 9, 22), -1, D(2025, 9, 19)),  # Monday - 1 -> Friday
        (NATIONAL_DAY, D(2025, 9, 26), 1, D(2025, 9, 28)),  # Friday + 1 -> the make-up Sunday
        (NATIONAL_DAY, D(2025, 9, 28), 3, D(2025, 10, 9)),  # Mon 29, Tue 30, then Thu 9 Oct
        (NATIONAL_DAY, D(2025, 9, 30), 1, D(2025, 10, 9)),  # over the holiday
        (NATIONAL_DAY, D(2025, 10, 10), 1, D(2025, 10, 11)),  # Friday + 1 -> make-up Saturday
        (NATIONAL_DAY, D(2025, 10, 9), -3, D(2025, 9, 28)),  # back over the holiday
    ],
)
def test_add_working_days(calendar, start, n, expected):
    assert calendar.add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2025, 9, 22), D(2025, 9, 22), 0),
        (D(2025, 9, 26), D(2025, 9, 29), 2),  # make-up Sunday and Monday
        (D(2025, 9, 30), D(2025, 10, 8), 0),  # the holiday itself
        (D(2025, 9, 30), D(2025, 10, 12), 3),  # Thu 9, Fri 10, make-up Sat 11
        (D(2025, 10, 12), D(2025, 9, 30), -3),
    ],
)
def test_working_days_between(start, end, expected):
    assert NATIONAL_DAY.working_days_between(start, end) == expected


days = st.dates(min_value=D(2025, 9, 1), max_value=D(2025, 11, 30))


@given(start=days, n=st.integers(min_value=0, max_value=40))
def test_adding_then_counting_working_days_agree(start, n):
    end = NATIONAL_DAY.add_working_days(start, n)
    assert NATIONAL_DAY.working_days_between(start, end) == n
    assert n == 0 or NATIONAL_DAY.is_working_day(end)
    assert NATIONAL_DAY.add_working_days(end, -n) <= start


def test_the_calendar_is_read_from_the_offices_list(db):
    Holiday.objects.create(day=D(2025, 10, 1), kind=Holiday.Kind.HOLIDAY, name="国庆节")
    Holiday.objects.create(day=D(2025, 9, 28), kind=Holiday.Kind.WORKDAY, name="调休")

    calendar = load_calendar()

    assert calendar == WorkCalendar(
        holidays=frozenset({D(2025, 10, 1)}), makeup_days=frozenset({D(2025, 9, 28)})
    )
