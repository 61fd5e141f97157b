"""The project cycle's services: each step, its refusals, and that a refusal changes nothing."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from infogov.models import AuditEntry
from projects import services
from projects.models import Acceptance, Assignment, BudgetLine, Proposal
from projects.rules import ProposalStatus as S
from projects.services import ProjectError
from tests.projects.conftest import SHEET, draft, reviewed

pytestmark = pytest.mark.usefixtures("english")


def test_a_liaison_drafts_for_their_own_unit_and_the_budget_is_exact(call, liaison):
    proposal = draft(call, liaison, lines=((3, 33_333), (1, 1)))

    assert proposal.status == S.DRAFT
    assert list(proposal.budget_lines.values_list("amount_fen", flat=True)) == [99_999, 1]
    assert services.requested_fen(proposal) == 100_000


def test_a_budget_line_whose_amount_is_not_quantity_times_price_is_refused_by_the_database(
    call, liaison
):
    proposal = draft(call, liaison)
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetLine.objects.create(
            proposal=proposal, category="x", item="y", quantity=2, unit_price_fen=5, amount_fen=11
        )


def test_nobody_proposes_for_another_unit(call, finance):
    with pytest.raises(ProjectError, match="your own unit"):
        draft(call, finance)


def test_a_late_proposal_is_refused_with_the_dates(call, liaison):
    late = call.closes_on + dt.timedelta(days=1)
    with pytest.raises(ProjectError, match=r"from .* to .*top-up window"):
        services.create_proposal(
            actor=liaison, call=call, unit=liaison.unit, title="迟交", category="other", day=late
        )


def test_the_top_up_window_has_its_own_cap(call, liaison):
    day = call.topup_opens_on
    proposal = services.create_proposal(
        actor=liaison, call=call, unit=liaison.unit, title="补充", category="data", day=day
    )
    services.add_budget_line(
        actor=liaison, proposal=proposal, category="软件", item="x", quantity=1,
        unit_price_fen=100_000_01,
    )  # fmt: skip
    assert proposal.in_topup is True

    with pytest.raises(ProjectError, match="cap"):
        services.submit_proposal(actor=liaison, proposal=proposal, day=day)
    assert Proposal.objects.get(pk=proposal.pk).status == S.DRAFT


def test_a_submitted_proposal_is_locked_and_the_office_returns_it_with_a_reason(
    call, liaison, office_clerk
):
    proposal = draft(call, liaison)
    services.submit_proposal(actor=liaison, proposal=proposal)

    with pytest.raises(ProjectError, match="Submitted"):
        services.update_proposal(actor=liaison, proposal=proposal, title="改")
    with pytest.raises(ProjectError, match="reason"):
        services.return_proposal(actor=office_clerk, proposal=proposal, reason=" ")
    with pytest.raises(ProjectError, match="not yours"):
        services.return_proposal(actor=liaison, proposal=proposal, reason="自己退回")

    services.return_proposal(actor=office_clerk, proposal=proposal, reason="预算不细")
    services.update_proposal(actor=liaison, proposal=proposal, title="改后")
    services.submit_proposal(actor=liaison, proposal=proposal)
    proposal.refresh_from_db()
    assert (proposal.status, proposal.title, proposal.returned_reason) == (
        S.SUBMITTED,
        "改后",
        "预算不细",
    )


def test_an_expert_of_the_proposing_unit_is_never_assigned(call, liaison, office_clerk, experts):
    proposal = draft(call, liaison)
    services.submit_proposal(actor=liaison, proposal=proposal)
    before = AuditEntry.objects.count()

    with pytest.raises(ProjectError, match="proposing unit"):
        services.assign_experts(
            actor=office_clerk, proposal=proposal, experts=[*experts.eligible, experts.librarian]
        )

    assert Assignment.objects.count() == 0
    assert AuditEntry.objects.count() == before


def test_the_database_refuses_a_same_unit_assignment(call, liaison, experts):
    proposal = draft(call, liaison)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assignment.objects.create(
            proposal=proposal,
            expert=experts.librarian,
            expert_unit=experts.librarian.unit,
            proposal_unit=proposal.unit,
        )


def test_at_least_three_experts(call, liaison, office_clerk, experts):
    proposal = draft(call, liaison)
    services.submit_proposal(actor=liaison, proposal=proposal)
    with pytest.raises(ProjectError, match="at least 3"):
        services.assign_experts(actor=office_clerk, proposal=proposal, experts=experts.eligible[:2])


def test_a_declared_conflict_withdraws_the_expert_and_the_sheet_opens_only_after_declaring(
    call, liaison, office_clerk, experts
):
    proposal = draft(call, liaison)
    services.submit_proposal(actor=liaison, proposal=proposal)
    first, second, third = services.assign_experts(
        actor=office_clerk, proposal=proposal, experts=experts.eligible
    )

    with pytest.raises(ProjectError, match="after you declare"):
        services.submit_sheet(actor=first.expert, assignment=first, opinion="好", **SHEET)
    with pytest.raises(ProjectError, match="another expert"):
        services.declare_interest(actor=second.expert, assignment=first, conflict=False)
    services.declare_interest(actor=first.expert, assignment=first, conflict=True, note="亲属")
    first.refresh_from_db()
    assert first.state == Assignment.State.WITHDRAWN
    with pytest.raises(ProjectError, match="after you declare"):
        services.submit_sheet(actor=first.expert, assignment=first, opinion="好", **SHEET)

    # Two sheets are not enough to close: the Office assigns a replacement.
    for a in (second, third):
        services.declare_interest(actor=a.expert, assignment=a, conflict=False)
        services.submit_sheet(actor=a.expert, assignment=a, opinion="好", **SHEET)
    with pytest.raises(ProjectError, match="at least 3"):
        services.close_review(actor=office_clerk, proposal=proposal)


def test_a_submitted_sheet_locks_and_the_review_aggregates(call, liaison, office_clerk, experts):
    proposal = reviewed(call, liaison, office_clerk, experts)
    sheet = proposal.assignments.first()

    with pytest.raises(ProjectError, match="closed"):
        services.submit_sheet(actor=sheet.expert, assignment=sheet, opinion="再改", **SHEET)
    summary = services.review_summary(proposal)
    assert summary.totals == (79, 79, 79)
    assert summary.score == 79
    assert summary.high_spread is False
    assert proposal.status == S.REVIEWED


def test_a_cut_needs_a_reason_and_the_envelope_holds(call, liaison, office_clerk, experts):
    first = reviewed(call, liaison, office_clerk, experts, "一")
    second = reviewed(call, liaison, office_clerk, experts, "二")
    type(call).objects.filter(pk=call.pk).update(envelope_fen=500_000_00)

    with pytest.raises(ProjectError, match="reason"):
        services.recommend(actor=office_clerk, proposal=first, rank=1, recommended_fen=1)
    with pytest.raises(ProjectError, match="at most the amount requested"):
        services.recommend(
            actor=office_clerk, proposal=first, rank=1, recommended_fen=300_000_01, reason="多给"
        )
    services.recommend(actor=office_clerk, proposal=first, rank=1, recommended_fen=300_000_00)
    with pytest.raises(ProjectError, match="envelope"):
        services.recommend(
            actor=office_clerk, proposal=second, rank=2, recommended_fen=200_000_01, reason="压缩"
        )
    services.recommend(
        actor=office_clerk, proposal=second, rank=2, recommended_fen=200_000_00, reason="压缩"
    )
    second.refresh_from_db()
    assert (second.status, second.recommended_fen) == (S.RECOMMENDED, 200_000_00)


def test_a_rejection_needs_reasons(call, liaison, office_clerk, experts):
    proposal = reviewed(call, liaison, office_clerk, experts)
    with pytest.raises(ProjectError, match="reason"):
        services.reject(actor=office_clerk, proposal=proposal, reason="")
    services.reject(actor=office_clerk, proposal=proposal, reason="与已有系统重复")
    proposal.refresh_from_db()
    assert proposal.status == S.REJECTED


def test_overdue_milestones_open_one_follow_up_each_through_the_hook(settings, approved, liaison):
    opened = []
    settings.INFOGOV_OPEN_FOLLOWUP = "tests.projects.test_services.fake_open_item"
    fake_open_item.calls = opened
    today = timezone.localdate()
    late = services.add_milestone(
        actor=liaison, proposal=approved, title="完成招标", due_on=today - dt.timedelta(days=1)
    )
    services.add_milestone(actor=liaison, proposal=approved, title="上线", due_on=today)

    assert services.open_overdue_followups(day=today) == [late]
    assert services.open_overdue_followups(day=today) == []  # idempotent

    assert len(opened) == 1
    assert opened[0]["unit"] == approved.unit
    assert opened[0]["due_date"] == today + dt.timedelta(days=7)
    assert opened[0]["source_url"] == approved.get_absolute_url()
    assert opened[0]["responsible"] is None


def test_without_followup_the_check_logs_and_opens_nothing(settings, approved, liaison, caplog):
    settings.INFOGOV_OPEN_FOLLOWUP = "followup_absent.hooks.open_item"
    services.add_milestone(
        actor=liaison, proposal=approved, title="完成招标", due_on=dt.date(2000, 1, 1)
    )
    assert services.open_overdue_followups() == []
    assert "cannot be imported" in caplog.text


def fake_open_item(**kwargs):
    fake_open_item.calls.append(kwargs)


fake_open_item.calls = []


def test_funding_tender_acceptance_and_go_live_by_the_units_art_10_names(
    approved, finance, state_assets, netc, liaison
):
    today = timezone.localdate()
    budget = approved.approved_fen

    with pytest.raises(ProjectError, match="not yours"):
        services.record_allocation(
            actor=state_assets, proposal=approved, amount_fen=1, allocated_on=today
        )
    with pytest.raises(ProjectError, match="exceed"):
        services.record_allocation(
            actor=finance, proposal=approved, amount_fen=budget + 1, allocated_on=today
        )
    services.record_allocation(
        actor=finance, proposal=approved, amount_fen=budget, allocated_on=today
    )

    with pytest.raises(ProjectError, match="not yours"):
        services.record_tender(
            actor=finance, proposal=approved, method="open", tendered_on=today,
            winner="某公司", contract_fen=budget,
        )  # fmt: skip
    with pytest.raises(ProjectError, match="at most the approved"):
        services.record_tender(
            actor=state_assets, proposal=approved, method="open", tendered_on=today,
            winner="某公司", contract_fen=budget + 1,
        )  # fmt: skip
    with pytest.raises(ProjectError, match="Not possible"):
        services.record_go_live(actor=netc, proposal=approved, live_on=today, filing_number="x")
    services.record_tender(
        actor=state_assets, proposal=approved, method="open", tendered_on=today,
        winner="某公司", contract_fen=budget - 1,
    )  # fmt: skip
    # No go-live without a passed first acceptance.
    with pytest.raises(ProjectError, match="Not possible"):
        services.record_go_live(actor=netc, proposal=approved, live_on=today, filing_number="x")
    services.record_acceptance(
        actor=state_assets, proposal=approved, stage=Acceptance.Stage.FIRST,
        accepted_on=today, passed=False,
    )  # fmt: skip
    with pytest.raises(ProjectError, match="Not possible"):
        services.record_go_live(actor=netc, proposal=approved, live_on=today, filing_number="x")
    services.record_acceptance(
        actor=state_assets, proposal=approved, stage=Acceptance.Stage.FIRST,
        accepted_on=today, passed=True,
    )  # fmt: skip
    with pytest.raises(ProjectError, match="filing"):
        services.record_go_live(actor=netc, proposal=approved, live_on=today)
    with pytest.raises(ProjectError, match="not yours"):
        services.record_go_live(actor=liaison, proposal=approved, live_on=today, filing_number="x")
    services.record_go_live(
        actor=netc, proposal=approved, live_on=today, filing_number="61010099999-00001"
    )
    services.record_acceptance(
        actor=state_assets, proposal=approved, stage=Acceptance.Stage.FINAL,
        accepted_on=today, passed=True,
    )  # fmt: skip

    approved.refresh_from_db()
    assert approved.status == S.COMPLETED
    assert approved.tender.contract_fen == budget - 1
