"""Delivery of an approved project (Art. 10, R-DUTY-1): Finance's allocations up to the
approved amount, State Assets' tender and first and final acceptance, NETC's go-live with the
等保 filing, the unit's milestones and progress reports, and the daily opening of a follow-up
item (督办) for each overdue milestone.
"""

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from infogov import audit
from members.models import User
from projects import rules
from projects.models import Acceptance, Allocation, Milestone, Proposal, Tender
from projects.rules import ProposalStatus, Step
from projects.services._common import ProjectError, _check, _lock, _move, _reason, yuan

logger = logging.getLogger(__name__)


# --- Funding, tender, acceptance, go-live (Art. 10, R-DUTY-1) -----------------------------------


@transaction.atomic
def record_allocation(
    *, actor: User, proposal: Proposal, amount_fen: int, allocated_on: dt.date, note: str = ""
) -> Allocation:
    """Finance allocates funds, never more in all than approved (Art. 10 (3))."""
    proposal = _lock(proposal)
    _check(Step.FUND, proposal, actor)
    allocated = proposal.allocations.aggregate(total=Sum("amount_fen", default=0))["total"]
    if not rules.art10_funding_within_budget(
        allocated_fen=allocated, new_fen=amount_fen, approved_fen=proposal.approved_fen
    ):
        raise ProjectError(
            _("Allocations may not exceed the approved %(amount)s.")
            % {"amount": yuan(proposal.approved_fen)}
        )
    allocation = Allocation.objects.create(
        proposal=proposal,
        amount_fen=amount_fen,
        allocated_on=allocated_on,
        note=note,
        recorded_by=actor,
    )
    audit.record(
        actor=actor, action="projects.funded", obj=proposal, after={"amount_fen": amount_fen}
    )
    return allocation


@transaction.atomic
def record_tender(
    *,
    actor: User,
    proposal: Proposal,
    method: str,
    tendered_on: dt.date,
    winner: str,
    contract_fen: int,
) -> Tender:
    """State Assets records the tender; the contract is no more than the approved budget."""
    proposal = _lock(proposal)
    after = _check(Step.TENDER, proposal, actor)
    if not rules.art10_contract_within_budget(
        contract_fen=contract_fen, approved_fen=proposal.approved_fen
    ):
        raise ProjectError(
            _("The contract amount must be more than 0 and at most the approved %(amount)s.")
            % {"amount": yuan(proposal.approved_fen)}
        )
    if method not in rules.TenderMethod.values:
        raise ProjectError(_("Unknown tender method."))
    tender = Tender.objects.create(
        proposal=proposal,
        method=method,
        tendered_on=tendered_on,
        winner=winner,
        contract_fen=contract_fen,
        recorded_by=actor,
    )
    _move(proposal, after, actor, "projects.tendered")
    return tender


@transaction.atomic
def record_acceptance(
    *,
    actor: User,
    proposal: Proposal,
    stage: str,
    accepted_on: dt.date,
    passed: bool,
    report: Any = None,
    note: str = "",
) -> Acceptance:
    """初验 / 终验 by State Assets; a failed one is kept, and the project waits for another."""
    proposal = _lock(proposal)
    step = Step.FIRST_ACCEPTANCE if stage == Acceptance.Stage.FIRST else Step.FINAL_ACCEPTANCE
    after = _check(step, proposal, actor)
    acceptance = Acceptance.objects.create(
        proposal=proposal,
        stage=stage,
        accepted_on=accepted_on,
        passed=passed,
        report=report or "",
        note=note,
        recorded_by=actor,
    )
    if passed:
        _move(proposal, after, actor, f"projects.{step}")
    else:
        audit.record(actor=actor, action=f"projects.{step}_failed", obj=proposal)
    return acceptance


@transaction.atomic
def record_go_live(
    *, actor: User, proposal: Proposal, live_on: dt.date, filing_number: str = ""
) -> Proposal:
    """NETC records go-live, after a passed first acceptance, with the 等保 filing from level 2."""
    proposal = _lock(proposal)
    after = _check(Step.GO_LIVE, proposal, actor)
    if rules.art10_needs_filing(proposal.security_level) and not filing_number.strip():
        raise ProjectError(
            _("A system of 等保 level %(level)s goes live only with its filing number.")
            % {"level": proposal.security_level}
        )
    _move(
        proposal,
        after,
        actor,
        "projects.live",
        live_on=live_on,
        filing_number=filing_number.strip(),
    )
    return proposal


# --- Progress and overdue milestones ------------------------------------------------------------


@transaction.atomic
def add_milestone(*, actor: User, proposal: Proposal, title: str, due_on: dt.date) -> Milestone:
    proposal = _lock(proposal)
    _check(Step.REPORT_PROGRESS, proposal, actor)
    milestone = Milestone.objects.create(proposal=proposal, title=title, due_on=due_on)
    audit.record(
        actor=actor,
        action="projects.milestone_added",
        obj=proposal,
        after={"title": title, "due_on": due_on.isoformat()},
    )
    return milestone


@transaction.atomic
def report_progress(
    *, actor: User, milestone: Milestone, report: str, done_on: dt.date | None = None
) -> Milestone:
    """The unit reports against a milestone, and marks it done when it is."""
    proposal = _lock(milestone.proposal)
    _check(Step.REPORT_PROGRESS, proposal, actor)
    milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
    milestone.report, milestone.done_on = _reason(report), done_on
    milestone.save(update_fields=["report", "done_on"])
    audit.record(
        actor=actor,
        action="projects.progress_reported",
        obj=proposal,
        after={"milestone": milestone.pk, "done_on": done_on and done_on.isoformat()},
    )
    return milestone


def open_overdue_followups(*, day: dt.date | None = None, base_url: str = "") -> list[Milestone]:
    """Open a follow-up item (督办) for each overdue milestone that has none yet, through the
    hook ``settings.INFOGOV_OPEN_FOLLOWUP`` (a dotted path; followup.hooks.open_item by
    default). Idempotent: a milestone opens its item once. Without the hook (unset, or its app
    absent) it logs and opens nothing."""
    day = day or timezone.localdate()
    path = getattr(settings, "INFOGOV_OPEN_FOLLOWUP", "")
    if not path:
        return []
    try:
        open_item = import_string(path)
    except ImportError:
        logger.warning("INFOGOV_OPEN_FOLLOWUP=%s cannot be imported: no follow-up opened", path)
        return []
    opened = []
    candidates = Milestone.objects.filter(
        done_on__isnull=True,
        due_on__lt=day,
        followup_opened_at__isnull=True,
        proposal__status__in=sorted(rules.APPROVED_STATUSES - {ProposalStatus.COMPLETED}),
    ).values_list("pk", flat=True)
    for pk in candidates:
        with transaction.atomic():
            milestone = (
                Milestone.objects.select_for_update(of=("self",))
                .select_related("proposal__unit")
                .get(pk=pk)
            )
            if milestone.followup_opened_at is not None or not rules.art10_milestone_overdue(
                due_on=milestone.due_on, done_on=milestone.done_on, day=day
            ):
                continue
            proposal = milestone.proposal
            open_item(
                unit=proposal.unit,
                title=_("Overdue milestone: %(project)s · %(milestone)s")
                % {"project": proposal.title, "milestone": milestone.title},
                due_date=day + dt.timedelta(days=7),
                source_label=_("Project %(title)s") % {"title": proposal.title},
                source_url=base_url + proposal.get_absolute_url(),
                responsible=None,
            )
            milestone.followup_opened_at = timezone.now()
            milestone.save(update_fields=["followup_opened_at"])
            audit.record(
                actor=None,
                action="projects.milestone_overdue",
                obj=proposal,
                after={"milestone": milestone.pk, "due_on": milestone.due_on.isoformat()},
            )
            opened.append(milestone)
    return opened
