"""Approval by the Leading Group's vote (Art. 7 (3)): when meetings announces a counted motion
(meetings.signals.motion_counted), the proposals listed on its agenda item take the result,
approved at the listed amounts or not approved. apply_motion_result is the one path to
APPROVED; on_motion_counted is the receiver projects.apps connects.
"""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from meetings.models import Motion
from meetings.rules import MotionStatus
from projects import rules
from projects.models import ApprovalRequest, Proposal
from projects.rules import ProposalStatus
from projects.services._common import ProjectError, _lock, _move


@transaction.atomic
def apply_motion_result(*, motion: Motion, actor: Any = None) -> list[Proposal]:
    """The proposals listed on ``motion``'s agenda item take its counted result: approved at
    the listed amounts when it passed, not approved when it failed. The one path to APPROVED."""
    motion = Motion.objects.select_for_update(of=("self",)).get(pk=motion.pk)
    request = (
        ApprovalRequest.objects.select_for_update(of=("self",))
        .filter(item_id=motion.item_id)
        .first()
    )
    if request is None:
        return []
    outcome = rules.art7_outcome(
        motion_closed=motion.status == MotionStatus.CLOSED, motion_passed=motion.passed
    )
    if outcome is None:
        raise ProjectError(_("Only a counted vote decides the projects (Art. 7 (3))."))
    if request.decided_at is not None:
        raise ProjectError(_("The Leading Group has already decided these projects."))
    changed = []
    for line in request.lines.select_related("proposal"):
        proposal = _lock(line.proposal)
        if proposal.status != ProposalStatus.ON_AGENDA:
            raise ProjectError(_("A listed proposal is no longer before the Leading Group."))
        extra: dict[str, Any] = {}
        if outcome == ProposalStatus.APPROVED:
            extra = {"approved_fen": line.amount_fen, "approval_motion": motion}
        _move(proposal, outcome, actor, f"projects.{outcome}", **extra)
        changed.append(proposal)
    request.decided_at = timezone.now()
    request.save(update_fields=["decided_at"])
    return changed


def on_motion_counted(sender: Any, *, motion: Motion, actor: Any = None, **kwargs: Any) -> None:
    """meetings.signals.motion_counted: hand the count to apply_motion_result."""
    apply_motion_result(motion=motion, actor=actor)
