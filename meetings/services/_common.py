"""What the meeting services share: locking a meeting, checking a step, the audit snapshot."""

from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from meetings import rules
from meetings.models import Meeting
from meetings.services.errors import InvalidTransition


def lock_meeting(meeting_id: int) -> Meeting:
    """Lock the meeting's row until the transaction ends, for a change to the meeting or to
    what its page shows, and move its revision on; return the row, read again, with its body.

    Every service that changes a meeting, its attendance, agenda, motions or decisions takes
    this lock first (the ones that lock an expected member or a motion, through it), so the
    revision that keys the meeting page's cached parts moves on in the same transaction as the
    change, and is committed or rolled back with it.
    """
    rows = Meeting.objects.select_for_update(of=("self",)).select_related("body")
    meeting = rows.get(pk=meeting_id)
    Meeting.objects.filter(pk=meeting_id).update(revision=F("revision") + 1)
    meeting.revision += 1
    return meeting


def check_step(step: rules.MeetingStep, meeting: Meeting) -> None:
    """Raise InvalidTransition unless ``step`` may be taken in the meeting's status."""
    if not rules.may(step, meeting.status):
        raise InvalidTransition(
            _("Not possible while the meeting is %(status)s.")
            % {"status": meeting.get_status_display()}
        )


def snapshot(meeting: Meeting) -> dict[str, Any]:
    """What the audit trail records of a meeting before and after a change of schedule."""
    return {
        "status": meeting.status,
        "starts_at": meeting.starts_at.isoformat() if meeting.starts_at else None,
        "location": meeting.location,
    }
