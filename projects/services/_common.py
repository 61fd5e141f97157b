"""What the project services share: the error they raise, locking a proposal, checking a step
against the state table and the actor, moving a proposal on with its audit entry, the reason a
step needs, and amounts in yuan. Each service module imports these; none of them is a step of
its own.
"""

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from infogov import audit
from infogov.steps import StepRefused
from members.models import User
from projects import permissions, rules
from projects.models import Proposal
from projects.rules import Actor, ProposalStatus, Step


class ProjectError(StepRefused):
    """A step of the project cycle that is not allowed; the message is for users."""


def _lock(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",)).select_related("call").get(pk=proposal.pk)
    )


def _check(step: Step, proposal: Proposal, actor: User | None) -> ProposalStatus:
    """Refuse ``step`` unless the status allows it and ``actor`` is the one for it; return the
    status it leads to."""
    owner = rules.WHO[step]
    if owner == Actor.VOTE:
        raise ProjectError(_("Only the Leading Group's vote approves a project (Art. 7 (3))."))
    if actor is None or owner not in permissions.who(actor).actors(proposal):
        raise ProjectError(_("This step is not yours to take (Art. 10)."))
    if not rules.may(step, proposal.status):
        raise ProjectError(
            _("Not possible while the proposal is “%(status)s”.")
            % {"status": proposal.get_status_display()}
        )
    return rules.next_status(step, proposal.status)


def _move(proposal: Proposal, status: ProposalStatus, actor: Any, action: str, **extra) -> None:
    before = {"status": proposal.status}
    proposal.status = status
    fields = ["status", *extra]
    for name, value in extra.items():
        setattr(proposal, name, value)
    proposal.save(update_fields=fields)
    audit.record(
        actor=actor,
        action=action,
        obj=proposal,
        before=before,
        after={"status": status, **{k: _jsonable(v) for k, v in extra.items()}},
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value if isinstance(value, str | int | bool | None) else str(value)


def _reason(text: str) -> str:
    if not text.strip():
        raise ProjectError(_("Give a reason."))
    return text.strip()


def yuan(fen: int | None) -> str:
    """¥1,234.56 from 123456 fen, exactly."""
    if fen is None:
        return "—"
    return f"¥{fen // 100:,}.{fen % 100:02d}"
