"""Fixtures of the project cycle: unit liaisons (a proposing unit, Finance, State Assets,
NETC), four seated experts (one of them of the proposing unit), a call open today, and helpers
that take a proposal along the cycle through the services."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from meetings import services as meeting_services
from meetings.models import Meeting, Motion
from members import services as member_services
from members.models import Role, Unit, UnitRole, User
from projects import services
from projects.models import Call, Proposal
from tests.conftest import ROSTER_DAY
from tests.factories import UserFactory

LIBRARY = "library"


def seat_liaison(unit_code: str, username: str, full_name: str) -> User:
    unit = Unit.objects.get(code=unit_code)
    person = UserFactory(username=username, full_name=full_name, unit=unit)
    seat = member_services.add_seat(actor=None, unit=unit, role=UnitRole.LIAISON)
    member_services.fill_seat(actor=None, seat=seat, person=person, started_on=ROSTER_DAY)
    return person


def seat_expert(roster, username: str, full_name: str, unit: Unit | None) -> User:
    person = UserFactory(username=username, full_name=full_name, unit=unit)
    seat = member_services.add_seat(actor=None, body=roster.expert_panel, role=Role.EXPERT)
    member_services.fill_seat(actor=None, seat=seat, person=person, started_on=ROSTER_DAY)
    return person


@pytest.fixture
def liaison(roster) -> User:
    """The Library's liaison: proposes for the Library."""
    return seat_liaison(LIBRARY, "library-liaison", "图书馆联络员")


@pytest.fixture
def finance(roster) -> User:
    return seat_liaison("finance", "finance-liaison", "计财处联络员")


@pytest.fixture
def state_assets(roster) -> User:
    return seat_liaison("state-assets", "assets-liaison", "国资处联络员")


@pytest.fixture
def netc(roster) -> User:
    return seat_liaison("netc", "netc-liaison", "网教中心联络员")


@dataclass(frozen=True)
class Experts:
    external: User  # no unit
    hr: User  # of Human Resources
    academic: User  # of Academic Affairs
    librarian: User  # of the Library: never reviews the Library's proposals

    @property
    def eligible(self) -> list[User]:
        return [self.external, self.hr, self.academic]


@pytest.fixture
def experts(roster, expert) -> Experts:
    return Experts(
        external=expert,
        hr=seat_expert(roster, "expert-hr", "人事处专家", Unit.objects.get(code="human-resources")),
        academic=seat_expert(
            roster, "expert-academic", "教务处专家", Unit.objects.get(code="academic-affairs")
        ),
        librarian=seat_expert(roster, "expert-lib", "图书馆专家", Unit.objects.get(code=LIBRARY)),
    )


@pytest.fixture
def call(office_clerk) -> Call:
    """This year's call, open from a week ago to three weeks ahead; ¥1,000,000 envelope."""
    today = timezone.localdate()
    return services.open_call(
        actor=office_clerk,
        year=today.year,
        title=f"{today.year}年度信息化项目征集",
        opens_on=today - dt.timedelta(days=7),
        closes_on=today + dt.timedelta(days=21),
        envelope_fen=1_000_000_00,
        topup_opens_on=today + dt.timedelta(days=30),
        topup_closes_on=today + dt.timedelta(days=40),
        topup_cap_fen=100_000_00,
    )


def draft(call: Call, liaison: User, title: str = "图书馆智慧服务平台", lines=((2, 150_000_00),)):
    proposal = services.create_proposal(
        actor=liaison,
        call=call,
        unit=Unit.objects.get(code=LIBRARY),
        title=title,
        category="application",
        need="读者服务需要",
        security_level=2,
    )
    for quantity, price in lines:
        services.add_budget_line(
            actor=liaison,
            proposal=proposal,
            category="设备",
            item="服务器",
            quantity=quantity,
            unit_price_fen=price,
        )
    return proposal


SHEET = {"necessity": 8, "feasibility": 8, "technical": 7, "budget": 8, "results": 9}  # 79


def reviewed(call, liaison, clerk, experts: Experts, title="图书馆智慧服务平台") -> Proposal:
    proposal = draft(call, liaison, title)
    services.submit_proposal(actor=liaison, proposal=proposal)
    assignments = services.assign_experts(actor=clerk, proposal=proposal, experts=experts.eligible)
    for assignment in assignments:
        services.declare_interest(actor=assignment.expert, assignment=assignment, conflict=False)
        services.submit_sheet(
            actor=assignment.expert, assignment=assignment, opinion="可行", **SHEET
        )
    return services.close_review(actor=clerk, proposal=proposal)


def lg_meeting_in_session(roster, clerk: User, leader: User) -> Meeting:
    meeting = meeting_services.draft_meeting(
        actor=clerk,
        body=roster.leading_group,
        kind=Meeting.Kind.LG_SPECIAL,
        title="信息化项目专题会",
        starts_at=timezone.now() + dt.timedelta(days=1),
        location="行政楼第三会议室",
    )
    # Art. 12: a meeting is convened with an agenda; the projects' item joins it later.
    meeting_services.add_agenda_item(actor=clerk, meeting=meeting, title="通报信息化工作进展")
    meeting = meeting_services.convene_meeting(actor=leader, meeting=meeting)
    for member in meeting.expected_members.all():
        meeting_services.check_in(actor=clerk, member=member, by_office=True)
    return meeting_services.open_meeting(actor=clerk, meeting=meeting)


def vote(meeting: Meeting, item, leader: User, *, yes: bool) -> Motion:
    """The chair puts, opens and closes a named vote on ``item``; everybody votes ``yes``."""
    motion = meeting_services.create_motion(actor=leader, item=item, text="同意立项建议")
    meeting_services.open_vote(actor=leader, motion=motion)
    voters = sorted(
        (m.person for m in meeting.expected_members.select_related("person")),
        key=lambda p: p.pk == leader.pk,
    )
    for voter in voters:
        meeting_services.cast_vote(voter=voter, motion=motion, choice="yes" if yes else "no")
    motion = meeting_services.close_vote(actor=leader, motion=motion)
    return motion


@pytest.fixture
def recommended(call, liaison, office_clerk, experts) -> Proposal:
    proposal = reviewed(call, liaison, office_clerk, experts)
    return services.recommend(
        actor=office_clerk, proposal=proposal, rank=1, recommended_fen=280_000_00, reason="压缩硬件"
    )


@pytest.fixture
def lg_meeting(roster, office_clerk, leader) -> Meeting:
    return lg_meeting_in_session(roster, office_clerk, leader)


@pytest.fixture
def approved(recommended, call, lg_meeting, office_clerk, leader) -> Proposal:
    """Recommended at ¥280,000 and approved by the Leading Group's unanimous named vote."""
    request = services.put_on_agenda(actor=office_clerk, call=call, meeting=lg_meeting)
    vote(lg_meeting, request.item, leader, yes=True)
    recommended.refresh_from_db()
    return recommended
