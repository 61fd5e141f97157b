"""Fixtures of the meetings tests: the annex roster, named people, and meetings in each state.

The named people mirror those of the project's top-level conftest (same names, same people),
so these tests read the same with or without it.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone, translation

from meetings import services
from meetings.models import ExpectedMember, Meeting
from members import services as roster_services
from members.models import Body, Role, Unit, User

# The annex is in force from the start of the 2024—2025 academic year, so that meetings
# (a fortnight from today) fall well inside it.
ROSTER_DAY = dt.date(2024, 9, 1)
PASSWORD = "test-password"


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def english():
    """Activate English, so that messages of services can be matched exactly."""
    with translation.override("en"):
        yield


@dataclass(frozen=True)
class Bodies:
    leading_group: Body
    work_group: Body
    office: Body
    expert_panel: Body


@pytest.fixture
def roster(db) -> Bodies:
    """The annex of the regulation, loaded by the service a fresh install runs (R-ORG-3)."""
    roster_services.load_roster(on=ROSTER_DAY)
    by_kind = {body.kind: body for body in Body.objects.all()}
    return Bodies(
        leading_group=by_kind[Body.Kind.LEADING_GROUP],
        work_group=by_kind[Body.Kind.WORK_GROUP],
        office=by_kind[Body.Kind.OFFICE],
        expert_panel=by_kind[Body.Kind.EXPERT_PANEL],
    )


def _with_password(person: User) -> User:
    person.set_password(PASSWORD)
    person.save(update_fields=["password"])
    return person


@pytest.fixture
def leader(roster) -> User:
    """孙其信, leader of the Leading Group (Art. 3)."""
    return _with_password(User.objects.get(username="sunqixin"))


@pytest.fixture
def deputy(roster) -> User:
    """赵曼, deputy leader of the Leading Group and leader of the Work Group (Art. 3-4)."""
    return _with_password(User.objects.get(username="zhaoman"))


@pytest.fixture
def member(roster) -> User:
    """阎祖书, a plain member of the Leading Group (and of the Work Group)."""
    return _with_password(User.objects.get(username="yanzushu"))


@pytest.fixture
def office_clerk(roster) -> User:
    """A new person seated as Office staff: organises meetings, never votes (Art. 9)."""
    clerk = User(username="clerk", full_name="办公室秘书", unit=Unit.objects.get(code="netc"))
    clerk.set_password(PASSWORD)
    clerk.save()
    seat = roster_services.add_seat(actor=None, body=roster.office, role=Role.OFFICE_STAFF)
    roster_services.fill_seat(actor=None, seat=seat, person=clerk, started_on=ROSTER_DAY)
    return clerk


@pytest.fixture
def outsider(db) -> User:
    """A signed-in person of the university who holds no seat."""
    person = User(username="outsider", full_name="访客")
    person.set_password(PASSWORD)
    person.save()
    return person


def meeting_time(days: int = 14, hour: int = 9, minute: int = 30) -> dt.datetime:
    """An aware local time ``days`` from today."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def starts_at() -> dt.datetime:
    return meeting_time()


@pytest.fixture
def draft(roster, office_clerk, starts_at) -> Meeting:
    """A Leading Group plenary drafted by the Office."""
    return services.draft_meeting(
        actor=office_clerk,
        body=roster.leading_group,
        kind=Meeting.Kind.LG_PLENARY,
        title="2026年度全体会议",
        starts_at=starts_at,
        location="行政楼第一会议室",
    )


@pytest.fixture
def convened(draft, leader) -> Meeting:
    """The plenary, convened by the leader: 16 expected members."""
    return services.convene_meeting(actor=leader, meeting=draft)


@pytest.fixture
def check_in_first(office_clerk) -> Callable[[Meeting, int], list[ExpectedMember]]:
    """Return a helper: the Office checks in the first ``n`` expected members, in seat order."""

    def check_in_first(meeting: Meeting, n: int) -> list[ExpectedMember]:
        members = list(meeting.expected_members.select_related("person").order_by("order")[:n])
        assert len(members) == n
        for expected in members:
            services.check_in(actor=office_clerk, member=expected, by_office=True)
        return members

    return check_in_first


@pytest.fixture
def in_session(convened, office_clerk, check_in_first) -> Meeting:
    """The plenary opened by the Office with all 16 expected members checked in."""
    check_in_first(convened, 16)
    return services.open_meeting(actor=office_clerk, meeting=convened)
