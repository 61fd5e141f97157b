"""Expert review (Art. 11): the Office assigns at least three seated experts at once, never
one of the proposing unit (回避); each expert declares a conflict of interest (which withdraws
them) or none (which opens the scoring sheet), submits weighted scores and an opinion, and the
Office closes the review once enough sheets are in and none is outstanding.
"""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from infogov import audit
from members.models import Body, User
from projects import rules
from projects.models import Assignment, Proposal
from projects.rules import ProposalStatus, Step
from projects.services._common import ProjectError, _check, _lock, _move, _reason


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
