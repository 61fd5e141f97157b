"""Pages issue a fixed number of queries, however many people sit in a body."""

import datetime as dt

import pytest

from members.models import Appointment, Role, Seat, Unit, UnitRole, User
from tests.conftest import ROSTER_DAY

# Pinned from the 16-member Leading Group of the annex, once a first view has cached the
# person's permissions (members.permissions). Every page: the session, the person and the
# header's unread notifications. Body page: the body, seats, their holders, former holders,
# duties, children, and for the Office the person choices of its fill form. Dashboard: my
# seats, bodies, the Expert Panel (and its size for who fills its seats: the Office), for
# those who convene or organise the Leading Group's meetings, the Leading Group and this
# academic year's plenaries (R-MEET-4), and the to-do list (meetings.todo): attendance to
# answer, open votes, minutes to sign (the leader) or to write (the Office), upcoming meetings;
# for those who see follow-up items, followup's panel: the overdue count and the pending
# forwardings (Art. 14).
BODY_PAGE_QUERIES = {"leader": 9, "office_clerk": 10}
DASHBOARD_QUERIES = {"leader": 14, "office_clerk": 15}
# Unit page: the unit, its seats and those held as its head, all their appointments, duties,
# people, hosted bodies, the minutes sent to it; for the Office, whether the person keeps the
# Office's seats, and the person choices of its fill form.
UNIT_PAGE_QUERIES = {"member": 10, "office_clerk": 12}


def grow(body, *, seated: int, vacant: int = 0) -> None:
    """Add held seats until ``seated`` people sit in ``body``, and ``vacant`` empty seats."""
    held = seated - Appointment.objects.seated_in(body).count()
    seats = Seat.objects.bulk_create(
        Seat(body=body, role=Role.MEMBER, order=1000 + i) for i in range(held + vacant)
    )
    people = User.objects.bulk_create(
        User(username=f"bulk{i}", full_name=f"成员{i}", password="!") for i in range(held)
    )
    Appointment.objects.bulk_create(
        Appointment(seat=seat, person=person, started_on=ROSTER_DAY)
        for seat, person in zip(seats[:held], people, strict=True)
    )


@pytest.mark.parametrize("who", ["leader", "office_clerk"])
def test_body_page_queries_do_not_grow_with_seated_members(
    request, client, roster, django_assert_num_queries, who
):
    client.force_login(request.getfixturevalue(who))
    expected = BODY_PAGE_QUERIES[who]
    client.get("/bodies/leading-group/")  # caches the permissions

    with django_assert_num_queries(expected):
        small = client.get("/bodies/leading-group/")
    grow(roster.leading_group, seated=500)
    with django_assert_num_queries(expected):
        large = client.get("/bodies/leading-group/")

    assert (small.status_code, small.context["seated_count"]) == (200, 16)
    assert (large.status_code, large.context["seated_count"]) == (200, 500)


def test_body_page_queries_do_not_grow_with_vacant_seats(
    client, roster, office_clerk, django_assert_num_queries
):
    client.force_login(office_clerk)
    client.get("/bodies/leading-group/")  # caches the permissions

    grow(roster.leading_group, seated=16, vacant=1)
    with django_assert_num_queries(BODY_PAGE_QUERIES["office_clerk"]):
        one = client.get("/bodies/leading-group/")
    grow(roster.leading_group, seated=16, vacant=29)
    with django_assert_num_queries(BODY_PAGE_QUERIES["office_clerk"]):
        thirty = client.get("/bodies/leading-group/")

    # Each vacant seat has its fill form, with a person select.
    assert one.content.decode().count('<select name="person"') == 1
    assert thirty.content.decode().count('<select name="person"') == 30


@pytest.mark.parametrize("who", ["leader", "office_clerk"])
def test_dashboard_queries_do_not_grow_with_seated_members(
    request, client, roster, django_assert_num_queries, who
):
    client.force_login(request.getfixturevalue(who))
    client.get("/")  # caches the permissions

    with django_assert_num_queries(DASHBOARD_QUERIES[who]):
        small = client.get("/")
    grow(roster.leading_group, seated=500)
    with django_assert_num_queries(DASHBOARD_QUERIES[who]):
        large = client.get("/")

    assert (small.status_code, large.status_code) == (200, 200)


def grow_unit(unit: Unit, *, liaisons: int, former: int) -> None:
    """Add ``liaisons`` held liaison seats, each with ``former`` holders before, and one vacant."""
    seats = Seat.objects.bulk_create(
        Seat(unit=unit, role=UnitRole.LIAISON, order=100 + i) for i in range(liaisons + 1)
    )
    people = User.objects.bulk_create(
        User(username=f"{unit.code}-{i}", full_name=f"联络员{i}", password="!")
        for i in range(liaisons * (former + 1))
    )
    Appointment.objects.bulk_create(
        Appointment(
            seat=seat,
            person=people[i * (former + 1) + j],
            started_on=ROSTER_DAY + dt.timedelta(days=j),
            ended_on=ROSTER_DAY + dt.timedelta(days=j + 1) if j < former else None,
        )
        for i, seat in enumerate(seats[:liaisons])
        for j in range(former + 1)
    )


@pytest.mark.parametrize("who", ["member", "office_clerk"])
def test_unit_page_queries_do_not_grow_with_seats_or_history(
    request, client, roster, django_assert_num_queries, who
):
    client.force_login(request.getfixturevalue(who))
    netc = Unit.objects.get(code="netc")
    expected = UNIT_PAGE_QUERIES[who]
    client.get("/units/netc/")  # caches the permissions

    with django_assert_num_queries(expected):
        small = client.get("/units/netc/")
    grow_unit(netc, liaisons=30, former=3)
    with django_assert_num_queries(expected):
        large = client.get("/units/netc/")

    assert (small.status_code, len(small.context["unit_seats"])) == (200, 1)
    assert (large.status_code, len(large.context["unit_seats"])) == (200, 32)
    assert len(large.context["past"]) == 50  # the latest 50 of 90 former holders
    forms = large.content.decode().count('<select name="person"')
    assert forms == (1 if who == "office_clerk" else 0)
