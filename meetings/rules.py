"""The rules of procedure of Art. 12-13, as pure functions. No ORM, no request.

Integers only: the regulation's fractions are compared by cross-multiplying, never with floats.
The statuses of a meeting and of a motion are defined here, as Django's enumeration types
(labels, no database), with the one table per state machine of the steps each status allows.
"""

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from infogov.academic_year import AcademicYear

# Who convenes (Art. 12) and who signs (Art. 15) are rules about seats: members.rules holds
# them, and they are named here too for the meetings that ask.
from members.rules import may_convene as may_convene
from members.rules import may_sign_minutes as may_sign_minutes

# --- Art. 12: who meets, who runs a meeting ---------------------------------------------------

# Art. 12: the Leading Group holds plenary and special meetings, the Work Group special ones.
KINDS_BY_BODY: dict[str, frozenset[str]] = {
    "leading_group": frozenset({"lg_plenary", "lg_special"}),
    "work_group": frozenset({"wg_special"}),
}


def holds_meetings_of_kind(*, body_kind: str, kind: str) -> bool:
    """Art. 12: return whether a body of ``body_kind`` holds meetings of ``kind``."""
    return kind in KINDS_BY_BODY.get(body_kind, frozenset())


# Art. 12: the leader or a deputy convenes and decides the content; the Office organises the
# meeting. So its session (opening, closing, the votes, the decisions) is run by whoever may
# convene it, or by the Office on their behalf: the permissions that seats grant for either.
CHAIR_PERMISSIONS: frozenset[str] = frozenset({"convene_meeting", "manage_meetings"})


def may_chair(codenames: Collection[str]) -> bool:
    """Art. 12: return whether a person holding ``codenames`` on a body runs its meetings'
    sessions: its convenors, and the Office on their behalf."""
    return not CHAIR_PERMISSIONS.isdisjoint(codenames)


def ends_after_start(*, starts_at: dt.datetime, ends_at: dt.datetime | None) -> bool:
    """Return whether a meeting's times make sense: no end given, or an end after the start."""
    return ends_at is None or ends_at > starts_at


def art12_may_convene(*, starts_at: dt.datetime, now: dt.datetime, agenda_items: int) -> str | None:
    """Art. 12: return why a meeting cannot be convened now, or None if it can.

    The leader decides the content of a meeting when convening it: a meeting with no agenda
    item has none. A meeting whose start has passed can no longer be called.
    """
    if starts_at <= now:
        return "past"
    if agenda_items < 1:
        return "no_agenda"
    return None


def art12_start_has_passed(*, starts_at: dt.datetime, now: dt.datetime) -> bool:
    """Art. 12: return whether a meeting's start time is already past (warned when drafting)."""
    return starts_at <= now


def art13_show_of_hands(
    *, present: Collection[int], already_voted: Collection[int], recorded: Mapping[int, str]
) -> str | None:
    """Art. 13 / R-VOTE-4: return why a show of hands the Office records is refused, or None.

    Only members present may be recorded, each once: a member who has voted from their phone
    keeps that vote; every choice is yes, no or abstain, and at least one is recorded.
    """
    if not recorded:
        return "empty"
    if any(choice not in set(Choice) for choice in recorded.values()):
        return "choice"
    if not set(recorded) <= set(present):
        return "absent"
    if set(recorded) & set(already_voted):
        return "twice"
    return None


# --- Check-in with the QR code shown in the room (Art. 12: proof of presence) -----------------

# The code on the room's screen changes every CHECK_IN_CODE_SECONDS and is accepted for
# CHECK_IN_CODE_VALID_SECONDS: one a member scanned just before it changed still works, a
# photo sent out of the room stops working within a minute and a half.
CHECK_IN_CODE_SECONDS = 30
CHECK_IN_CODE_VALID_SECONDS = 90


def may_vote(*, expected: bool, present: bool) -> bool:
    """Art. 13 / R-VOTE-4: only a member who should attend (a seated voting member, R-MEET-3)
    and is checked in votes; a non-voting attendee (列席) is never expected."""
    return expected and present


# --- The state machines: a meeting's and a motion's steps -------------------------------------


class MeetingStatus(TextChoices):
    DRAFT = "draft", _("Draft")
    CONVENED = "convened", _("Convened")
    IN_SESSION = "in_session", _("In session")
    CLOSED = "closed", _("Closed")
    POSTPONED = "postponed", _("Postponed")
    CANCELLED = "cancelled", _("Cancelled")


class MotionStatus(TextChoices):
    DRAFT = "draft", _("Not yet open")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    DEFERRED = "deferred", _("Deferred")


class MeetingStep(StrEnum):
    """What can be done with a meeting; who may do it is meetings.permissions' to say."""

    RESCHEDULE = "reschedule"
    CONVENE = "convene"
    POSTPONE = "postpone"
    CANCEL = "cancel"
    ADD_ITEM = "add_item"
    INVITE_ATTENDEE = "invite_attendee"
    ADD_MATERIAL = "add_material"
    EDIT_AGENDA = "edit_agenda"  # edit, reorder or remove items, materials, attendees
    ANSWER = "answer"  # attend, or leave with a reason
    CHECK_IN = "check_in"  # open and close check-in, check in, undo a check-in
    OPEN_MEETING = "open_meeting"
    CLOSE_MEETING = "close_meeting"
    PUT_MOTION = "put_motion"
    OPEN_VOTE = "open_vote"  # a vote opens only while its meeting is in session
    DECIDE = "decide"


class MotionStep(StrEnum):
    OPEN = "open_motion"
    CAST = "cast_vote"
    CLOSE = "close_motion"
    RECORD_HANDS = "record_hands"  # the Office records a show of hands in the room
    DEFER = "defer_motion"  # 暂缓表决 (R-VOTE-5)


_M = MeetingStatus
# The meeting's state machine: each step and the statuses it may be taken in. The statuses a
# step leads to are the services' (convening leads to CONVENED, and so on).
MEETING_STEPS: Mapping[MeetingStep, frozenset[MeetingStatus]] = {
    MeetingStep.RESCHEDULE: frozenset({_M.DRAFT, _M.CONVENED, _M.POSTPONED}),
    MeetingStep.CONVENE: frozenset({_M.DRAFT}),
    MeetingStep.POSTPONE: frozenset({_M.DRAFT, _M.CONVENED}),
    MeetingStep.CANCEL: frozenset({_M.DRAFT, _M.CONVENED, _M.POSTPONED}),
    MeetingStep.ADD_ITEM: frozenset({_M.DRAFT, _M.CONVENED, _M.POSTPONED, _M.IN_SESSION}),
    MeetingStep.INVITE_ATTENDEE: frozenset({_M.DRAFT, _M.CONVENED, _M.IN_SESSION}),
    # A closed meeting is frozen: what it had is what the minutes record.
    MeetingStep.ADD_MATERIAL: frozenset({_M.DRAFT, _M.CONVENED, _M.POSTPONED, _M.IN_SESSION}),
    # Before the session: afterwards the agenda is the record; once convened, members are told.
    MeetingStep.EDIT_AGENDA: frozenset({_M.DRAFT, _M.CONVENED, _M.POSTPONED}),
    MeetingStep.ANSWER: frozenset({_M.CONVENED, _M.IN_SESSION, _M.POSTPONED}),
    MeetingStep.CHECK_IN: frozenset({_M.CONVENED, _M.IN_SESSION}),
    MeetingStep.OPEN_MEETING: frozenset({_M.CONVENED}),
    MeetingStep.CLOSE_MEETING: frozenset({_M.IN_SESSION}),
    MeetingStep.PUT_MOTION: frozenset({_M.DRAFT, _M.CONVENED, _M.IN_SESSION}),
    MeetingStep.OPEN_VOTE: frozenset({_M.IN_SESSION}),
    MeetingStep.DECIDE: frozenset({_M.IN_SESSION, _M.CLOSED}),
}
# The motion's: DRAFT -> OPEN -> CLOSED, or DEFERRED from either of the first two.
MOTION_STEPS: Mapping[MotionStep, frozenset[MotionStatus]] = {
    MotionStep.OPEN: frozenset({MotionStatus.DRAFT}),
    MotionStep.CAST: frozenset({MotionStatus.OPEN}),
    MotionStep.CLOSE: frozenset({MotionStatus.OPEN}),
    MotionStep.RECORD_HANDS: frozenset({MotionStatus.OPEN}),
    MotionStep.DEFER: frozenset({MotionStatus.DRAFT, MotionStatus.OPEN}),
}
# A motion still to be decided: an item has at most one (Art. 13: one item at a time).
PENDING_MOTION: frozenset[MotionStatus] = MOTION_STEPS[MotionStep.DEFER]

# (From the items: mypy takes a Mapping's keys as invariant, so a Mapping[MeetingStep, ...]
# may not be unpacked into a Mapping[str, ...], though each step is a str.)
ALLOWED_STEPS: Mapping[str, frozenset[str]] = dict([*MEETING_STEPS.items(), *MOTION_STEPS.items()])


def may(step: MeetingStep | MotionStep, status: str) -> bool:
    """Return whether ``step`` may be taken while the meeting (or motion) is in ``status``."""
    return status in ALLOWED_STEPS[step]


def steps_in(status: str, steps: Iterable[MeetingStep | MotionStep]) -> dict[str, bool]:
    """Return {step: whether it may be taken in ``status``} for each of ``steps``."""
    return {step.value: may(step, status) for step in steps}


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


# --- Art. 13-14: what a decision says, and whether it goes further -----------------------------


class Outcome(TextChoices):
    """How an agenda item ended (议定事项)."""

    APPROVED = "approved", _("Approved")  # 通过
    NOT_ADOPTED = "not_adopted", _("Not adopted")  # 未通过


def art13_decision_may_approve(*, is_major: bool, motion_passed: bool | None) -> bool:
    """Art. 13: return whether a decision may approve. A major matter is approved only by a
    passed vote; a failed vote never approves, major or not; a minor matter decided without a
    vote (``motion_passed`` None) may."""
    if motion_passed is False:
        return False
    return motion_passed is True or not is_major


def art13_decision_outcome(
    *, is_major: bool, motion_passed: bool | None, asked: str = ""
) -> Outcome | None:
    """Art. 13: the outcome of a decision, ``asked`` (an Outcome value) or, when empty, what the
    vote says: approved on a passed vote or without one, not adopted on a failed vote. None when
    ``asked`` is approving and the rule refuses it (art13_decision_may_approve)."""
    may_approve = art13_decision_may_approve(is_major=is_major, motion_passed=motion_passed)
    if not asked:
        return Outcome.APPROVED if may_approve else Outcome.NOT_ADOPTED
    outcome = Outcome(asked)
    if outcome == Outcome.APPROVED and not may_approve:
        return None
    return outcome


def art14_may_forward(outcome: str) -> bool:
    """Art. 14: only an approved decision is forwarded to the Party Standing Committee or the
    President's Office Meeting; a matter not adopted goes no further."""
    return outcome == Outcome.APPROVED


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


# --- Art. 13: the secret ballot's scrutineers (监票人) ------------------------------------------

SCRUTINEERS_MIN, SCRUTINEERS_MAX = 2, 3
# Scrutineers needed to count a secret ballot (k of n), as at a paper ballot's count.
SCRUTINEERS_TO_COUNT = 2


def art13_scrutineers_ok(*, named: int, distinct: int, all_present: bool) -> bool:
    """Art. 13 / R-VOTE-1: a secret ballot opens with two or three different present voting
    members named as scrutineers (the chair proposes them, as at a paper ballot)."""
    return SCRUTINEERS_MIN <= named <= SCRUTINEERS_MAX and distinct == named and all_present


def art13_may_count(*, confirmed: int) -> bool:
    """Art. 13 / R-VOTE-1: a secret ballot is counted once two scrutineers have confirmed;
    with fewer it stays closed and not yet counted."""
    return confirmed >= SCRUTINEERS_TO_COUNT
