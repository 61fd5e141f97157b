"""Fixtures of the follow-up tests: the lead unit's liaison and head, another unit's liaison,
a decision to follow up, and items taken to each state through the services."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from followup import services
from followup.models import Item
from followup.rules import ItemStatus, Source
from meetings import services as meeting_services
from meetings.models import AgendaItem, Decision, Meeting
from members import services as member_services
from members.models import Unit, UnitRole, User
from tests.conftest import ROSTER_DAY
from tests.factories import UserFactory


def _seat(unit: Unit, role: str, username: str, full_name: str, email: str = "") -> User:
    person = UserFactory(username=username, full_name=full_name, unit=unit, email=email)
    seat = unit.seats.filter(role=UnitRole.HEAD).first() if role == UnitRole.HEAD else None
    seat = seat or member_services.add_seat(actor=None, unit=unit, role=role)
    member_services.fill_seat(actor=None, seat=seat, person=person, started_on=ROSTER_DAY)
    return person


@pytest.fixture
def finance(roster) -> Unit:
    return Unit.objects.get(code="finance")


@pytest.fixture
def liaison(finance) -> User:
    """Finance's liaison: acknowledges and reports for Finance (Art. 10)."""
    return _seat(finance, UnitRole.LIAISON, "liaison", "计财处联络员", "liaison@example.edu")


@pytest.fixture
def finance_head(finance) -> User:
    return _seat(finance, UnitRole.HEAD, "finance-head", "计财处处长", "head@example.edu")


@pytest.fixture
def other_liaison(roster) -> User:
    """The Library's liaison: sees nothing of Finance's items."""
    return _seat(Unit.objects.get(code="library"), UnitRole.LIAISON, "lib-liaison", "图书馆联络员")


@pytest.fixture
def wg_deputy(roster) -> User:
    """马博虎, a deputy leader of the Work Group (and head of the Party & President's Office)."""
    return User.objects.get(full_name="马博虎")


@pytest.fixture
def decision(roster, office_clerk) -> Decision:
    """A decision of a Leading Group meeting (written directly: the meeting's steps are the
    meetings tests' concern)."""
    meeting = meeting_services.draft_meeting(
        actor=office_clerk,
        body=roster.leading_group,
        kind=Meeting.Kind.LG_SPECIAL,
        title="专题会",
        starts_at=timezone.now(),
        location="行政楼",
    )
    item = AgendaItem.objects.create(meeting=meeting, order=1, title="智慧校园建设方案")
    return Decision.objects.create(item=item, text="同意智慧校园建设方案，由计财处落实经费。")


DUE_IN = dt.timedelta(days=30)


@pytest.fixture
def make_item(decision, finance, liaison) -> Callable[..., Item]:
    """Return ``make_item(status, **fields)``: an item of Finance from the decision, taken to
    ``status`` through the services (the Office's steps by the system, the unit's by the
    liaison)."""

    def make(status: str = ItemStatus.DRAFT, **fields) -> Item:
        values = {
            "title": "落实智慧校园经费",
            "lead_unit": finance,
            "responsible": liaison,
            "due_date": timezone.localdate() + DUE_IN,
            "source": Source.DECISION,
            "decision": decision,
        } | fields
        item = services.create_item(actor=None, **values)
        path = {
            ItemStatus.DRAFT: [],
            ItemStatus.ASSIGNED: ["assign"],
            ItemStatus.ACKNOWLEDGED: ["assign", "ack"],
            ItemStatus.IN_PROGRESS: ["assign", "ack", "report"],
            ItemStatus.COMPLETION_REQUESTED: ["assign", "ack", "report", "complete"],
            ItemStatus.CLOSED: ["assign", "ack", "report", "complete", "close"],
            ItemStatus.RETURNED: ["assign", "ack", "report", "complete", "return"],
            ItemStatus.CANCELLED: ["cancel"],
        }[status]
        for step in path:
            if step == "assign":
                services.assign_item(actor=None, item=item)
            elif step == "ack":
                services.acknowledge_item(actor=liaison, item=item)
            elif step == "report":
                services.report_progress(actor=liaison, item=item, text="经费已申报", percent=40)
            elif step == "complete":
                services.request_completion(actor=liaison, item=item, text="经费已到位")
            elif step == "close":
                services.close_item(actor=None, item=item)
            elif step == "return":
                services.return_item(actor=None, item=item, reason="缺少支出凭证")
            elif step == "cancel":
                services.cancel_item(actor=None, item=item, reason="方案调整")
        item.refresh_from_db()
        assert item.status == status
        return item

    return make
