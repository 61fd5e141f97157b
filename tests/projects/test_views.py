"""The project pages through the browser's requests: the cycle step by step, the messages of
refusals, and query counts that do not grow with the number of proposals."""

import datetime as dt
import io
import zipfile

import pytest
from django.utils import timezone

from projects import services
from projects.models import Assignment, BudgetLine, Proposal
from projects.rules import ProposalStatus as S
from tests.projects.conftest import draft, vote

pytestmark = pytest.mark.usefixtures("english_pages")


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_cycle_through_the_pages(
    client, call, liaison, office_clerk, experts, leader, lg_meeting, finance, state_assets
):
    client.force_login(liaison)
    response = client.post(
        f"/projects/calls/{call.pk}/propose/",
        {"title": "图书馆座位系统", "category": "application", "security_level": "2"},
    )
    proposal = Proposal.objects.get(title="图书馆座位系统")
    assert response["Location"] == proposal.get_absolute_url()
    client.post(
        f"/projects/proposals/{proposal.pk}/budget/",
        {"category": "设备", "item": "闸机", "quantity": "3", "unit_price_fen": "1234.56"},
    )
    assert BudgetLine.objects.get(proposal=proposal).amount_fen == 3 * 123456
    response = client.post(f"/projects/proposals/{proposal.pk}/submit/", follow=True)
    assert messages_of(response)[-1] == "The proposal is submitted and locked."

    client.force_login(office_clerk)
    page = client.get(proposal.get_absolute_url())
    assert experts.librarian not in page.context["experts_form"].fields["experts"].queryset
    client.post(
        f"/projects/proposals/{proposal.pk}/experts/",
        {"experts": [e.pk for e in experts.eligible]},
    )
    assert Assignment.objects.filter(proposal=proposal).count() == 3

    for assignment in Assignment.objects.filter(proposal=proposal):
        client.force_login(assignment.expert)
        assert client.get(assignment.get_absolute_url()).status_code == 200
        client.post(f"/projects/reviews/{assignment.pk}/declare/", {"conflict": "0"})
        response = client.post(
            f"/projects/reviews/{assignment.pk}/submit/",
            {"necessity": 9, "feasibility": 8, "technical": 8, "budget": 7, "results": 8,
             "opinion": "同意"},
            follow=True,
        )  # fmt: skip
        assert messages_of(response)[-1] == "Your scoring sheet is submitted."

    client.force_login(office_clerk)
    client.post(f"/projects/proposals/{proposal.pk}/review/close/")
    response = client.post(
        f"/projects/proposals/{proposal.pk}/recommend/",
        {"rank": "1", "recommended_fen": "3000.00", "reason": "压缩"},
    )
    client.post(f"/projects/calls/{call.pk}/agenda/", {"meeting": lg_meeting.pk})
    proposal.refresh_from_db()
    assert (proposal.status, proposal.recommended_fen) == (S.ON_AGENDA, 300000)

    vote(lg_meeting, proposal.request_line.request.item, leader, yes=True)

    client.force_login(finance)
    today = timezone.localdate().isoformat()
    client.post(
        f"/projects/proposals/{proposal.pk}/funding/", {"amount_fen": "3000", "allocated_on": today}
    )
    client.force_login(state_assets)
    client.post(
        f"/projects/proposals/{proposal.pk}/tender/",
        {"method": "open", "tendered_on": today, "winner": "某公司", "contract_fen": "2999.99"},
    )
    client.post(
        f"/projects/proposals/{proposal.pk}/acceptance/",
        {"stage": "first", "accepted_on": today, "passed": "on"},
    )
    proposal.refresh_from_db()
    assert proposal.status == S.FIRST_ACCEPTED
    assert proposal.allocations.get().amount_fen == 300000
    assert proposal.tender.contract_fen == 299999


def test_a_refused_step_is_a_message_and_changes_nothing(client, call, liaison):
    proposal = draft(call, liaison, lines=())
    client.force_login(liaison)

    response = client.post(f"/projects/proposals/{proposal.pk}/submit/", follow=True)

    assert messages_of(response) == ["Add the budget lines first."]
    assert Proposal.objects.get(pk=proposal.pk).status == S.DRAFT


def test_bad_money_is_a_message(client, call, liaison):
    proposal = draft(call, liaison, lines=())
    client.force_login(liaison)
    response = client.post(
        f"/projects/proposals/{proposal.pk}/budget/",
        {"category": "设备", "item": "x", "quantity": "1", "unit_price_fen": "1.234"},
        follow=True,
    )
    assert response.status_code == 200
    assert "unit price" in messages_of(response)[0]
    assert proposal.budget_lines.count() == 0


def test_an_expert_sees_no_other_scores_until_the_review_closes(
    client, call, liaison, office_clerk, experts
):
    proposal = draft(call, liaison)
    services.submit_proposal(actor=liaison, proposal=proposal)
    first, second, _third = services.assign_experts(
        actor=office_clerk, proposal=proposal, experts=experts.eligible
    )
    services.declare_interest(actor=first.expert, assignment=first, conflict=False)
    services.submit_sheet(
        actor=first.expert, assignment=first, opinion="第一位专家的意见",
        necessity=1, feasibility=1, technical=1, budget=1, results=1,
    )  # fmt: skip
    client.force_login(second.expert)

    assert client.get(f"/projects/reviews/{first.pk}/").status_code == 404
    page = client.get(proposal.get_absolute_url()).content.decode()
    assert "第一位专家的意见" not in page
    page = client.get(f"/projects/reviews/{second.pk}/").content.decode()
    assert "第一位专家的意见" not in page
    rows = client.get(f"/projects/calls/{call.pk}/").context["proposals"]
    assert [(p.pk, p.summary.score) for p in rows] == [(proposal.pk, None)]
    client.force_login(office_clerk)
    rows = client.get(f"/projects/calls/{call.pk}/").context["proposals"]
    assert [(p.pk, p.summary.score) for p in rows] == [(proposal.pk, 10)]


def _many(call, liaison, n):
    base = draft(call, liaison)
    proposals = Proposal.objects.bulk_create(
        Proposal(call=call, unit=base.unit, title=f"项目{i}", category="data", status=S.SUBMITTED)
        for i in range(n - 1)
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(
            proposal=p, category="c", item="i", quantity=1, unit_price_fen=100, amount_fen=100
        )
        for p in proposals
    )


def _count_queries(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("page", ["calls/{pk}/", "calls/{pk}/ledger.xlsx", "calls/{pk}/overview/"])
def test_query_counts_equal_for_20_and_2000_proposals(client, call, liaison, office_clerk, page):
    client.force_login(office_clerk)
    path = "/projects/" + page.format(pk=call.pk)
    _many(call, liaison, 20)
    client.get(path)  # the session and the cached permissions are read once
    few = _count_queries(client, path)
    _many(call, liaison, 2000 - 20)
    assert Proposal.objects.filter(call=call).count() == 2000
    many = _count_queries(client, path)
    assert few == many


def test_the_ledger_is_an_xlsx_with_a_row_per_proposal(client, approved, office_clerk):
    client.force_login(office_clerk)
    response = client.get(f"/projects/calls/{approved.call_id}/ledger.xlsx")
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert sheet.count("<row ") == 2
    assert "280000.00" in sheet
    assert "300000.00" in sheet


def test_the_approval_notice_is_a_pdf(client, approved, office_clerk):
    client.force_login(office_clerk)
    response = client.get(f"/projects/calls/{approved.call_id}/approval.pdf")
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_the_overview_adds_up(client, approved, office_clerk, finance):
    services.record_allocation(
        actor=finance, proposal=approved, amount_fen=100_000_00, allocated_on=dt.date.today()
    )
    client.force_login(office_clerk)
    figures = client.get(f"/projects/calls/{approved.call_id}/overview/").context["figures"]
    total = figures.total
    assert (total.submitted, total.recommended, total.approved, total.funded) == (
        300_000_00,
        280_000_00,
        280_000_00,
        100_000_00,
    )
    assert figures.by_unit["Library"].approved == 280_000_00


def test_the_dashboard_shows_an_experts_waiting_reviews(
    client, call, liaison, office_clerk, experts
):
    proposal = draft(call, liaison)
    services.submit_proposal(actor=liaison, proposal=proposal)
    services.assign_experts(actor=office_clerk, proposal=proposal, experts=experts.eligible)
    client.force_login(experts.external)
    page = client.get("/").content.decode()
    assert "1 proposal waits for your review." in page
