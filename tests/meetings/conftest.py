"""Fixtures of the meetings tests: meetings in each state, on the top-level conftest's roster."""

import datetime as dt
from collections.abc import Callable

import pytest
from django.utils import timezone

from meetings import services
from meetings.models import ExpectedMember, Meeting
from tests.conftest import ROSTER_DAY
from tests.factories import PASSWORD
from tests.meetings.minutes_helpers import first_item

# The roster, the named people (leader, deputy, member, office_clerk, outsider, admin) and
# the fast password hasher come from the project's top-level conftest.
__all__ = ["PASSWORD", "ROSTER_DAY"]


def meeting_time(days: int = 14, hour: int = 9, minute: int = 30) -> dt.datetime:
    """An aware local time ``days`` from today."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


@pytest.fixture
def starts_at() -> dt.datetime:
    return meeting_time()


@pytest.fixture
def bare_draft(roster, office_clerk, starts_at) -> Meeting:
    """A Leading Group plenary drafted by the Office, with no agenda yet."""
    return services.draft_meeting(
        actor=office_clerk,
        body=roster.leading_group,
        kind=Meeting.Kind.LG_PLENARY,
        title="2026年度全体会议",
        starts_at=starts_at,
        location="行政楼第一会议室",
    )


@pytest.fixture
def draft(bare_draft, office_clerk) -> Meeting:
    """The plenary with its first agenda item (Art. 12: no meeting convenes without one)."""
    first_item(bare_draft, clerk=office_clerk)
    return bare_draft


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


@pytest.fixture
def session(convened, office_clerk, check_in_first) -> Meeting:
    """The plenary in session with 15 of 16 present: all but 杨家荣 (the last seat)."""
    check_in_first(convened, 15)
    return services.open_meeting(actor=office_clerk, meeting=convened)
