"""Every change of state of a meeting, its attendance, votes and decisions (Art. 12-14).

Each service checks the transition, changes the rows inside one transaction, records an audit
entry, and defers mail until the transaction commits. Permissions (who may press the button)
are checked by the views through meetings.permissions; the rules of the regulation that depend
on the person (R-MEET-1: only the leader or a deputy convenes; R-VOTE-4: only present seated
members vote) are checked here as well, so no path around the views can break them.
"""

import dataclasses
import datetime as dt
import logging
import mimetypes

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from infogov import audit
from infogov.steps import StepRefused
from meetings import rules, unread
from meetings.minutes.drafting import start_minutes
from meetings.models import (
    ALLOWED_MATERIAL_EXTENSIONS,
    MAX_MATERIAL_BYTES,
    AgendaItem,
    Attendee,
    Decision,
    ExpectedMember,
    Material,
    Meeting,
    Motion,
    Notification,
    QuorumCheck,
    SecretTally,
)
from members.models import Appointment, Body, Role, User

logger = logging.getLogger(__name__)


class MeetingError(StepRefused):
    """A step the regulation or the meeting's state does not allow; the message is for users."""


class InvalidTransition(MeetingError):
    pass


class QuorumNotMet(MeetingError):
    def __init__(self, check: QuorumCheck):
        self.check = check
        super().__init__(
            _(
                "No quorum: %(present)d of %(expected)d members present, %(needed)d needed "
                "(Art. 12: more than two-thirds)."
            )
            % {"present": check.present, "expected": check.expected, "needed": check.needed}
        )


def _require(meeting: Meeting, *statuses: str) -> None:
    if meeting.status not in statuses:
        raise InvalidTransition(
            _("Not possible while the meeting is %(status)s.")
            % {"status": meeting.get_status_display()}
        )


def _lock(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("body").get(pk=meeting.pk)


def _page_changed(meeting_id: int) -> None:
    """Move the meeting's revision on, in the transaction of a change its page shows: no
    fragment cached under an older revision is served again (meetings/page_cache.py)."""
    Meeting.objects.filter(pk=meeting_id).update(revision=F("revision") + 1)


def _snapshot(meeting: Meeting) -> dict:
    return {
        "status": meeting.status,
        "starts_at": meeting.starts_at.isoformat() if meeting.starts_at else None,
        "location": meeting.location,
    }


# --- Drafting and convening ---------------------------------------------------------------------


@transaction.atomic
def draft_meeting(
    *,
    actor: User,
    body: Body,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    location: str,
    ends_at: dt.datetime | None = None,
) -> Meeting:
    """The Office drafts a meeting: body, kind, time and place (Art. 12)."""
    if not rules.holds_meetings_of_kind(body_kind=body.kind, kind=kind):
        raise MeetingError(_("%(body)s does not hold this kind of meeting.") % {"body": body})
    if ends_at is not None and ends_at <= starts_at:
        raise MeetingError(_("A meeting must end after it starts."))
    meeting = Meeting.objects.create(
        body=body,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        created_by=actor,
    )
    audit.record(actor=actor, action="meeting.drafted", obj=meeting, after=_snapshot(meeting))
    return meeting


@transaction.atomic
def reschedule_meeting(
    *,
    actor: User,
    meeting: Meeting,
    starts_at: dt.datetime,
    location: str,
    ends_at: dt.datetime | None = None,
    title: str | None = None,
) -> Meeting:
    """Change time or place; convened members get an updated invitation."""
    meeting = _lock(meeting)
    _require(meeting, Meeting.Status.DRAFT, Meeting.Status.CONVENED, Meeting.Status.POSTPONED)
    if ends_at is not None and ends_at <= starts_at:
        raise MeetingError(_("A meeting must end after it starts."))
    before = _snapshot(meeting)
    moved = (
        meeting.starts_at != starts_at or meeting.location != location or meeting.ends_at != ends_at
    )
    meeting.starts_at, meeting.location, meeting.ends_at = starts_at, location, ends_at
    fields = ["starts_at", "location", "ends_at"]
    if title:
        meeting.title = title
        fields.append("title")
    if meeting.status == Meeting.Status.POSTPONED:
        # A postponed draft was never convened: a new date does not convene it (R-MEET-1).
        meeting.status = Meeting.Status.CONVENED if meeting.convened_at else Meeting.Status.DRAFT
        fields.append("status")
    if moved and meeting.convened_at:
        meeting.ics_sequence += 1
        fields.append("ics_sequence")
    meeting.save(update_fields=fields)
    _page_changed(meeting.pk)
    audit.record(
        actor=actor,
        action="meeting.rescheduled",
        obj=meeting,
        before=before,
        after=_snapshot(meeting),
    )
    if moved and meeting.convened_at:
        _notify_expected(meeting, _("Changed: %(title)s, %(when)s, %(where)s"))
    return meeting


def convening_role(person: User, body: Body, day: dt.date) -> str | None:
    """Return the person's seat role in ``body`` on ``day`` if it may convene (R-MEET-1)."""
    role = (
        Appointment.objects.seated_in(body, day)
        .filter(person=person, seat__role__in=rules.CONVENING_ROLES)
        .values_list("seat__role", flat=True)
        .first()
    )
    return role


@transaction.atomic
def convene_meeting(*, actor: User, meeting: Meeting) -> Meeting:
    """Art. 12 / R-MEET-1: the leader or a deputy convenes; R-MEET-3: snapshot who is expected."""
    meeting = _lock(meeting)
    _require(meeting, Meeting.Status.DRAFT)
    today = timezone.localdate()
    if convening_role(actor, meeting.body, today) is None:
        raise MeetingError(
            _("Only the leader or a deputy leader of %(body)s can convene it (Art. 12).")
            % {"body": meeting.body}
        )
    day = timezone.localdate(meeting.starts_at)
    seated = list(
        Appointment.objects.seated_in(meeting.body, day)
        .voting()
        .select_related("seat")
        .order_by("seat__order", "seat_id")
    )
    if not seated:
        raise MeetingError(
            _("%(body)s has no seated voting members on that date.") % {"body": meeting.body}
        )
    ExpectedMember.objects.bulk_create(
        ExpectedMember(meeting=meeting, person_id=a.person_id, role=a.seat.role, order=i)
        for i, a in enumerate(seated)
    )
    leader = next((a.person_id for a in seated if a.seat.role == Role.LEADER), actor.pk)
    meeting.status = Meeting.Status.CONVENED
    meeting.convened_by, meeting.convened_at, meeting.chair_id = actor, timezone.now(), leader
    meeting.save(update_fields=["status", "convened_by", "convened_at", "chair"])
    _page_changed(meeting.pk)
    audit.record(
        actor=actor,
        action="meeting.convened",
        obj=meeting,
        before={"status": "draft"},
        after={**_snapshot(meeting), "expected": [a.person_id for a in seated]},
    )
    _notify_expected(meeting, _("Convened: %(title)s, %(when)s, %(where)s"))
    return meeting


@transaction.atomic
def postpone_meeting(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    return _set_aside(
        actor, meeting, reason, Meeting.Status.POSTPONED, _("Postponed: %(title)s (%(reason)s)")
    )


@transaction.atomic
def cancel_meeting(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    return _set_aside(
        actor, meeting, reason, Meeting.Status.CANCELLED, _("Cancelled: %(title)s (%(reason)s)")
    )


def _set_aside(actor: User, meeting: Meeting, reason: str, status: str, message: str) -> Meeting:
    meeting = _lock(meeting)
    allowed = [Meeting.Status.DRAFT, Meeting.Status.CONVENED]
    if status == Meeting.Status.CANCELLED:
        allowed.append(Meeting.Status.POSTPONED)
    _require(meeting, *allowed)
    if not reason.strip():
        raise MeetingError(_("Give a reason."))
    before = _snapshot(meeting)
    meeting.status, meeting.status_reason, meeting.check_in_open = status, reason.strip(), False
    if meeting.convened_at:
        meeting.ics_sequence += 1
    meeting.save(update_fields=["status", "status_reason", "check_in_open", "ics_sequence"])
    _page_changed(meeting.pk)
    audit.record(
        actor=actor,
        action=f"meeting.{status}",
        obj=meeting,
        before=before,
        after={**_snapshot(meeting), "reason": meeting.status_reason},
    )
    if meeting.convened_at:
        _notify_expected(meeting, message, cancel=True, reason=meeting.status_reason)
    return meeting


def _notify_expected(
    meeting: Meeting, template: str, *, cancel: bool = False, reason: str = ""
) -> None:
    """Tell expected members and attendees in the portal, and by mail with an .ics after commit."""
    people = list(
        User.objects.filter(
            Q(pk__in=meeting.expected_members.values("person"))
            | Q(pk__in=meeting.attendees.values("person"))
        )
    )
    when = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
    text = template % {
        "title": meeting.title,
        "when": when,
        "where": meeting.location,
        "reason": reason,
    }
    Notification.objects.bulk_create(
        Notification(recipient=p, meeting=meeting, text=text[:300]) for p in people
    )
    unread.changed([p.pk for p in people])
    recipients = [p.email for p in people if p.email]
    if not recipients:
        return
    meeting_id, sequence = meeting.pk, meeting.ics_sequence

    def send() -> None:
        from meetings.ics import meeting_ics

        fresh = Meeting.objects.select_related("body").get(pk=meeting_id)
        if fresh.ics_sequence != sequence:
            return  # a later change sends its own invitation
        mail = EmailMessage(
            subject=text, body=text, from_email=settings.DEFAULT_FROM_EMAIL, bcc=recipients
        )
        mail.attach(
            "meeting.ics",
            meeting_ics(fresh, cancel=cancel),
            "text/calendar; method=" + ("CANCEL" if cancel else "REQUEST"),
        )
        try:
            mail.send()
        except OSError:
            # The portal notification is already saved; a mail relay outage must not undo it.
            logger.exception("Could not mail the invitation of meeting %s", meeting_id)

    transaction.on_commit(send)


# --- Agenda and attendees -----------------------------------------------------------------------


@transaction.atomic
def add_agenda_item(
    *,
    actor: User,
    meeting: Meeting,
    title: str,
    description: str = "",
    presenter_unit=None,
    is_major: bool = False,
) -> AgendaItem:
    meeting = _lock(meeting)
    _require(
        meeting,
        Meeting.Status.DRAFT,
        Meeting.Status.CONVENED,
        Meeting.Status.POSTPONED,
        Meeting.Status.IN_SESSION,
    )
    order = (meeting.items.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    item = AgendaItem.objects.create(
        meeting=meeting,
        order=order,
        title=title,
        description=description,
        presenter_unit=presenter_unit,
        is_major=is_major,
    )
    _page_changed(meeting.pk)
    audit.record(
        actor=actor, action="agenda.added", obj=item, after={"title": title, "is_major": is_major}
    )
    return item


@transaction.atomic
def invite_attendee(*, actor: User, meeting: Meeting, person: User, note: str = "") -> Attendee:
    """列席: attends without a vote and never counts toward the quorum (R-MEET-3)."""
    meeting = _lock(meeting)
    _require(meeting, Meeting.Status.DRAFT, Meeting.Status.CONVENED, Meeting.Status.IN_SESSION)
    if meeting.expected_members.filter(person=person).exists():
        raise MeetingError(_("%(name)s is already an expected member.") % {"name": person})
    attendee, created = Attendee.objects.get_or_create(
        meeting=meeting, person=person, defaults={"note": note}
    )
    if not created:
        raise MeetingError(_("%(name)s is already invited.") % {"name": person})
    _page_changed(meeting.pk)
    audit.record(
        actor=actor, action="meeting.attendee_invited", obj=meeting, after={"person": person.pk}
    )
    return attendee


@transaction.atomic
def add_material(*, actor: User, item: AgendaItem, upload: UploadedFile) -> Material:
    """Attach a file to an agenda item: an allowed type of at most MAX_MATERIAL_BYTES."""
    meeting = _lock(item.meeting)
    _require(
        meeting,
        Meeting.Status.DRAFT,
        Meeting.Status.CONVENED,
        Meeting.Status.POSTPONED,
        Meeting.Status.IN_SESSION,
        Meeting.Status.CLOSED,
    )
    name = (upload.name or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1].strip()
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in ALLOWED_MATERIAL_EXTENSIONS:
        raise MeetingError(
            _("Files of this type cannot be uploaded; allowed: %(allowed)s.")
            % {"allowed": ", ".join(ALLOWED_MATERIAL_EXTENSIONS)}
        )
    if not upload.size:
        raise MeetingError(_("The file is empty."))
    if upload.size > MAX_MATERIAL_BYTES:
        raise MeetingError(
            _("The file is %(size)s MB; at most %(max)s MB can be uploaded.")
            % {
                "size": f"{upload.size / 1024 / 1024:.1f}",
                "max": MAX_MATERIAL_BYTES // (1024 * 1024),
            }
        )
    # The type is taken from the allowed extension, never from what the browser claims.
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    material = Material(
        item=item,
        name=name[:200],
        size=upload.size,
        content_type=content_type,
        uploaded_by=actor,
    )
    material.file.save(name, upload, save=False)
    material.save()
    _page_changed(meeting.pk)
    audit.record(
        actor=actor,
        action="material.added",
        obj=material,
        after={"item": item.pk, "name": material.name, "size": material.size},
    )
    return material


# --- Attendance ---------------------------------------------------------------------------------


# The quorum panel's numbers over a meeting's expected members ``e``: expected, present, on
# leave (R-MEET-3); the one definition of what each counts, for attendance() and voter_view().
_ATTENDANCE_COLUMNS = (
    "COUNT(*), COALESCE(SUM(CASE WHEN e.present THEN 1 ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN NOT e.present"
    f" AND e.response = '{ExpectedMember.Response.LEAVE.value}' THEN 1 ELSE 0 END), 0)"
)


def attendance(meeting: Meeting) -> rules.Attendance:
    """Return the quorum panel's numbers for ``meeting`` (one statement)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {_ATTENDANCE_COLUMNS} FROM meetings_expectedmember e WHERE e.meeting_id = %s",
            [meeting.pk],
        )
        return rules.Attendance(*cursor.fetchone())


@dataclasses.dataclass(frozen=True)
class VoterView:
    """What the voting page shows a person about a motion: the meeting's attendance, their
    own seat (None if not expected), whether they have voted (and how, if named), and how many
    have voted so far."""

    numbers: rules.Attendance
    me: ExpectedMember | None
    has_voted: bool
    my_choice: str | None
    voted: int


# The voting page asks on every load and every poll, so this is one plain statement: the ORM's
# five queries for it cost five times the CPU.
_VOTER_VIEW_SQL = (
    f"SELECT {_ATTENDANCE_COLUMNS},"
    " MAX(CASE WHEN e.person_id = %s THEN e.id END),"
    " MAX(CASE WHEN e.person_id = %s AND e.present THEN 1 ELSE 0 END),"
    " (SELECT v.choice FROM meetings_namedvote v WHERE v.motion_id = %s AND v.voter_id = %s),"
    " (SELECT COUNT(*) FROM meetings_ballotreceipt r"
    " WHERE r.motion_id = %s AND r.voter_id = %s),"
    " (SELECT COUNT(*) FROM meetings_namedvote v WHERE v.motion_id = %s)"
    " + (SELECT COUNT(*) FROM meetings_ballotreceipt r WHERE r.motion_id = %s)"
    " FROM meetings_expectedmember e WHERE e.meeting_id = %s"
)


def voter_view(motion: Motion, person: User) -> VoterView:
    """Return what ``person`` sees of ``motion`` on the voting page (one statement)."""
    m, p = motion.pk, person.pk
    with connection.cursor() as cursor:
        cursor.execute(_VOTER_VIEW_SQL, [p, p, m, p, m, p, m, m, motion.item.meeting_id])
        expected, present, on_leave, me_id, me_present, choice, receipts, voted = cursor.fetchone()
    me = None
    if me_id is not None:
        me = ExpectedMember(pk=me_id, meeting_id=motion.item.meeting_id, person_id=p)
        me.present = bool(me_present)
    return VoterView(
        numbers=rules.Attendance(expected=expected, present=present, on_leave=on_leave),
        me=me,
        has_voted=choice is not None or receipts > 0,
        my_choice=choice,
        voted=voted,
    )


@transaction.atomic
def answer_attendance(
    *, actor: User, member: ExpectedMember, response: str, reason: str = ""
) -> ExpectedMember:
    """An expected member answers attend or leave (请假, with a reason); the Office may answer
    for them (who may is the view's concern)."""
    member = ExpectedMember.objects.select_for_update().select_related("meeting").get(pk=member.pk)
    _require(
        member.meeting, Meeting.Status.CONVENED, Meeting.Status.IN_SESSION, Meeting.Status.POSTPONED
    )
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
    member.response = response
    member.leave_reason = reason if response == ExpectedMember.Response.LEAVE else ""
    member.answered_at, member.answered_by = timezone.now(), actor
    member.save(update_fields=["response", "leave_reason", "answered_at", "answered_by"])
    _page_changed(member.meeting_id)
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
    meeting = _lock(meeting)
    _require(meeting, Meeting.Status.CONVENED, Meeting.Status.IN_SESSION)
    meeting.check_in_open = is_open
    meeting.save(update_fields=["check_in_open"])
    _page_changed(meeting.pk)
    audit.record(
        actor=actor, action="meeting.check_in_" + ("opened" if is_open else "closed"), obj=meeting
    )
    return meeting


@transaction.atomic
def check_in(*, actor: User, member: ExpectedMember, by_office: bool = False) -> ExpectedMember:
    """Check a member in: by the member once the Office has opened check-in, or by the Office."""
    member = (
        ExpectedMember.objects.select_for_update()
        .select_related("meeting", "person")
        .get(pk=member.pk)
    )
    meeting = member.meeting
    _require(meeting, Meeting.Status.CONVENED, Meeting.Status.IN_SESSION)
    if not by_office and not meeting.check_in_open:
        raise MeetingError(_("Check-in has not been opened yet."))
    if member.present:
        raise MeetingError(_("%(name)s is already checked in.") % {"name": member.person})
    member.present, member.checked_in_at, member.checked_in_by = True, timezone.now(), actor
    member.response = ExpectedMember.Response.ATTEND
    member.leave_reason = ""
    member.save(
        update_fields=["present", "checked_in_at", "checked_in_by", "response", "leave_reason"]
    )
    _page_changed(member.meeting_id)
    audit.record(actor=actor, action="attendance.checked_in", obj=member)
    return member


@transaction.atomic
def undo_check_in(*, actor: User, member: ExpectedMember) -> ExpectedMember:
    """A member leaves the room, or was checked in by mistake; the next gate re-checks quorum."""
    member = (
        ExpectedMember.objects.select_for_update()
        .select_related("meeting", "person")
        .get(pk=member.pk)
    )
    _require(member.meeting, Meeting.Status.CONVENED, Meeting.Status.IN_SESSION)
    if not member.present:
        raise MeetingError(_("%(name)s is not checked in.") % {"name": member.person})
    member.present = False
    member.save(update_fields=["present"])
    _page_changed(member.meeting_id)
    audit.record(actor=actor, action="attendance.left", obj=member)
    return member


def _gate(actor: User, meeting: Meeting, gate: str, motion: Motion | None = None) -> QuorumCheck:
    """R-MEET-2: decide a quorum gate now and record the decision with its numbers."""
    numbers = attendance(meeting)
    _page_changed(meeting.pk)  # the check is listed on the page, passed or not
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


def _gated(step):
    """Run ``step`` in a transaction; a failed quorum gate is still recorded, then raised."""

    def run(**kwargs):
        with transaction.atomic():
            result, check = step(**kwargs)
        if check is not None and not check.passed:
            raise QuorumNotMet(check)
        return result

    run.__name__, run.__doc__ = step.__name__, step.__doc__
    return run


@_gated
def open_meeting(*, actor: User, meeting: Meeting):
    """Open the session: only with quorum (Art. 12 / R-MEET-2)."""
    meeting = _lock(meeting)
    _require(meeting, Meeting.Status.CONVENED)
    check = _gate(actor, meeting, QuorumCheck.Gate.OPEN_MEETING)
    if check.passed:
        meeting.status, meeting.opened_at = Meeting.Status.IN_SESSION, timezone.now()
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
    meeting = _lock(meeting)
    _require(meeting, Meeting.Status.IN_SESSION)
    if Motion.objects.filter(item__meeting=meeting, status=Motion.Status.OPEN).exists():
        raise MeetingError(_("Close the open votes first."))
    meeting.status, meeting.closed_at, meeting.check_in_open = (
        Meeting.Status.CLOSED,
        timezone.now(),
        False,
    )
    meeting.save(update_fields=["status", "closed_at", "check_in_open"])
    _page_changed(meeting.pk)
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


# --- Votes --------------------------------------------------------------------------------------


@transaction.atomic
def create_motion(
    *,
    actor: User,
    item: AgendaItem,
    text: str,
    method: str = Motion.Method.NAMED,
    basis: str = rules.Basis.EXPECTED,
    threshold: str = rules.Threshold.MORE_THAN_HALF,
) -> Motion:
    """Put a motion on an item; its method and passing rule are fixed from here on (Art. 13)."""
    meeting = _lock(item.meeting)
    _require(meeting, Meeting.Status.DRAFT, Meeting.Status.CONVENED, Meeting.Status.IN_SESSION)
    if Decision.objects.filter(item=item).exists():
        raise MeetingError(_("This item has been decided."))
    if item.motions.filter(status__in=[Motion.Status.DRAFT, Motion.Status.OPEN]).exists():
        raise MeetingError(_("This item already has a pending vote."))
    if (
        method not in Motion.Method.values
        or basis not in rules.Basis
        or threshold not in rules.Threshold
    ):
        raise MeetingError(_("Unknown voting method or passing rule."))
    motion = Motion.objects.create(
        item=item, text=text, method=method, basis=basis, threshold=threshold
    )
    _page_changed(meeting.pk)
    audit.record(
        actor=actor,
        action="motion.created",
        obj=motion,
        after={"method": method, "basis": basis, "threshold": threshold},
    )
    return motion


# PostgreSQL advisory lock namespace of a motion's vote: voters hold it shared, the steps that
# change the motion's status (open, close, defer) exclusive. Unlike a row lock FOR SHARE, whose
# new sharers jump ahead of a waiting FOR UPDATE (so a close could starve under a burst of votes),
# the lock manager queues a shared request behind a waiting exclusive one: the close waits only
# for the votes already in flight, and every vote after it sees the motion closed.
VOTE_LOCK_NAMESPACE = 7301


def _vote_lock(cursor, motion_id: int, *, shared: bool) -> None:
    """Take the motion's vote lock until the transaction ends (PostgreSQL only; SQLite
    serialises writers with IMMEDIATE transactions, which is stronger still)."""
    if connection.vendor != "postgresql":
        return
    cursor.execute(_vote_lock_sql(shared=shared), [VOTE_LOCK_NAMESPACE, _lock_key(motion_id)])


def _vote_lock_sql(*, shared: bool) -> str:
    function = "pg_advisory_xact_lock_shared" if shared else "pg_advisory_xact_lock"
    return f"SELECT {function}(%s, %s)"


def _lock_key(motion_id: int) -> int:
    # Two int4 keys; ids past 2**31 share a key with another motion, which only serialises more.
    return motion_id & 0x7FFFFFFF


def _lock_motion(motion_id: int) -> Motion:
    """Lock the motion for a change of status: the vote lock exclusive (it waits for votes in
    flight and is seen by every later vote), then the row itself."""
    with connection.cursor() as cursor:
        _vote_lock(cursor, motion_id, shared=False)
    return Motion.objects.select_for_update().select_related("item__meeting").get(pk=motion_id)


@_gated
def open_vote(*, actor: User, motion: Motion):
    """Open a vote: the meeting is in session and quorate (R-MEET-2)."""
    motion = _lock_motion(motion.pk)
    meeting = motion.item.meeting
    if meeting.status != Meeting.Status.IN_SESSION:
        raise InvalidTransition(_("Votes open only while the meeting is in session."))
    if motion.status != Motion.Status.DRAFT:
        raise InvalidTransition(
            _("This vote is %(status)s.") % {"status": motion.get_status_display()}
        )
    if Motion.objects.filter(item__meeting=meeting, status=Motion.Status.OPEN).exists():
        raise MeetingError(_("Another vote is open; close it first (Art. 13: one item at a time)."))
    check = _gate(actor, meeting, QuorumCheck.Gate.OPEN_VOTE, motion)
    if check.passed:
        motion.status, motion.opened_at = Motion.Status.OPEN, timezone.now()
        motion.save(update_fields=["status", "opened_at"])
        if motion.method == Motion.Method.SECRET:
            SecretTally.objects.bulk_create(
                SecretTally(motion=motion, choice=c) for c in rules.Choice
            )
        audit.record(
            actor=actor,
            action="vote.opened",
            obj=motion,
            after={"present": check.present, "expected": check.expected},
        )
    return motion, check


def cast_vote(*, voter: User, motion: Motion, choice: str) -> None:
    """One present, seated member casts one vote (R-VOTE-1, R-VOTE-2, R-VOTE-4)."""
    cast_vote_by_id(voter=voter, motion_id=motion.pk, choice=choice)


# One statement reads what the vote needs: the motion's status, method and text (for the audit
# entry) and whether the voter is an expected (seated voting) member who is present (R-VOTE-4).
_VOTE_CONTEXT_SQL = (
    "SELECT m.status, m.method, m.text, EXISTS ("
    "SELECT 1 FROM meetings_expectedmember e"
    " WHERE e.meeting_id = i.meeting_id AND e.person_id = %s AND e.present)"
    " FROM meetings_motion m JOIN meetings_agendaitem i ON i.id = m.item_id WHERE m.id = %s"
)
_NAMED_VOTE_SQL = (
    "INSERT INTO meetings_namedvote (motion_id, voter_id, choice, cast_at)"
    " VALUES (%s, %s, %s, %s) ON CONFLICT (motion_id, voter_id) DO NOTHING"
)
_RECEIPT_SQL = (
    "INSERT INTO meetings_ballotreceipt (motion_id, voter_id) VALUES (%s, %s)"
    " ON CONFLICT (motion_id, voter_id) DO NOTHING"
)
# R-VOTE-1: write all three counters, so that no row version, row order or transaction stamp
# (PostgreSQL's xmin, which the receipt shares) tells which one this ballot went to. On
# PostgreSQL they are locked in id order first, so that voters never deadlock.
_TALLY_SQL = (
    "UPDATE meetings_secrettally SET count = CASE WHEN choice = %s THEN count + 1 ELSE count END"
    " WHERE motion_id = %s"
)
# The same on PostgreSQL, as WITH queries after ``receipt`` (the receipt's INSERT ... RETURNING):
# only if a receipt was written, the counters locked in id order, then all three written.
_TALLY_CTE = (
    "locked AS (SELECT id FROM meetings_secrettally WHERE motion_id = %s"
    " AND EXISTS (SELECT 1 FROM receipt) ORDER BY id FOR UPDATE),"
    " tally AS (UPDATE meetings_secrettally t"
    " SET count = CASE WHEN t.choice = %s THEN t.count + 1 ELSE t.count END"
    " FROM locked WHERE t.id = locked.id RETURNING 1)"
)


def cast_vote_by_id(*, voter: User, motion_id: int, choice: str) -> None:
    """Cast one vote on the motion ``motion_id`` (the vote endpoint's hot path); raises
    MeetingError when refused and Motion.DoesNotExist for no such motion.

    A secret ballot leaves a receipt (who) and an increment (what), never a row linking them.
    The audit trail records that a vote was cast, never the secret choice.
    """
    if choice not in rules.Choice:
        raise MeetingError(_("Choose yes, no or abstain."))
    if connection.vendor == "postgresql":
        _cast_vote_postgresql(voter, motion_id, choice)
    else:
        _cast_vote_in_steps(voter, motion_id, choice)


@transaction.atomic
def _cast_vote_in_steps(voter: User, motion_id: int, choice: str) -> None:
    """The vote one statement at a time (SQLite: no round trips to save, and its IMMEDIATE
    transactions serialise writers, which is stronger than the vote lock)."""
    with connection.cursor() as cursor:
        cursor.execute(_VOTE_CONTEXT_SQL, [voter.pk, motion_id])
        named, entry = _checked_vote(cursor.fetchone(), voter, motion_id, choice)
        if named:
            cursor.execute(_NAMED_VOTE_SQL, _named_vote_row(voter, motion_id, choice))
        else:
            cursor.execute(_RECEIPT_SQL, [motion_id, voter.pk])
        if cursor.rowcount != 1:
            raise _duplicate_vote()
        if not named:
            cursor.execute(_TALLY_SQL, [choice, motion_id])
        cursor.execute(*audit.insert_sql(**entry))


def _cast_vote_postgresql(voter: User, motion_id: int, choice: str) -> None:
    """The vote in two round trips to PostgreSQL, its transaction included: BEGIN, the vote
    lock and the read in one string; then the vote (a secret ballot's receipt and counters)
    with its audit entry as one statement, and COMMIT in the same string. So a secret ballot
    holds the counters' row locks, which every other ballot of the motion waits for, only
    while PostgreSQL writes and commits, never while this thread waits for Python's GIL to
    send the COMMIT. Several statements in one string need psycopg's client-side binding,
    Django's default (meetings.checks).

    The transaction is written out because it must ride with the statements; within one
    already (a test's, or a caller's atomic block), a savepoint stands in for it. Nothing in it
    may register on_commit callbacks: Django does not see this transaction.
    """
    if connection.get_autocommit():
        begin, commit, rollback = "BEGIN", "COMMIT", "ROLLBACK"
    else:
        begin, commit = "SAVEPOINT cast_vote", "RELEASE SAVEPOINT cast_vote"
        rollback = f"ROLLBACK TO SAVEPOINT cast_vote; {commit}"
    with connection.cursor() as cursor:
        ended = False
        try:
            # The vote lock first, in its own statement: the read's snapshot then follows any
            # close that committed while this vote waited for the lock.
            cursor.execute(
                f"{begin}; {_vote_lock_sql(shared=True)}; {_VOTE_CONTEXT_SQL}",
                [VOTE_LOCK_NAMESPACE, _lock_key(motion_id), voter.pk, motion_id],
            )
            cursor.nextset()
            cursor.nextset()
            named, entry = _checked_vote(cursor.fetchone(), voter, motion_id, choice)
            if named:  # an entry iff a vote
                entry_sql, entry_params = audit.insert_sql(**entry, source="vote")
                sql = f"WITH vote AS ({_NAMED_VOTE_SQL} RETURNING 1) {entry_sql}"
                params = _named_vote_row(voter, motion_id, choice) + entry_params
            else:  # an entry and the counters iff a receipt
                entry_sql, entry_params = audit.insert_sql(**entry, source="receipt")
                sql = f"WITH receipt AS ({_RECEIPT_SQL} RETURNING 1), {_TALLY_CTE} {entry_sql}"
                params = [motion_id, voter.pk, motion_id, choice, *entry_params]
            cursor.execute(f"{sql}; {commit}", params)
            ended = True
            if cursor.rowcount != 1:  # the first statement's: no entry, so no vote
                raise _duplicate_vote()
        finally:
            if not ended:
                cursor.execute(rollback)


def _checked_vote(row: tuple | None, voter: User, motion_id: int, choice: str):
    """From the row of _VOTE_CONTEXT_SQL: (named?, the audit entry) if the motion takes the
    vote; else raise why not."""
    if row is None:
        raise Motion.DoesNotExist
    status, method, text, present = row
    if status != Motion.Status.OPEN:
        raise MeetingError(
            _("This vote is closed; your vote was not counted.")
            if status == Motion.Status.CLOSED
            else _("This vote is not open.")
        )
    # R-VOTE-4: only expected (seated voting) members who are present vote; 列席 never.
    if not present:
        raise MeetingError(_("Only seated members who are checked in can vote."))
    named = method == Motion.Method.NAMED
    entry = {
        "actor": voter,
        "action": "vote.cast",
        "obj": Motion(pk=motion_id, text=text),
        "after": {"choice": choice} if named else None,
    }
    return named, entry


def _named_vote_row(voter: User, motion_id: int, choice: str) -> list:
    return [motion_id, voter.pk, choice, connection.ops.adapt_datetimefield_value(timezone.now())]


def _duplicate_vote() -> MeetingError:
    # R-VOTE-2: the unique constraint decided; the conflict inserted nothing.
    return MeetingError(_("You have already voted on this motion."))


def counts(motion: Motion) -> dict[str, int]:
    """Return the votes cast so far by choice."""
    if motion.method == Motion.Method.NAMED:
        rows = motion.named_votes.values_list("choice").annotate(n=Count("id"))
    else:
        rows = motion.secret_tallies.values_list("choice", "count")
    return dict(rows)


def voted_count(motion: Motion) -> int:
    """Return how many have voted ("n of m have voted")."""
    if motion.method == Motion.Method.NAMED:
        return motion.named_votes.count()
    return motion.receipts.count()


@_gated
def close_vote(*, actor: User, motion: Motion):
    """Close a vote with quorum (R-MEET-2) and count it under its rule (R-VOTE-3)."""
    motion = _lock_motion(motion.pk)
    if motion.status != Motion.Status.OPEN:
        raise InvalidTransition(_("This vote is not open."))
    meeting = motion.item.meeting
    check = _gate(actor, meeting, QuorumCheck.Gate.CLOSE_VOTE, motion)
    if check.passed:
        result = rules.tally(
            counts(motion),
            basis=rules.Basis(motion.basis),
            threshold=rules.Threshold(motion.threshold),
            expected=check.expected,
            present=check.present,
        )
        motion.status, motion.closed_at = Motion.Status.CLOSED, timezone.now()
        motion.expected, motion.present = check.expected, check.present
        motion.yes, motion.no, motion.abstain = result.yes, result.no, result.abstain
        motion.base, motion.required, motion.passed = result.base, result.required, result.passed
        motion.save(
            update_fields=[
                "status",
                "closed_at",
                "expected",
                "present",
                "yes",
                "no",
                "abstain",
                "base",
                "required",
                "passed",
            ]
        )
        audit.record(
            actor=actor,
            action="vote.closed",
            obj=motion,
            after={
                "yes": result.yes,
                "no": result.no,
                "abstain": result.abstain,
                "base": result.base,
                "required": result.required,
                "passed": result.passed,
            },
        )
    return motion, check


@transaction.atomic
def defer_vote(*, actor: User, motion: Motion, reason: str) -> Motion:
    """暂缓表决 (R-VOTE-5): set a vote aside with a reason; ballots already cast are not counted."""
    motion = _lock_motion(motion.pk)
    if motion.status not in (Motion.Status.DRAFT, Motion.Status.OPEN):
        raise InvalidTransition(
            _("This vote is %(status)s.") % {"status": motion.get_status_display()}
        )
    if not reason.strip():
        raise MeetingError(_("Give a reason."))
    before = {"status": motion.status}
    motion.status, motion.deferred_reason, motion.closed_at = (
        Motion.Status.DEFERRED,
        reason.strip(),
        timezone.now(),
    )
    motion.save(update_fields=["status", "deferred_reason", "closed_at"])
    _page_changed(motion.item.meeting_id)
    audit.record(
        actor=actor, action="vote.deferred", obj=motion, before=before, after={"reason": reason}
    )
    return motion


# --- Decisions ----------------------------------------------------------------------------------


@transaction.atomic
def record_decision(
    *, actor: User, item: AgendaItem, text: str, motion: Motion | None = None, forward_to: str = ""
) -> Decision:
    """议定事项: how an item ended; a major matter needs a closed vote (Art. 13), and the
    decision may be forwarded to the Party Standing Committee or the President's Office
    (Art. 14)."""
    meeting = _lock(item.meeting)
    _require(meeting, Meeting.Status.IN_SESSION, Meeting.Status.CLOSED)
    if Decision.objects.filter(item=item).exists():
        raise MeetingError(_("This item has been decided."))
    if motion is not None and (motion.item_id != item.pk or motion.status != Motion.Status.CLOSED):
        raise MeetingError(_("Choose a closed vote of this item."))
    if item.is_major and motion is None:
        raise MeetingError(_("A major matter is decided only by a vote (Art. 13)."))
    if forward_to not in Decision.Forward.values:
        raise MeetingError(_("Unknown body to forward to."))
    if not text.strip():
        raise MeetingError(_("Write the decision."))
    decision = Decision.objects.create(
        item=item, text=text.strip(), motion=motion, forward_to=forward_to, recorded_by=actor
    )
    _page_changed(meeting.pk)
    audit.record(
        actor=actor,
        action="decision.recorded",
        obj=decision,
        after={
            "motion": motion.pk if motion else None,
            "passed": motion.passed if motion else None,
            "forward_to": forward_to,
        },
    )
    return decision


# --- Notifications ------------------------------------------------------------------------------


def mark_notifications_read(*, user: User) -> int:
    """Mark every unread notification of ``user`` read; return how many were."""
    marked = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    if marked:
        unread.changed([user.pk], user)
    return marked
