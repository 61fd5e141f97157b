"""Art. 14 / R-EXEC-1: a forwarded decision's tracked forwarding and its outcome."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from followup import permissions
from followup.models import Forwarding
from followup.services.errors import FollowupError
from infogov import audit
from meetings.models import Decision
from members.models import User


@transaction.atomic
def track_forwarding(*, actor: User | None, decision: Decision) -> Forwarding:
    """Start tracking a decision marked for forwarding; the same row if already tracked."""
    if not decision.forward_to:
        raise FollowupError(_("This decision is not forwarded."))
    forwarding, created = Forwarding.objects.get_or_create(
        decision=decision, defaults={"to_body": decision.forward_to}
    )
    if created:
        audit.record(
            actor=actor,
            action="forwarding.tracked",
            obj=forwarding,
            after={"to_body": forwarding.to_body},
        )
    return forwarding


@transaction.atomic
def update_forwarding(
    *,
    actor: User,
    forwarding: Forwarding,
    sent_on: dt.date | None,
    their_meeting_on: dt.date | None,
    outcome: str,
    document_number: str = "",
) -> Forwarding:
    """The Office records what happened: sent on, their meeting, the outcome, their number."""
    if not permissions.can_create(actor):
        raise FollowupError(_("Only the Office records forwardings."))
    forwarding = Forwarding.objects.select_for_update().get(pk=forwarding.pk)
    if outcome not in Forwarding.Outcome.values:
        raise FollowupError(_("Unknown outcome."))
    if their_meeting_on and sent_on and their_meeting_on < sent_on:
        raise FollowupError(_("Their meeting cannot be before the matter was sent."))
    if outcome != Forwarding.Outcome.PENDING and their_meeting_on is None:
        raise FollowupError(_("An outcome needs the date of their meeting."))
    before = {"outcome": forwarding.outcome, "document_number": forwarding.document_number}
    forwarding.sent_on = sent_on
    forwarding.their_meeting_on = their_meeting_on
    forwarding.outcome = outcome
    forwarding.document_number = document_number.strip()
    forwarding.save(
        update_fields=["sent_on", "their_meeting_on", "outcome", "document_number", "updated_at"]
    )
    audit.record(
        actor=actor,
        action="forwarding.updated",
        obj=forwarding,
        before=before,
        after={"outcome": outcome, "document_number": forwarding.document_number},
    )
    return forwarding
