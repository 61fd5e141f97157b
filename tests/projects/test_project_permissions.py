"""Every project URL × every role → the expected status; a refused request changes nothing.

The roles are the named people of tests/conftest.py, a superuser (no seat: no project page)
and the liaisons of tests/projects/conftest.py: the Library's (a proposing unit), Finance's,
State Assets' and NETC's (Art. 10). What a person may not see answers 404, a step they may
see but not take 403; anonymous visitors are sent to log in.
"""

from dataclasses import dataclass

import pytest
from django.urls import get_resolver
from django.utils import timezone

from infogov.models import AuditEntry
from meetings import services as meeting_services
from meetings.models import AgendaItem, Meeting, Motion
from meetings.rules import MotionStatus
from projects import services
from projects.models import (
    Acceptance,
    Allocation,
    ApprovalRequest,
    Assignment,
    BudgetLine,
    Milestone,
    Proposal,
    Tender,
)
from projects.rules import ProposalStatus as S
from tests.projects.conftest import draft, seat_expert

ROLES = [
    "anonymous", "outsider", "admin", "member", "deputy", "leader", "expert", "office_clerk",
    "liaison", "finance", "state_assets", "netc",
]  # fmt: skip
NO_ROLE = {"outsider", "admin"}  # no seat with a part in the project cycle: 404
WORK_GROUP = {"deputy", "office_clerk"}  # the Work Group's leader; the Office, its secretariat
OFFICE = {"office_clerk"}
UNITS = {"liaison", "finance", "state_assets", "netc"}
SEES_APPROVED = {"member", "deputy", "leader", "office_clerk", "finance", "state_assets", "netc"}


def grid(path, *, ok: set[str], sees: set[str], ok_status=200):
    """``ok`` get ``ok_status``; the rest of ``sees`` 403; everybody else signed in 404."""
    expected = {"anonymous": (302,)}
    for role in ROLES[1:]:
        expected[role] = (ok_status,) if role in ok else (403,) if role in sees else (404,)
    return expected


EVERY_ROLE = set(ROLES[1:]) - NO_ROLE
DRAFT_SEES = WORK_GROUP | {"liaison"}
APPROVED_SEES = SEES_APPROVED | {"liaison"}

P = "/projects"
GRID = [
    ("projects:index", "get", f"{P}/", grid(f"{P}/", ok=EVERY_ROLE, sees=set())),
    ("projects:call_new", "get", f"{P}/calls/new/",
     grid(f"{P}/calls/new/", ok=WORK_GROUP, sees=EVERY_ROLE)),
    ("projects:call_detail", "get", f"{P}/calls/{{call}}/",
     grid(f"{P}/calls/{{call}}/", ok=EVERY_ROLE, sees=set())),
    ("projects:proposal_new", "get", f"{P}/calls/{{call}}/propose/",
     grid(f"{P}/calls/{{call}}/propose/", ok=UNITS, sees=EVERY_ROLE)),
    ("projects:call_agenda", "post", f"{P}/calls/{{call}}/agenda/",
     grid(f"{P}/calls/{{call}}/agenda/", ok=WORK_GROUP, sees=EVERY_ROLE, ok_status=302)),
    ("projects:overview", "get", f"{P}/calls/{{call}}/overview/",
     grid(f"{P}/calls/{{call}}/overview/", ok=SEES_APPROVED, sees=EVERY_ROLE)),
    ("projects:ledger", "get", f"{P}/calls/{{call}}/ledger.xlsx",
     grid(f"{P}/calls/{{call}}/ledger.xlsx", ok=SEES_APPROVED, sees=EVERY_ROLE)),
    ("projects:approval_notice", "get", f"{P}/calls/{{call}}/approval.pdf",
     grid(f"{P}/calls/{{call}}/approval.pdf", ok=SEES_APPROVED, sees=EVERY_ROLE)),
    ("projects:proposal_detail", "get", f"{P}/proposals/{{draft}}/",
     grid(f"{P}/proposals/{{draft}}/", ok=DRAFT_SEES, sees=set())),
    ("projects:proposal_detail", "get", f"{P}/proposals/{{approved}}/",
     grid(f"{P}/proposals/{{approved}}/", ok=APPROVED_SEES, sees=set())),
    ("projects:proposal_detail", "get", f"{P}/proposals/{{in_review}}/",
     grid(f"{P}/proposals/{{in_review}}/", ok=DRAFT_SEES | {"expert"}, sees=set())),
    ("projects:proposal_edit", "get", f"{P}/proposals/{{draft}}/edit/",
     grid(f"{P}/proposals/{{draft}}/edit/", ok={"liaison"}, sees=DRAFT_SEES)),
    ("projects:budget_line_add", "post", f"{P}/proposals/{{draft}}/budget/",
     grid(f"{P}/proposals/{{draft}}/budget/", ok={"liaison"}, sees=DRAFT_SEES, ok_status=302)),
    ("projects:proposal_submit", "post", f"{P}/proposals/{{draft}}/submit/",
     grid(f"{P}/proposals/{{draft}}/submit/", ok={"liaison"}, sees=DRAFT_SEES, ok_status=302)),
    ("projects:proposal_return", "post", f"{P}/proposals/{{submitted}}/return/",
     grid(f"{P}/proposals/{{submitted}}/return/", ok=OFFICE, sees=DRAFT_SEES, ok_status=302)),
    ("projects:experts_assign", "post", f"{P}/proposals/{{submitted}}/experts/",
     grid(f"{P}/proposals/{{submitted}}/experts/", ok=OFFICE, sees=DRAFT_SEES, ok_status=302)),
    ("projects:review_close", "post", f"{P}/proposals/{{in_review}}/review/close/",
     grid(f"{P}/proposals/{{in_review}}/review/close/", ok=OFFICE,
          sees=DRAFT_SEES | {"expert"}, ok_status=302)),
    ("projects:proposal_recommend", "post", f"{P}/proposals/{{reviewed}}/recommend/",
     grid(f"{P}/proposals/{{reviewed}}/recommend/", ok=WORK_GROUP, sees=DRAFT_SEES,
          ok_status=302)),
    ("projects:proposal_reject", "post", f"{P}/proposals/{{reviewed}}/reject/",
     grid(f"{P}/proposals/{{reviewed}}/reject/", ok=WORK_GROUP, sees=DRAFT_SEES, ok_status=302)),
    ("projects:allocation_add", "post", f"{P}/proposals/{{approved}}/funding/",
     grid(f"{P}/proposals/{{approved}}/funding/", ok={"finance"}, sees=APPROVED_SEES,
          ok_status=302)),
    ("projects:tender_record", "post", f"{P}/proposals/{{approved}}/tender/",
     grid(f"{P}/proposals/{{approved}}/tender/", ok={"state_assets"}, sees=APPROVED_SEES,
          ok_status=302)),
    ("projects:acceptance_record", "post", f"{P}/proposals/{{approved}}/acceptance/",
     grid(f"{P}/proposals/{{approved}}/acceptance/", ok={"state_assets"}, sees=APPROVED_SEES,
          ok_status=302)),
    ("projects:go_live", "post", f"{P}/proposals/{{approved}}/go-live/",
     grid(f"{P}/proposals/{{approved}}/go-live/", ok={"netc"}, sees=APPROVED_SEES,
          ok_status=302)),
    ("projects:milestone_add", "post", f"{P}/proposals/{{approved}}/milestones/",
     grid(f"{P}/proposals/{{approved}}/milestones/", ok={"liaison"}, sees=APPROVED_SEES,
          ok_status=302)),
    ("projects:progress_report", "post", f"{P}/milestones/{{milestone}}/report/",
     grid(f"{P}/milestones/{{milestone}}/report/", ok={"liaison"}, sees=APPROVED_SEES,
          ok_status=302)),
    ("projects:assignment_detail", "get", f"{P}/reviews/{{assignment}}/",
     grid(f"{P}/reviews/{{assignment}}/", ok={"expert"}, sees=set())),
    ("projects:assignment_declare", "post", f"{P}/reviews/{{assignment}}/declare/",
     grid(f"{P}/reviews/{{assignment}}/declare/", ok={"expert"}, sees=set(), ok_status=302)),
    ("projects:assignment_submit", "post", f"{P}/reviews/{{assignment}}/submit/",
     grid(f"{P}/reviews/{{assignment}}/submit/", ok={"expert"}, sees=set(), ok_status=302)),
]  # fmt: skip

TODAY = timezone.localdate().isoformat()
DATA = {
    "projects:call_agenda": {"meeting": "{meeting}"},
    "projects:budget_line_add": {
        "category": "设备", "item": "x", "quantity": "2", "unit_price_fen": "10.00",
    },
    "projects:proposal_return": {"reason": "请补充"},
    "projects:experts_assign": {"experts": ["{e1}", "{e2}", "{e3}"]},
    "projects:proposal_recommend": {"rank": "1", "recommended_fen": "100.00", "reason": "压缩"},
    "projects:proposal_reject": {"reason": "重复建设"},
    "projects:allocation_add": {"amount_fen": "10.00", "allocated_on": TODAY},
    "projects:tender_record": {
        "method": "open", "tendered_on": TODAY, "winner": "某公司", "contract_fen": "10.00",
    },
    "projects:acceptance_record": {"stage": "first", "accepted_on": TODAY, "passed": "on"},
    "projects:go_live": {"live_on": TODAY, "filing_number": "x"},
    "projects:milestone_add": {"title": "上线", "due_on": TODAY},
    "projects:progress_report": {"report": "进行中"},
    "projects:assignment_declare": {"conflict": "0"},
}  # fmt: skip

# What a successful step changes; a step that the state refuses (302 with a message) changes
# nothing, like every 403 and 404.
SUCCESS = {
    "projects:call_agenda": {"statuses", "requests", "agenda", "audit"},
    "projects:budget_line_add": {"lines", "audit"},
    "projects:proposal_submit": {"statuses", "audit"},
    "projects:proposal_return": {"statuses", "audit"},
    "projects:experts_assign": {"statuses", "assignments", "audit"},
    "projects:proposal_recommend": {"statuses", "audit"},
    "projects:proposal_reject": {"statuses", "audit"},
    "projects:allocation_add": {"allocations", "audit"},
    "projects:tender_record": {"tenders", "statuses", "audit"},
    "projects:milestone_add": {"milestones", "audit"},
    "projects:progress_report": {"milestones", "audit"},
    "projects:assignment_declare": {"assignments", "audit"},
}

CASES = [
    pytest.param(name, method, path, role, *expected[role], id=f"{method} {path} {role}")
    for name, method, path, expected in GRID
    for role in ROLES
]


@dataclass(frozen=True)
class World:
    values: dict

    def fill(self, text: str) -> str:
        return text.format(**self.values)


@pytest.fixture
def world(
    roster, call, liaison, finance, state_assets, netc, office_clerk, leader, experts
) -> World:
    drafted = draft(call, liaison, "草稿")
    submitted = draft(call, liaison, "已提交")
    services.submit_proposal(actor=liaison, proposal=submitted)
    in_review = draft(call, liaison, "评审中")
    services.submit_proposal(actor=liaison, proposal=in_review)
    assignment, *_ = services.assign_experts(
        actor=office_clerk, proposal=in_review, experts=experts.eligible
    )
    reviewed = draft(call, liaison, "已评审")
    Proposal.objects.filter(pk=reviewed.pk).update(status=S.REVIEWED)
    recommended = draft(call, liaison, "已推荐")
    Proposal.objects.filter(pk=recommended.pk).update(status=S.RECOMMENDED, recommended_fen=100)
    meeting = meeting_services.draft_meeting(
        actor=office_clerk, body=roster.leading_group, kind=Meeting.Kind.LG_SPECIAL,
        title="专题会", starts_at=timezone.now(), location="会议室",
    )  # fmt: skip
    item = meeting_services.add_agenda_item(actor=office_clerk, meeting=meeting, title="立项")
    motion = Motion.objects.create(item=item, text="同意", status=MotionStatus.CLOSED, passed=True)
    approved = draft(call, liaison, "已批准")
    Proposal.objects.filter(pk=approved.pk).update(
        status=S.APPROVED, approval_motion=motion, approved_fen=300_000_00
    )
    milestone = Milestone.objects.create(proposal=approved, title="招标", due_on=timezone.now())
    return World(
        values={
            "call": call.pk,
            "draft": drafted.pk,
            "submitted": submitted.pk,
            "in_review": in_review.pk,
            "reviewed": reviewed.pk,
            "approved": approved.pk,
            "milestone": milestone.pk,
            "assignment": assignment.pk,
            "meeting": meeting.pk,
            "e1": experts.external.pk,
            "e2": experts.hr.pk,
            "e3": experts.academic.pk,
        }
    )


def snapshot() -> dict:
    return {
        "statuses": sorted(Proposal.objects.values_list("pk", "status")),
        "lines": BudgetLine.objects.count(),
        "assignments": sorted(Assignment.objects.values_list("pk", "state")),
        "allocations": Allocation.objects.count(),
        "tenders": Tender.objects.count(),
        "acceptances": Acceptance.objects.count(),
        "milestones": sorted(Milestone.objects.values_list("pk", "report")),
        "requests": ApprovalRequest.objects.count(),
        "agenda": AgendaItem.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


@pytest.mark.parametrize(("name", "method", "path", "role", "status"), CASES)
def test_project_permission_grid(request, client, world, name, method, path, role, status):
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    url = world.fill(path)
    data = {
        key: [world.fill(v) for v in value] if isinstance(value, list) else world.fill(value)
        for key, value in DATA.get(name, {}).items()
    }
    before = snapshot()

    response = client.post(url, data) if method == "post" else client.get(url)

    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"] == f"/login/?next={url}"
    after = snapshot()
    changed = {key for key in after if after[key] != before[key]}
    if status == 302 and role != "anonymous" and name in SUCCESS:
        assert changed == SUCCESS[name]
    else:
        assert changed == set()


def test_the_grid_covers_every_project_url():
    names = {
        f"projects:{pattern.name}"
        for resolver in get_resolver().url_patterns
        if getattr(resolver, "namespace", None) == "projects"
        for pattern in resolver.url_patterns
    }
    assert names == {name for name, *_ in GRID}


def test_an_expert_assigned_elsewhere_does_not_see_the_assignment(client, roster, world):
    other = seat_expert(roster, "other-expert", "另一位专家", None)
    client.force_login(other)
    assert client.get(world.fill(f"{P}/reviews/{{assignment}}/")).status_code == 404
