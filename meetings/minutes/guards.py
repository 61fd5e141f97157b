"""What every step on minutes checks before it changes anything: the row locked, the step
allowed from the status (rules.may), and, for the leader's steps, the signer (Art. 15).

Shared by the Office's and the leader's steps (meetings.minutes.services) and the worker's
(meetings.minutes.issuing), which import each other in that order only.
"""

import datetime as dt

from django.utils.translation import gettext as _

from meetings import rules as meeting_rules
from meetings.minutes import rules
from meetings.minutes.models import Minutes
from meetings.services.errors import InvalidTransition, MeetingError
from members.models import Appointment, Body, User


def lock_minutes(minutes_id: int) -> Minutes:
    """The minutes' row, locked until the transaction ends, with its meeting and body."""
    minutes = Minutes.objects.select_for_update(of=("self",)).select_related("meeting__body")
    return minutes.get(pk=minutes_id)


def require_step(minutes: Minutes, step: rules.Step) -> None:
    """Refuse ``step`` unless the minutes' status allows it (rules.ALLOWED_STEPS)."""
    if not rules.may(step, minutes.status):
        raise InvalidTransition(
            _("Not possible while the minutes are %(status)s.")
            % {"status": minutes.get_status_display()}
        )


def seated_role(person: User, body: Body, day: dt.date | None = None) -> str | None:
    """Return the role ``person`` holds in ``body`` on ``day`` (today), if any."""
    return (
        Appointment.objects.seated_in(body, day)
        .filter(person=person)
        .values_list("seat__role", flat=True)
        .first()
    )


def require_leader(actor: User, minutes: Minutes) -> None:
    """Art. 15 / R-MIN-1: only the body's leader signs (not a deputy, not an admin)."""
    if not meeting_rules.may_sign_minutes(seated_role(actor, minutes.meeting.body)):
        raise MeetingError(
            _("Only the leader of %(body)s signs its minutes (Art. 15).")
            % {"body": minutes.meeting.body}
        )
