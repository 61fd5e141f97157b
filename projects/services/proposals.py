"""Proposals (申报, Art. 8 (3)): a unit drafts a proposal while the call is open, edits it and
its budget lines (amounts computed exactly, in fen), submits it (within the top-up window's
cap when it comes late), and the Office's screening (初审) may return it with a reason.
"""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from infogov import audit
from members.models import Unit, User
from projects import permissions, rules
from projects.models import BudgetLine, Call, Proposal
from projects.rules import ProposalStatus, Step
from projects.services._common import ProjectError, _check, _jsonable, _lock, _move, _reason
from projects.services.calls import _closed_message, _window

PROPOSAL_FIELDS = (
    "title",
    "category",
    "need",
    "objectives",
    "content",
    "schedule",
    "security_level",
    "funding_source",
    "attachment",
)


@transaction.atomic
def create_proposal(
    *, actor: User, call: Call, unit: Unit, day: dt.date | None = None, **fields: Any
) -> Proposal:
    """申报: a unit's head or liaison drafts a proposal for their own unit while the call is
    open."""
    if unit.pk not in permissions.who(actor).units:
        raise ProjectError(_("You propose for your own unit only (Art. 10)."))
    day = day or timezone.localdate()
    in_topup = _window(call, day)
    if in_topup is None:
        raise ProjectError(_closed_message(call))
    unknown = set(fields) - set(PROPOSAL_FIELDS)
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    proposal = Proposal.objects.create(
        call=call, unit=unit, in_topup=in_topup, created_by=actor, **fields
    )
    audit.record(
        actor=actor,
        action="projects.proposal_drafted",
        obj=proposal,
        after={"unit": unit.code, "title": proposal.title},
    )
    return proposal


@transaction.atomic
def update_proposal(*, actor: User, proposal: Proposal, **fields: Any) -> Proposal:
    """Change a draft (or a returned proposal); a submitted one is locked."""
    unknown = set(fields) - set(PROPOSAL_FIELDS)
    if unknown:  # the status, the amounts and the motion are never a proposal's own fields
        raise ValueError(f"unknown fields {unknown}")
    proposal = _lock(proposal)
    _check(Step.EDIT, proposal, actor)
    for name, value in fields.items():
        setattr(proposal, name, value)
    proposal.save(update_fields=list(fields))
    audit.record(
        actor=actor,
        action="projects.proposal_edited",
        obj=proposal,
        after={k: _jsonable(v) for k, v in fields.items() if k != "attachment"},
    )
    return proposal


@transaction.atomic
def add_budget_line(
    *, actor: User, proposal: Proposal, category: str, item: str, quantity: int, unit_price_fen: int
) -> BudgetLine:
    """A budget line; its amount is computed, exactly (Art. 8 (3) 经费预算)."""
    proposal = _lock(proposal)
    _check(Step.EDIT, proposal, actor)
    try:
        amount = rules.art8_line_amount(quantity=quantity, unit_price_fen=unit_price_fen)
    except ValueError:
        raise ProjectError(_("A budget line needs a quantity of at least 1 and a price.")) from None
    line = BudgetLine.objects.create(
        proposal=proposal,
        category=category,
        item=item,
        quantity=quantity,
        unit_price_fen=unit_price_fen,
        amount_fen=amount,
    )
    audit.record(
        actor=actor,
        action="projects.budget_line_added",
        obj=proposal,
        after={"item": item, "quantity": quantity, "unit_price_fen": unit_price_fen},
    )
    return line


@transaction.atomic
def remove_budget_line(*, actor: User, line: BudgetLine) -> None:
    proposal = _lock(line.proposal)
    _check(Step.EDIT, proposal, actor)
    audit.record(
        actor=actor, action="projects.budget_line_removed", obj=proposal, before={"item": line.item}
    )
    line.delete()


def requested_fen(proposal: Proposal) -> int:
    """The proposal's total in fen: the sum of its lines."""
    return proposal.budget_lines.aggregate(total=Sum("amount_fen", default=0))["total"]


@transaction.atomic
def submit_proposal(*, actor: User, proposal: Proposal, day: dt.date | None = None) -> Proposal:
    """Submit (or resubmit after a return): the proposal is locked from here on."""
    proposal = _lock(proposal)
    after = _check(Step.SUBMIT, proposal, actor)
    total = requested_fen(proposal)
    if total == 0:
        raise ProjectError(_("Add the budget lines first."))
    day = day or timezone.localdate()
    if proposal.status == ProposalStatus.DRAFT:
        window = _window(proposal.call, day)
        if window is None:
            raise ProjectError(_closed_message(proposal.call))
        if window:
            already = (
                Proposal.objects.filter(call=proposal.call, in_topup=True)
                .exclude(status__in=[ProposalStatus.DRAFT])
                .exclude(pk=proposal.pk)
                .aggregate(total=Sum("budget_lines__amount_fen", default=0))["total"]
            )
            if not rules.art8_within_topup_cap(
                requested_fen=total, already_fen=already, cap_fen=proposal.call.topup_cap_fen
            ):
                raise ProjectError(_("The top-up window's cap would be exceeded."))
            proposal.in_topup = True
    _move(
        proposal,
        after,
        actor,
        "projects.proposal_submitted",
        submitted_at=timezone.now(),
        in_topup=proposal.in_topup,
    )
    return proposal


@transaction.atomic
def return_proposal(*, actor: User, proposal: Proposal, reason: str) -> Proposal:
    """初审: the Office returns a submitted proposal for changes, with the reason."""
    proposal = _lock(proposal)
    after = _check(Step.RETURN, proposal, actor)
    _move(proposal, after, actor, "projects.proposal_returned", returned_reason=_reason(reason))
    return proposal
