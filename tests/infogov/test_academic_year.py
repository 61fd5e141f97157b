"""Academic years (R-MEET-4): 1 September to 31 August, named "2025—2026学年"."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infogov.academic_year import AcademicYear


@pytest.mark.parametrize(
    ("day", "start_year"),
    [
        (dt.date(2025, 8, 31), 2024),
        (dt.date(2025, 9, 1), 2025),
        (dt.date(2025, 12, 31), 2025),
        (dt.date(2026, 1, 1), 2025),
        (dt.date(2026, 8, 31), 2025),
        (dt.date(2026, 9, 1), 2026),
    ],
)
def test_a_day_belongs_to_the_year_that_started_on_the_last_first_of_september(day, start_year):
    assert AcademicYear.of(day) == AcademicYear(start_year)


def test_academic_year_runs_from_first_september_to_thirty_first_august():
    year = AcademicYear(2025)

    assert (year.starts_on, year.ends_on) == (dt.date(2025, 9, 1), dt.date(2026, 8, 31))
    assert dt.date(2025, 8, 31) not in year
    assert dt.date(2026, 8, 31) in year
    assert dt.date(2026, 9, 1) not in year


def test_academic_year_is_named_with_an_em_dash():
    assert str(AcademicYear(2025)) == "2025—2026学年"


@pytest.mark.parametrize("text", ["2025-2026", "2025—2026", "2025—2026学年", " 2025 - 2026 "])
def test_parse_accepts_the_written_forms(text):
    assert AcademicYear.parse(text) == AcademicYear(2025)


@pytest.mark.parametrize("text", ["2025-2027", "2025-2025", "2026-2025", "2025", "25-26", ""])
def test_parse_rejects_what_is_not_one_academic_year(text):
    with pytest.raises(ValueError, match="not an academic year"):
        AcademicYear.parse(text)


def test_the_first_day_of_the_year_is_a_setting(settings):
    settings.INFOGOV_ACADEMIC_YEAR_START = (8, 15)

    assert AcademicYear.of(dt.date(2025, 8, 14)) == AcademicYear(2024)
    assert AcademicYear.of(dt.date(2025, 8, 15)) == AcademicYear(2025)
    assert AcademicYear(2025).ends_on == dt.date(2026, 8, 14)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2999, 12, 31)))
def test_every_day_lies_in_its_academic_year(day):
    year = AcademicYear.of(day)

    assert day in year
    assert AcademicYear.parse(str(year)) == year
    assert (year.ends_on - year.starts_on).days in (364, 365)
