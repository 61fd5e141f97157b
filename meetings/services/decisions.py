"""议定事项: how each agenda item ended, and where it is forwarded (Art. 13-14)."""

from django.db import transaction
from django.utils.translation import gettext as _

from infogov import audit
from meetings import rules
from meetings.models import AgendaItem, Decision, Motion
from meetings.rules import MeetingStep, MotionStatus
from meetings.services._common import check_step, lock_meeting
from meetings.services.errors import MeetingError
from meetings.signals import decision_recorded
from members.models import User


@transaction.atomic
def record_decision(
    *,
    actor: User,
    item: AgendaItem,
    text: str,
    motion: Motion | None = None,
    forward_to: str = "",
    outcome: str = "",
) -> Decision:
    """议定事项: how an item ended; a major matter needs a closed vote and is approved only by
    a passed one, a failed vote is "not adopted" (Art. 13); an approved decision may be
    forwarded to the Party Standing Committee or the President's Office (Art. 14). An empty
    ``outcome`` is what the vote says."""
    meeting = lock_meeting(item.meeting_id)
    check_step(MeetingStep.DECIDE, meeting)
    if Decision.objects.filter(item=item).exists():
        raise MeetingError(_("This item has been decided."))
    if motion is not None and (motion.item_id != item.pk or motion.status != MotionStatus.CLOSED):
        raise MeetingError(_("Choose a closed vote of this item."))
    if motion is not None and motion.method == Motion.Method.SECRET and not motion.counted:
        raise MeetingError(_("This secret ballot has not been counted yet."))
    if item.is_major and motion is None:
        raise MeetingError(_("A major matter is decided only by a vote (Art. 13)."))
    if forward_to not in Decision.Forward.values:
        raise MeetingError(_("Unknown body to forward to."))
    if outcome and outcome not in Decision.Outcome.values:
        raise MeetingError(_("Unknown outcome."))
    decided = rules.art13_decision_outcome(
        is_major=item.is_major, motion_passed=motion.passed if motion else None, asked=outcome
    )
    if decided is None:
        raise MeetingError(
            _("The vote did not pass: the decision cannot approve; it is not adopted (Art. 13).")
            if motion is not None
            else _("A major matter is approved only by a passed vote (Art. 13).")
        )
    if forward_to and not rules.art14_may_forward(decided):
        raise MeetingError(_("A matter not adopted is not forwarded (Art. 14)."))
    if not text.strip():
        raise MeetingError(_("Write the decision."))
    decision = Decision.objects.create(
        item=item,
        text=text.strip(),
        motion=motion,
        forward_to=forward_to,
        outcome=decided,
        recorded_by=actor,
    )
    audit.record(
        actor=actor,
        action="decision.recorded",
        obj=decision,
        after={
            "motion": motion.pk if motion else None,
            "passed": motion.passed if motion else None,
            "forward_to": forward_to,
            "outcome": str(decided),
        },
    )
    # Apps above meetings follow the decision up (meetings/signals.py).
    decision_recorded.send(sender=Decision, decision=decision, actor=actor)
    return decision
