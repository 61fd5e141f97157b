"""Drafting and convening a meeting, and moving or setting it aside (Art. 12, R-MEET-1, -3)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infogov import audit
from infogov.validators import EARLIEST_YEAR, LATEST_YEAR, has_line_break, is_sane_date
from meetings import rules
from meetings.models import ExpectedMember, Meeting
from meetings.rules import MeetingStatus, MeetingStep
from meetings.services._common import check_step, lock_meeting, snapshot
from meetings.services.errors import MeetingError
from meetings.services.notifications import notify_expected
from members.models import Appointment, Body, Role, User


def _check_times(starts_at: dt.datetime, ends_at: dt.datetime | None) -> None:
    # 0001-01-01 was stored on PostgreSQL, and every page showing it in local time failed.
    if not all(is_sane_date(value) for value in (starts_at, ends_at) if value is not None):
        raise MeetingError(
            _("Give a date between %(earliest)d and %(latest)d.")
            % {"earliest": EARLIEST_YEAR, "latest": LATEST_YEAR}
        )
    if not rules.ends_after_start(starts_at=starts_at, ends_at=ends_at):
        raise MeetingError(_("A meeting must end after it starts."))


def _check_header_text(*values: str | None) -> None:
    # The title, the place and a reason make the subject of the invitation mail, where a line
    # break is refused when the mail is sent, after the change was saved.
    if any(value and has_line_break(value) for value in values):
        raise MeetingError(_("Line breaks are not allowed in a title, a place or a reason."))


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
    _check_times(starts_at, ends_at)
    _check_header_text(title, location)
    meeting = Meeting.objects.create(
        body=body,
        kind=kind,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        created_by=actor,
    )
    audit.record(actor=actor, action="meeting.drafted", obj=meeting, after=snapshot(meeting))
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
    meeting = lock_meeting(meeting.pk)
    check_step(MeetingStep.RESCHEDULE, meeting)
    _check_times(starts_at, ends_at)
    _check_header_text(title, location)
    before = snapshot(meeting)
    moved = (
        meeting.starts_at != starts_at or meeting.location != location or meeting.ends_at != ends_at
    )
    meeting.starts_at, meeting.location, meeting.ends_at = starts_at, location, ends_at
    fields = ["starts_at", "location", "ends_at"]
    if title:
        meeting.title = title
        fields.append("title")
    if meeting.status == MeetingStatus.POSTPONED:
        # A postponed draft was never convened: a new date does not convene it (R-MEET-1).
        meeting.status = MeetingStatus.CONVENED if meeting.convened_at else MeetingStatus.DRAFT
        fields.append("status")
    if moved and meeting.convened_at:
        meeting.ics_sequence += 1
        fields.append("ics_sequence")
    meeting.save(update_fields=fields)
    audit.record(
        actor=actor,
        action="meeting.rescheduled",
        obj=meeting,
        before=before,
        after=snapshot(meeting),
    )
    if moved and meeting.convened_at:
        notify_expected(meeting, _("Changed: %(title)s, %(when)s, %(where)s"))
    return meeting


def convening_role(person: User, body: Body, day: dt.date) -> str | None:
    """Return the person's seat role in ``body`` on ``day`` if it may convene (R-MEET-1)."""
    roles = (
        Appointment.objects.seated_in(body, day)
        .filter(person=person)
        .values_list("seat__role", flat=True)
    )
    return next((role for role in roles if rules.may_convene(role)), None)


@transaction.atomic
def convene_meeting(*, actor: User, meeting: Meeting, now: dt.datetime | None = None) -> Meeting:
    """Art. 12 / R-MEET-1: the leader or a deputy convenes; R-MEET-3: snapshot who is expected.

    ``now`` is the moment of convening: the present, but for the demo's record of a meeting
    held in the past.
    """
    now = now or timezone.now()
    meeting = lock_meeting(meeting.pk)
    check_step(MeetingStep.CONVENE, meeting)
    if convening_role(actor, meeting.body, timezone.localdate(now)) is None:
        raise MeetingError(
            _("Only the leader or a deputy leader of %(body)s can convene it (Art. 12).")
            % {"body": meeting.body}
        )
    why = rules.art12_may_convene(
        starts_at=meeting.starts_at, now=now, agenda_items=meeting.items.count()
    )
    if why == "past":
        raise MeetingError(
            _("The date has passed: %(when)s. Reschedule the meeting first.")
            % {"when": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")}
        )
    if why == "no_agenda":
        raise MeetingError(_("The meeting has no agenda item yet: add one before convening."))
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
    # The leader chairs the meeting (Art. 12); without one seated, whoever convened it.
    chair = next((a.person_id for a in seated if a.seat.role == Role.LEADER), actor.pk)
    meeting.status = MeetingStatus.CONVENED
    meeting.convened_by, meeting.convened_at, meeting.chair_id = actor, now, chair
    meeting.save(update_fields=["status", "convened_by", "convened_at", "chair"])
    audit.record(
        actor=actor,
        action="meeting.convened",
        obj=meeting,
        before={"status": "draft"},
        after={**snapshot(meeting), "expected": [a.person_id for a in seated]},
    )
    notify_expected(meeting, _("Convened: %(title)s, %(when)s, %(where)s"))
    return meeting


@transaction.atomic
def postpone_meeting(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    """Put the meeting off; a new date (reschedule_meeting) brings it back."""
    return _set_aside(
        actor,
        meeting,
        reason,
        MeetingStep.POSTPONE,
        MeetingStatus.POSTPONED,
        _("Postponed: %(title)s (%(reason)s)"),
    )


@transaction.atomic
def cancel_meeting(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    """Call the meeting off for good."""
    return _set_aside(
        actor,
        meeting,
        reason,
        MeetingStep.CANCEL,
        MeetingStatus.CANCELLED,
        _("Cancelled: %(title)s (%(reason)s)"),
    )


def _set_aside(
    actor: User,
    meeting: Meeting,
    reason: str,
    step: MeetingStep,
    status: MeetingStatus,
    message: str,
) -> Meeting:
    meeting = lock_meeting(meeting.pk)
    check_step(step, meeting)
    if not reason.strip():
        raise MeetingError(_("Give a reason."))
    _check_header_text(reason)
    before = snapshot(meeting)
    meeting.status, meeting.status_reason, meeting.check_in_open = status, reason.strip(), False
    if meeting.convened_at:
        meeting.ics_sequence += 1
    meeting.save(update_fields=["status", "status_reason", "check_in_open", "ics_sequence"])
    audit.record(
        actor=actor,
        action=f"meeting.{status}",
        obj=meeting,
        before=before,
        after={**snapshot(meeting), "reason": meeting.status_reason},
    )
    if meeting.convened_at:
        notify_expected(meeting, message, cancel=True, reason=meeting.status_reason)
    return meeting
