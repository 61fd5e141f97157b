"""Every change of state in the project cycle. Keyword-only, atomic, audited.

Each service checks its step against the state table (projects.rules.ALLOWED_STEPS) and that
the actor is the one the regulation names for it (projects.rules.WHO, from seats through
projects.permissions), so that no path around the views can take a step. No service
approves: a proposal is approved only by apply_motion_result, from the counted motion of the
agenda item it was put on (Art. 7 (3)), which meetings announces (meetings.signals).
"""

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from infogov import audit
from infogov.steps import StepRefused
from meetings import services as meeting_services
from meetings.models import Meeting, Motion
from meetings.rules import MotionStatus
from members.models import Body, Unit, User
from projects import permissions, rules
from projects.models import (
    Acceptance,
    Allocation,
    ApprovalRequest,
    Assignment,
    BudgetLine,
    Call,
    Milestone,
    Proposal,
    RequestLine,
    Tender,
)
from projects.rules import Actor, ProposalStatus, Step

logger = logging.getLogger(__name__)


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


# --- The call (Art. 8 (3)) ----------------------------------------------------------------------


@transaction.atomic
def open_call(
    *,
    actor: User,
    year: int,
    title: str,
    opens_on: dt.date,
    closes_on: dt.date,
    envelope_fen: int,
    guidelines: str = "",
    topup_opens_on: dt.date | None = None,
    topup_closes_on: dt.date | None = None,
    topup_cap_fen: int | None = None,
) -> Call:
    """征集: the Work Group opens the call for ``year``."""
    if not permissions.can_open_call(actor):
        raise ProjectError(_("Only the Work Group calls for projects (Art. 8 (3))."))
    if closes_on < opens_on:
        raise ProjectError(_("The call closes before it opens."))
    if (topup_opens_on is None) != (topup_closes_on is None) or (
        topup_opens_on is not None
        and (
            topup_cap_fen is None or topup_opens_on <= closes_on or topup_closes_on < topup_opens_on
        )
    ):
        raise ProjectError(
            _("A top-up window opens after the call closes, ends after it opens and has a cap.")
        )
    if Call.objects.filter(year=year).exists():
        raise ProjectError(_("There is already a call for %(year)s.") % {"year": year})
    call = Call.objects.create(
        year=year,
        title=title,
        guidelines=guidelines,
        opens_on=opens_on,
        closes_on=closes_on,
        envelope_fen=envelope_fen,
        topup_opens_on=topup_opens_on,
        topup_closes_on=topup_closes_on,
        topup_cap_fen=topup_cap_fen,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="projects.call_opened",
        obj=call,
        after={"year": year, "envelope_fen": envelope_fen},
    )
    return call


def _window(call: Call, day: dt.date) -> bool | None:
    """False in the main window, True in the top-up window, None when closed."""
    if rules.art8_call_is_open(opens_on=call.opens_on, closes_on=call.closes_on, day=day):
        return False
    if call.topup_opens_on and rules.art8_call_is_open(
        opens_on=call.topup_opens_on, closes_on=call.topup_closes_on, day=day
    ):
        return True
    return None


def _closed_message(call: Call) -> str:
    dates = {
        "opens": date_format(call.opens_on),
        "closes": date_format(call.closes_on),
    }
    if call.topup_opens_on:
        return _(
            "The call accepts proposals from %(opens)s to %(closes)s, and in its top-up window "
            "from %(topup_opens)s to %(topup_closes)s."
        ) % {
            **dates,
            "topup_opens": date_format(call.topup_opens_on),
            "topup_closes": date_format(call.topup_closes_on),
        }
    return _("The call accepts proposals from %(opens)s to %(closes)s.") % dates


# --- Proposals ----------------------------------------------------------------------------------

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


# --- Expert review (Art. 11) --------------------------------------------------------------------


def seated_experts() -> list[User]:
    """The experts seated in the Expert Panel today, who may be assigned."""
    panel = Body.objects.get(kind=Body.Kind.EXPERT_PANEL)
    from members.models import Appointment

    return [
        appointment.person
        for appointment in Appointment.objects.seated_in(panel)
        .filter(person__is_active=True)
        .select_related("person", "person__unit")
    ]


@transaction.atomic
def assign_experts(*, actor: User, proposal: Proposal, experts: Iterable[User]) -> list[Assignment]:
    """The Office assigns several experts at once; never one of the proposing unit (回避), and
    the proposal ends with at least three who have not withdrawn."""
    proposal = _lock(proposal)
    after = _check(Step.ASSIGN_EXPERTS, proposal, actor)
    seated = {person.pk: person for person in seated_experts()}
    taken = set(proposal.assignments.values_list("expert_id", flat=True))
    created = []
    for expert in experts:
        if expert.pk not in seated:
            raise ProjectError(_("%(name)s is not a seated expert.") % {"name": expert})
        expert = seated[expert.pk]
        if not rules.art11_may_review(
            expert_unit_id=expert.unit_id, proposal_unit_id=proposal.unit_id
        ):
            raise ProjectError(
                _("%(name)s is of the proposing unit and may not review it (Art. 11, 回避).")
                % {"name": expert}
            )
        if expert.pk in taken:
            raise ProjectError(_("%(name)s is already assigned.") % {"name": expert})
        taken.add(expert.pk)
        created.append(
            Assignment.objects.create(
                proposal=proposal,
                expert=expert,
                expert_unit_id=expert.unit_id,
                proposal_unit_id=proposal.unit_id,
                assigned_by=actor,
            )
        )
    active = proposal.assignments.exclude(state=Assignment.State.WITHDRAWN).count()
    if active < rules.ART11_MIN_EXPERTS:
        raise ProjectError(
            _("Assign at least %(n)s experts (Art. 11).") % {"n": rules.ART11_MIN_EXPERTS}
        )
    _move(proposal, after, actor, "projects.experts_assigned")
    audit.record(
        actor=actor,
        action="projects.experts_assigned",
        obj=proposal,
        after={"experts": [a.expert_id for a in created]},
    )
    return created


def _lock_assignment(assignment: Assignment, actor: User) -> Assignment:
    assignment = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("proposal")
        .get(pk=assignment.pk)
    )
    if assignment.expert_id != actor.pk:
        raise ProjectError(_("This is another expert's assignment."))
    if assignment.proposal.status != ProposalStatus.IN_REVIEW:
        raise ProjectError(_("The review of this proposal is closed."))
    return assignment


@transaction.atomic
def declare_interest(
    *, actor: User, assignment: Assignment, conflict: bool, note: str = ""
) -> Assignment:
    """Before the sheet opens the expert declares: no conflict opens it; a conflict withdraws
    them (Art. 11, 回避)."""
    assignment = _lock_assignment(assignment, actor)
    if assignment.state != Assignment.State.ASSIGNED:
        raise ProjectError(_("You have already declared."))
    assignment.state = Assignment.State.WITHDRAWN if conflict else Assignment.State.OPEN
    assignment.conflict_note = _reason(note) if conflict else ""
    assignment.declared_at = timezone.now()
    assignment.save(update_fields=["state", "conflict_note", "declared_at"])
    audit.record(
        actor=actor,
        action="projects.conflict_declared" if conflict else "projects.no_conflict_declared",
        obj=assignment,
        after={"state": assignment.state},
    )
    return assignment


@transaction.atomic
def submit_sheet(*, actor: User, assignment: Assignment, opinion: str, **scores: int) -> Assignment:
    """The scoring sheet: weighted integer scores and an opinion; locked once submitted."""
    assignment = _lock_assignment(assignment, actor)
    if assignment.state != Assignment.State.OPEN:
        raise ProjectError(_("The sheet opens after you declare no conflict of interest."))
    try:
        total = rules.art11_sheet_total(scores)
    except (KeyError, ValueError, TypeError):
        raise ProjectError(
            _("Score every criterion from 0 to %(max)s.") % {"max": rules.SCORE_MAX}
        ) from None
    for name, _weight in rules.CRITERIA:
        setattr(assignment, name, scores[name])
    assignment.total, assignment.opinion = total, _reason(opinion)
    assignment.state, assignment.submitted_at = Assignment.State.SUBMITTED, timezone.now()
    assignment.save()
    audit.record(
        actor=actor, action="projects.sheet_submitted", obj=assignment, after={"total": total}
    )
    return assignment


def review_summary(proposal: Proposal) -> rules.ReviewSummary:
    totals = proposal.assignments.filter(state=Assignment.State.SUBMITTED).values_list(
        "total", flat=True
    )
    return rules.ReviewSummary(totals=tuple(totals))


@transaction.atomic
def close_review(*, actor: User, proposal: Proposal) -> Proposal:
    """The Office closes the review: three sheets at least, none outstanding."""
    proposal = _lock(proposal)
    after = _check(Step.CLOSE_REVIEW, proposal, actor)
    states = list(proposal.assignments.values_list("state", flat=True))
    submitted = states.count(Assignment.State.SUBMITTED)
    pending = sum(s in (Assignment.State.ASSIGNED, Assignment.State.OPEN) for s in states)
    if not rules.art11_review_may_close(submitted=submitted, pending=pending):
        raise ProjectError(
            _("A review closes with at least %(n)s sheets submitted and none outstanding.")
            % {"n": rules.ART11_MIN_EXPERTS}
        )
    summary = review_summary(proposal)
    _move(proposal, after, actor, "projects.review_closed")
    audit.record(
        actor=actor,
        action="projects.review_score",
        obj=proposal,
        after={"score": str(summary.score), "high_spread": summary.high_spread},
    )
    return proposal


# --- Recommendation (Art. 8 (3)) ----------------------------------------------------------------

_COUNTED = (
    ProposalStatus.RECOMMENDED,
    ProposalStatus.ON_AGENDA,
    *sorted(rules.APPROVED_STATUSES),
)


@transaction.atomic
def recommend(
    *, actor: User, proposal: Proposal, rank: int, recommended_fen: int, reason: str = ""
) -> Proposal:
    """立项建议: the Work Group ranks the proposal and recommends an amount within the envelope;
    a cut needs a reason."""
    proposal = _lock(proposal)
    after = _check(Step.RECOMMEND, proposal, actor)
    Call.objects.select_for_update().get(pk=proposal.call_id)  # one recommendation at a time
    if not rules.art8_cut_needs_reason(
        requested_fen=requested_fen(proposal), recommended_fen=recommended_fen, reason=reason
    ):
        raise ProjectError(_("Recommend at most the amount requested; give a reason for any cut."))
    others = (
        Proposal.objects.filter(call=proposal.call, status__in=_COUNTED)
        .exclude(pk=proposal.pk)
        .values_list("recommended_fen", flat=True)
    )
    if not rules.art8_within_envelope(
        recommended_fen=[*(x or 0 for x in others), recommended_fen],
        envelope_fen=proposal.call.envelope_fen,
    ):
        raise ProjectError(_("The recommended amounts would exceed the call's envelope."))
    _move(
        proposal,
        after,
        actor,
        "projects.recommended",
        rank=rank,
        recommended_fen=recommended_fen,
        recommendation_reason=reason.strip(),
    )
    return proposal


@transaction.atomic
def reject(*, actor: User, proposal: Proposal, reason: str) -> Proposal:
    """The Work Group does not recommend the proposal, and says why."""
    proposal = _lock(proposal)
    after = _check(Step.REJECT, proposal, actor)
    _move(proposal, after, actor, "projects.rejected", recommendation_reason=_reason(reason))
    return proposal


@transaction.atomic
def put_on_agenda(*, actor: User, call: Call, meeting: Meeting) -> ApprovalRequest:
    """The recommended proposals of ``call`` go to a Leading Group meeting as one major agenda
    item (Art. 7 (3)); its motion will decide exactly these, at these amounts."""
    if meeting.body.kind != Body.Kind.LEADING_GROUP:
        raise ProjectError(_("Projects are approved by the Leading Group (Art. 7 (3))."))
    proposals = list(
        Proposal.objects.select_for_update(of=("self",))
        .filter(call=call, status=ProposalStatus.RECOMMENDED)
        .select_related("unit")
        .order_by("rank", "id")
    )
    if not proposals:
        raise ProjectError(_("No recommended proposal waits for the Leading Group."))
    for proposal in proposals:
        _check(Step.PUT_ON_AGENDA, proposal, actor)
    total = sum(p.recommended_fen for p in proposals)
    item = meeting_services.add_agenda_item(
        actor=actor,
        meeting=meeting,
        title=_("%(year)s informatization projects and budgets") % {"year": call.year},
        description="\n".join(
            f"{p.rank}. {p.unit} · {p.title} · {yuan(p.recommended_fen)}" for p in proposals
        )
        + "\n"
        + _("Total: %(total)s") % {"total": yuan(total)},
        is_major=True,
    )
    request = ApprovalRequest.objects.create(call=call, item=item, created_by=actor)
    RequestLine.objects.bulk_create(
        RequestLine(request=request, proposal=p, amount_fen=p.recommended_fen) for p in proposals
    )
    for proposal in proposals:
        _move(proposal, ProposalStatus.ON_AGENDA, actor, "projects.put_on_agenda")
    return request


def yuan(fen: int | None) -> str:
    """¥1,234.56 from 123456 fen, exactly."""
    if fen is None:
        return "—"
    return f"¥{fen // 100:,}.{fen % 100:02d}"


# --- Approval by the Leading Group's vote (Art. 7 (3)) ------------------------------------------


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
