"""The rules of procedure of Art. 12-13, as pure functions. No ORM, no request.

Integers only: the regulation's fractions are compared by cross-multiplying, never with floats.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from infogov.academic_year import AcademicYear

# --- Art. 12: who meets and who convenes ---------------------------------------------------

# Art. 12: the Leading Group holds plenary and special meetings, the Work Group special ones.
KINDS_BY_BODY: dict[str, frozenset[str]] = {
    "leading_group": frozenset({"lg_plenary", "lg_special"}),
    "work_group": frozenset({"wg_special"}),
}
# Art. 12 / R-MEET-1: meetings are convened by the leader or a deputy leader.
CONVENING_ROLES: frozenset[str] = frozenset({"leader", "deputy"})


def holds_meetings_of_kind(*, body_kind: str, kind: str) -> bool:
    """Art. 12: return whether a body of ``body_kind`` holds meetings of ``kind``."""
    return kind in KINDS_BY_BODY.get(body_kind, frozenset())


def may_sign_minutes(role: str | None) -> bool:
    """Art. 15 / R-MIN-1: only the body's leader signs its minutes (not a deputy, not an admin)."""
    return role == "leader"


def may_convene(role: str | None) -> bool:
    """Art. 12 / R-MEET-1: return whether a seat of ``role`` convenes its body's meetings."""
    return role in CONVENING_ROLES


# --- Art. 12: quorum --------------------------------------------------------------------------


def has_quorum(*, present: int, expected: int) -> bool:
    """Art. 12 / R-MEET-2: attendance strictly exceeds two-thirds of those who should attend."""
    return present * 3 > expected * 2


def quorum_needed(expected: int) -> int:
    """Return the fewest present members with quorum (R-MEET-3: 9→7, 10→7, 12→9, 15→11, 16→11)."""
    return expected * 2 // 3 + 1


@dataclass(frozen=True)
class Attendance:
    """The numbers of the quorum panel; on leave and absent count in ``expected`` (R-MEET-3)."""

    expected: int
    present: int
    on_leave: int

    @property
    def needed(self) -> int:
        return quorum_needed(self.expected)

    @property
    def absent(self) -> int:
        return self.expected - self.present - self.on_leave

    @property
    def quorate(self) -> bool:
        return has_quorum(present=self.present, expected=self.expected)

    @property
    def short_by(self) -> int:
        return max(0, self.needed - self.present)


# --- Art. 13: passing rule ----------------------------------------------------------------------


class Choice(StrEnum):
    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


class Basis(StrEnum):
    """Whose number the threshold is taken of."""

    EXPECTED = "expected"  # 应到会成员 (R-VOTE-3 default)
    PRESENT = "present"  # 实到会成员
    CAST = "cast"  # 投票数


class Threshold(StrEnum):
    MORE_THAN_HALF = "more_than_half"  # 超过半数: 2 * yes > base (strict, R-VOTE-3 default)
    TWO_THIRDS = "two_thirds"  # 三分之二以上: 3 * yes >= 2 * base ("以上" includes the number)


def required_yes(*, base: int, threshold: Threshold) -> int:
    """Return the fewest yes votes that pass (R-VOTE-3: 9, 10, 12, 15, 16 → 5, 6, 7, 8, 9).

    At least one yes vote is always required: nothing passes on zero votes.
    """
    if threshold == Threshold.MORE_THAN_HALF:
        return base // 2 + 1
    if threshold == Threshold.TWO_THIRDS:
        return max(1, -(-2 * base // 3))  # ceil(2/3 * base) without floats
    raise ValueError(f"unknown threshold {threshold!r}")


def passes(*, yes: int, base: int, threshold: Threshold) -> bool:
    """Return whether ``yes`` votes pass against ``base`` (abstentions are not yes)."""
    return yes >= required_yes(base=base, threshold=threshold)


@dataclass(frozen=True)
class Tally:
    """A closed vote's counts and outcome, with the numbers the minutes quote."""

    yes: int
    no: int
    abstain: int
    basis: Basis
    threshold: Threshold
    base: int
    required: int

    @property
    def cast(self) -> int:
        return self.yes + self.no + self.abstain

    @property
    def passed(self) -> bool:
        return self.yes >= self.required


def base_for(*, basis: Basis, expected: int, present: int, cast: int) -> int:
    """Return the number the threshold applies to."""
    return {Basis.EXPECTED: expected, Basis.PRESENT: present, Basis.CAST: cast}[basis]


def tally(
    choices: Iterable[str] | dict[str, int],
    *,
    basis: Basis,
    threshold: Threshold,
    expected: int,
    present: int,
) -> Tally:
    """Count ``choices`` (an iterable of choices, or counts by choice) under a passing rule."""
    if isinstance(choices, dict):
        counts = {c: int(choices.get(c, 0)) for c in Choice}
    else:
        counts = {c: 0 for c in Choice}
        for choice in choices:
            counts[Choice(choice)] += 1
    cast = sum(counts.values())
    base = base_for(basis=basis, expected=expected, present=present, cast=cast)
    return Tally(
        yes=counts[Choice.YES],
        no=counts[Choice.NO],
        abstain=counts[Choice.ABSTAIN],
        basis=basis,
        threshold=threshold,
        base=base,
        required=required_yes(base=base, threshold=threshold),
    )


def required_before_vote(
    *, basis: Basis, threshold: Threshold, expected: int, present: int
) -> int | None:
    """Return the yes votes needed, as shown before voting ("16 expected: 9 yes needed").

    With the cast basis the number depends on the votes cast, so it is not known beforehand.
    """
    if basis == Basis.CAST:
        return None
    base = base_for(basis=basis, expected=expected, present=present, cast=0)
    return required_yes(base=base, threshold=threshold)


# --- Art. 12: a plenary meeting each academic year --------------------------------------------

# R-MEET-4: with this many days left in the academic year (today included), no plenary held
# and none convened, the flag turns urgent: about the least time in which to prepare one.
PLENARY_URGENT_DAYS = 60


@dataclass(frozen=True)
class PlenaryStatus:
    """Art. 12 / R-MEET-4: how an academic year stands against its plenary meeting."""

    year: AcademicYear
    held: bool
    scheduled: dt.date | None  # the first convened plenary from today to the end of the year
    days_left: int  # days left in the year, today included; 0 once it has ended

    @property
    def flagged(self) -> bool:
        """Art. 12: flagged until a plenary has been held in the year."""
        return not self.held

    @property
    def urgent(self) -> bool:
        return self.flagged and self.scheduled is None and self.days_left <= PLENARY_URGENT_DAYS


def plenary_status(
    *,
    year: AcademicYear,
    held_dates: Iterable[dt.date],
    scheduled_dates: Iterable[dt.date],
    today: dt.date,
) -> PlenaryStatus:
    """Art. 12 / R-MEET-4: return whether ``year`` has held its plenary, as of ``today``.

    ``held_dates`` are the days of plenaries that took place (in session or closed),
    ``scheduled_dates`` those of plenaries convened but not yet opened. Days outside ``year``
    do not count, nor does a convened day already past: it is no longer a plan.
    """
    upcoming = [day for day in scheduled_dates if day in year and day >= today]
    first_day_left = max(today, year.starts_on)
    return PlenaryStatus(
        year=year,
        held=any(day in year for day in held_dates),
        scheduled=min(upcoming, default=None),
        days_left=max(0, (year.ends_on - first_day_left).days + 1),
    )
