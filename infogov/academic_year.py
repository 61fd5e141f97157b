"""Academic years (R-MEET-4): 1 September to 31 August, named "2025—2026学年"."""

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True, order=True)
class AcademicYear:
    start_year: int

    @property
    def starts_on(self) -> dt.date:
        month, day = settings.INFOGOV_ACADEMIC_YEAR_START
        return dt.date(self.start_year, month, day)

    @property
    def ends_on(self) -> dt.date:
        """Return the last day of the year (inclusive)."""
        return AcademicYear(self.start_year + 1).starts_on - dt.timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.start_year}—{self.start_year + 1}学年"

    def __contains__(self, day: dt.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    @classmethod
    def of(cls, day: dt.date) -> "AcademicYear":
        """Return the academic year that contains ``day``."""
        month, dom = settings.INFOGOV_ACADEMIC_YEAR_START
        return cls(day.year if (day.month, day.day) >= (month, dom) else day.year - 1)

    @classmethod
    def parse(cls, text: str) -> "AcademicYear":
        """Parse "2025-2026", "2025—2026" or "2025—2026学年"."""
        match = re.fullmatch(r"\s*(\d{4})\s*[-—–]\s*(\d{4})\s*(学年)?\s*", text)
        if not match or int(match[2]) != int(match[1]) + 1:
            raise ValueError(f"not an academic year: {text!r}")
        return cls(int(match[1]))
