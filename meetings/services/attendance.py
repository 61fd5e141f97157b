"""Attendance: answers, check-in, the quorum gate, and opening and closing the session
(Art. 12, R-MEET-2, R-MEET-3)."""

import functools
import time
from collections.abc import Callable

from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infogov import audit
from meetings import rules
from meetings.minutes.drafting import start_minutes
from meetings.models import AttendanceEvent, ExpectedMember, Meeting, Motion, QuorumCheck
from meetings.rules import MeetingStatus, MeetingStep, MotionStatus
from meetings.services._common import check_step, lock_meeting
from meetings.services.errors import MeetingError, QuorumNotMet
from members.models import User


def attendance(meeting: Meeting) -> rules.Attendance:
    """Return the quorum panel's numbers for ``meeting`` (one query)."""
    return ExpectedMember.objects.filter(meeting_id=meeting.pk).attendance()


def _history(member: ExpectedMember, kind: str, actor: User, reason: str = "") -> None:
    AttendanceEvent.objects.create(member=member, kind=kind, reason=reason, by=actor)


# --- The room's check-in code -------------------------------------------------------------------


class _RoomCodeSigner(signing.TimestampSigner):
    """A TimestampSigner whose stamp is the start of the current CHECK_IN_CODE_SECONDS slot,
    so the code on the screen stays the same for the slot and then changes."""

    def __init__(self, at: float | None = None):
        super().__init__(salt="meetings.check-in")
        self.at = time.time() if at is None else at

    def timestamp(self) -> str:
        slot = int(self.at) // rules.CHECK_IN_CODE_SECONDS * rules.CHECK_IN_CODE_SECONDS
        return signing.b62_encode(slot)


def check_in_code(meeting: Meeting, *, at: float | None = None) -> str:
    """The code the room's screen shows now (as a QR code): signed, and short-lived."""
    return _RoomCodeSigner(at).sign(str(meeting.pk))


def meeting_of_check_in_code(code: str) -> int:
    """The id of the meeting whose room showed ``code``; MeetingError if it is forged or old."""
    try:
        value = _RoomCodeSigner().unsign(code, max_age=rules.CHECK_IN_CODE_VALID_SECONDS)
    except signing.SignatureExpired:
        raise MeetingError(
            _("This check-in code has expired; scan the code on the room's screen again.")
        ) from None
    except signing.BadSignature:
        raise MeetingError(_("This is not a check-in code of this portal.")) from None
    return int(value)


def _lock_member(member: ExpectedMember) -> ExpectedMember:
    """The expected member's row locked, then its meeting's (lock_meeting): the meeting's
    status cannot change while its attendance does (no check-in slips in after the close, into
    the minutes), and its page's revision moves on."""
    locked = (
        ExpectedMember.objects.select_for_update(of=("self",))
        .select_related("person")
        .get(pk=member.pk)
    )
    locked.meeting = lock_meeting(locked.meeting_id)
    return locked


@transaction.atomic
def answer_attendance(
    *, actor: User, member: ExpectedMember, response: str, reason: str = ""
) -> ExpectedMember:
    """An expected member answers attend or leave (请假, with a reason); the Office may answer
    for them (who may is the view's concern)."""
    member = _lock_member(member)
    check_step(MeetingStep.ANSWER, member.meeting)
    if response not in (ExpectedMember.Response.ATTEND, ExpectedMember.Response.LEAVE):
        raise MeetingError(_("Answer attend or leave."))
    reason = reason.strip()
    if response == ExpectedMember.Response.LEAVE and not reason:
        raise MeetingError(_("A leave of absence needs a reason."))
    if response == ExpectedMember.Response.LEAVE and member.present:
        raise MeetingError(
            _("%(name)s is checked in; undo the check-in first.") % {"name": member.person}
        )
    before = {"response": member.response}
    if response == ExpectedMember.Response.LEAVE:
        kind = AttendanceEvent.Kind.LEAVE
    elif member.response == ExpectedMember.Response.LEAVE:
        kind = AttendanceEvent.Kind.WITHDRAW_LEAVE
    else:
        kind = AttendanceEvent.Kind.ATTEND
    _history(member, kind, actor, reason if response == ExpectedMember.Response.LEAVE else "")
    member.response = response
    member.leave_reason = reason if response == ExpectedMember.Response.LEAVE else ""
    member.answered_at, member.answered_by = timezone.now(), actor
    member.save(update_fields=["response", "leave_reason", "answered_at", "answered_by"])
    audit.record(
        actor=actor,
        action="attendance.answered",
        obj=member,
        before=before,
        after={"response": response, "reason": member.leave_reason},
    )
    return member


@transaction.atomic
def set_check_in_open(*, actor: User, meeting: Meeting, is_open: bool) -> Meeting:
    """The Office opens check-in (members may then check themselves in) or closes it."""
    meeting = lock_meeting(meeting.pk)
    check_step(MeetingStep.CHECK_IN, meeting)
    meeting.check_in_open = is_open
    meeting.save(update_fields=["check_in_open"])
    audit.record(
        actor=actor, action="meeting.check_in_" + ("opened" if is_open else "closed"), obj=meeting
    )
    return meeting


@transaction.atomic
def check_in(
    *, actor: User, member: ExpectedMember, by_office: bool = False, code: str = ""
) -> ExpectedMember:
    """Check a member in: by the Office by hand, or by the member with the code the room's
    screen shows (proof of presence) once the Office has opened check-in. A member on leave
    withdraws the leave first; the history keeps both."""
    member = _lock_member(member)
    check_step(MeetingStep.CHECK_IN, member.meeting)
    if not by_office:
        if not member.meeting.check_in_open:
            raise MeetingError(_("Check-in has not been opened yet."))
        if not code:
            raise MeetingError(_("Scan the code on the room's screen to check in."))
        if meeting_of_check_in_code(code) != member.meeting.pk:
            raise MeetingError(_("This code is of another meeting."))
    if member.present:
        raise MeetingError(_("%(name)s is already checked in.") % {"name": member.person})
    if not by_office and member.response == ExpectedMember.Response.LEAVE:
        raise MeetingError(
            _("You are on leave (%(reason)s): withdraw the leave first, then check in.")
            % {"reason": member.leave_reason}
        )
    if member.response == ExpectedMember.Response.LEAVE:
        # The Office checks in a member on leave: the leave is withdrawn, and kept in history.
        _history(member, AttendanceEvent.Kind.WITHDRAW_LEAVE, actor)
    kind = AttendanceEvent.Kind.CHECK_IN if by_office else AttendanceEvent.Kind.CHECK_IN_QR
    _history(member, kind, actor)
    member.present, member.checked_in_at, member.checked_in_by = True, timezone.now(), actor
    member.response = ExpectedMember.Response.ATTEND
    member.leave_reason = ""
    member.save(
        update_fields=["present", "checked_in_at", "checked_in_by", "response", "leave_reason"]
    )
    audit.record(actor=actor, action="attendance.checked_in", obj=member, after={"how": kind})
    return member


@transaction.atomic
def undo_check_in(*, actor: User, member: ExpectedMember) -> ExpectedMember:
    """A member leaves the room, or was checked in by mistake; the next gate re-checks quorum."""
    member = _lock_member(member)
    check_step(MeetingStep.CHECK_IN, member.meeting)
    if not member.present:
        raise MeetingError(_("%(name)s is not checked in.") % {"name": member.person})
    member.present = False
    member.save(update_fields=["present"])
    _history(member, AttendanceEvent.Kind.LEFT, actor)
    audit.record(actor=actor, action="attendance.left", obj=member)
    return member


# --- The quorum gate (R-MEET-2) -----------------------------------------------------------------


def record_gate(
    actor: User, meeting: Meeting, gate: str, motion: Motion | None = None
) -> QuorumCheck:
    """R-MEET-2: decide a quorum gate now and record the decision with its numbers."""
    numbers = attendance(meeting)
    return QuorumCheck.objects.create(
        meeting=meeting,
        motion=motion,
        gate=gate,
        expected=numbers.expected,
        present=numbers.present,
        needed=numbers.needed,
        passed=numbers.quorate,
        by=actor,
    )


def gated[**P, R](step: Callable[P, tuple[R, QuorumCheck]]) -> Callable[P, R]:
    """Run ``step`` in a transaction; a failed quorum gate is still recorded, then raised."""

    @functools.wraps(step)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        with transaction.atomic():
            result, check = step(*args, **kwargs)
        if not check.passed:
            raise QuorumNotMet(check)
        return result

    return run


@gated
def open_meeting(*, actor: User, meeting: Meeting) -> tuple[Meeting, QuorumCheck]:
    """Open the session: only with quorum (Art. 12 / R-MEET-2)."""
    meeting = lock_meeting(meeting.pk)
    check_step(MeetingStep.OPEN_MEETING, meeting)
    check = record_gate(actor, meeting, QuorumCheck.Gate.OPEN_MEETING)
    if check.passed:
        meeting.status, meeting.opened_at = MeetingStatus.IN_SESSION, timezone.now()
        meeting.save(update_fields=["status", "opened_at"])
        audit.record(
            actor=actor,
            action="meeting.opened",
            obj=meeting,
            before={"status": "convened"},
            after={"status": meeting.status, "present": check.present, "expected": check.expected},
        )
    return meeting, check


@transaction.atomic
def close_meeting(*, actor: User, meeting: Meeting) -> Meeting:
    """Close the session once no vote is open; the Office gets a draft of the minutes."""
    meeting = lock_meeting(meeting.pk)
    check_step(MeetingStep.CLOSE_MEETING, meeting)
    if Motion.objects.filter(item__meeting=meeting, status=MotionStatus.OPEN).exists():
        raise MeetingError(_("Close the open votes first."))
    meeting.status, meeting.closed_at, meeting.check_in_open = (
        MeetingStatus.CLOSED,
        timezone.now(),
        False,
    )
    meeting.save(update_fields=["status", "closed_at", "check_in_open"])
    audit.record(
        actor=actor,
        action="meeting.closed",
        obj=meeting,
        before={"status": "in_session"},
        after={"status": meeting.status},
    )
    # Art. 15: the Office gets a draft of the minutes, filled from the record.
    start_minutes(actor=actor, meeting=meeting)
    return meeting
