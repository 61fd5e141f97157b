"""A unit's page: its seats and their holders, kept by the Office (Art. 9)."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.contrib.messages import get_messages

from members import services
from members.models import (
    Appointment,
    BodyUserObjectPermission,
    Seat,
    Unit,
    UnitRole,
    UnitUserObjectPermission,
    User,
)
from tests.conftest import ROSTER_DAY
from tests.factories import PASSWORD, UserFactory

FINANCE_URL = "/units/finance/"


def in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def unit_seat_rows(response) -> list[tuple[str, str]]:
    """(role, holder or "vacant") of each row of the unit's seats table."""
    section = response.text.split('id="seats"')[1].split("</section>")[0]
    return re.findall(
        r'<tr class="seat" data-role="(\w+)">.*?<td class="holder">(?:<a [^>]+>)?'
        r'(?:<span class="muted">)?([^<]+)<',
        section,
        flags=re.S,
    )


def state() -> tuple:
    return (
        sorted(Seat.objects.values_list("id", "body_id", "unit_id", "role")),
        sorted(Appointment.objects.values_list("id", "seat_id", "person_id", "ended_on")),
        BodyUserObjectPermission.objects.count(),
        UnitUserObjectPermission.objects.count(),
    )


@pytest.fixture
def finance(roster) -> Unit:
    return Unit.objects.get(code="finance")


@pytest.fixture
def liaison(finance) -> User:
    """Finance's liaison, seated by the roster service, who may log in."""
    person = UserFactory(username="liaison", full_name="计财处联络员", unit=finance)
    seat = services.add_seat(actor=None, unit=finance, role=UnitRole.LIAISON)
    services.fill_seat(actor=None, seat=seat, person=person, started_on=ROSTER_DAY)
    return person


def liaison_seat(unit: Unit) -> Seat:
    return services.add_seat(actor=None, unit=unit, role=UnitRole.LIAISON)


# --- The page -------------------------------------------------------------------------------


def test_the_netc_page_shows_its_head_seat_held_by_li_li(client, member):
    in_english(client).force_login(member)

    response = client.get("/units/netc/")

    assert unit_seat_rows(response) == [("unit_head", "李力")]
    assert "Head of unit" in response.text
    assert response.context["can_manage_seats"] is False
    assert "/seats/" not in response.text.split('id="seats"')[1].split("</section>")[0]


def test_the_finance_page_shows_a_vacant_head_and_its_liaison(client, member, liaison):
    client.force_login(member)

    response = client.get(FINANCE_URL)

    assert unit_seat_rows(response) == [("unit_head", "空缺"), ("unit_liaison", "计财处联络员")]
    assert "联络员" in response.text
    assert "单位负责人" in response.text


def test_the_unit_page_shows_former_holders(client, member, finance, liaison):
    seat = Appointment.objects.get(person=liaison).seat
    services.vacate_seat(actor=None, seat=seat, ended_on=ROSTER_DAY.replace(year=2025))
    client.force_login(member)

    response = client.get(FINANCE_URL)

    assert [(a.person, str(a.ended_on)) for a in response.context["past"]] == [
        (liaison, "2025-09-01")
    ]
    assert unit_seat_rows(response) == [("unit_head", "空缺"), ("unit_liaison", "空缺")]


def test_the_office_sees_a_form_on_every_unit_seat(client, office_clerk, finance, liaison):
    client.force_login(office_clerk)

    response = client.get(FINANCE_URL)
    head, held = finance.seats.order_by("order")

    assert response.context["can_manage_seats"] is True
    assert f'action="/units/finance/seats/{head.pk}/fill/"' in response.text
    assert f'action="/units/finance/seats/{held.pk}/vacate/"' in response.text
    assert 'action="/units/finance/seats/add/"' in response.text


def test_the_person_page_shows_unit_seats_like_body_seats(client, member, liaison):
    seat = Appointment.objects.get(person=liaison).seat
    services.vacate_seat(actor=None, seat=seat, ended_on=dt.date(2025, 3, 1))
    services.fill_seat(actor=None, seat=seat, person=liaison, started_on=dt.date(2025, 9, 1))
    client.force_login(member)

    response = client.get(liaison.get_absolute_url())

    assert [a.seat for a in response.context["current"]] == [seat]
    assert '<a href="/units/finance/">计划财务处</a> · 联络员' in response.text
    assert "<li>计划财务处 · 联络员" in response.text  # the former appointment


def test_the_dashboard_shows_the_liaisons_seat_and_what_it_lets_them_do(client, liaison):
    in_english(client).force_login(liaison)

    response = client.get("/")

    assert '<a href="/units/finance/">Planning &amp; Finance Office</a> · Unit liaison' in (
        response.text
    )
    assert [(str(owner), labels) for owner, labels in response.context["may_do"]] == [
        ("Planning & Finance Office", ["Can acknowledge and report for the unit"])
    ]


# --- The Office fills and vacates -----------------------------------------------------------


def test_the_office_adds_fills_and_vacates_a_liaison_seat(client, office_clerk, finance):
    person = UserFactory(username="newliaison", full_name="新联络员", unit=finance)
    in_english(client).force_login(office_clerk)

    added = client.post("/units/finance/seats/add/", {"role": UnitRole.LIAISON})
    seat = finance.seats.get(role=UnitRole.LIAISON)
    filled = client.post(
        f"/units/finance/seats/{seat.pk}/fill/",
        {"person": person.pk, "started_on": "2025-09-01", "note": "处发"},
        follow=True,
    )

    assert (added["Location"], messages_of(added)) == (FINANCE_URL, [("success", "Seat added.")])
    assert filled.redirect_chain == [(FINANCE_URL, 302)]
    assert '<li class="success">Seat filled.</li>' in filled.text
    appointment = Appointment.objects.get(seat=seat)
    assert (appointment.person, str(appointment.started_on), appointment.note) == (
        person,
        "2025-09-01",
        "处发",
    )
    assert ("unit_liaison", "新联络员") in unit_seat_rows(filled)
    assert UnitUserObjectPermission.objects.filter(user=person).count() == 1

    vacated = client.post(
        f"/units/finance/seats/{seat.pk}/vacate/", {"ended_on": "2025-10-01", "confirmed": "on"}
    )

    assert messages_of(vacated) == [("success", "Seat vacated.")]
    appointment.refresh_from_db()
    assert str(appointment.ended_on) == "2025-10-01"
    assert UnitUserObjectPermission.objects.filter(user=person).count() == 0


def test_the_office_fills_the_head_seat_of_finance(client, office_clerk, finance):
    head = UserFactory(username="head", full_name="计财处处长", unit=finance)
    seat = finance.seats.get(role=UnitRole.HEAD)
    client.force_login(office_clerk)

    client.post(
        f"/units/finance/seats/{seat.pk}/fill/", {"person": head.pk, "started_on": "2025-09-01"}
    )

    assert list(Appointment.objects.seated_in_unit(finance).values_list("person", flat=True)) == [
        head.pk
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"started_on": "2025-09-01"}, "Person: This field is required."),
        ({"person": "{clerk}", "started_on": "2025-09-01"}, "Nobody fills a seat for themselves."),
        (
            {"person": "999999", "started_on": "2025-09-01"},
            "Person: Select a valid choice. That choice is not one of the available choices.",
        ),
    ],
    ids=["missing person", "for themselves", "unknown person"],
)
def test_a_refused_fill_says_why_and_changes_nothing(client, office_clerk, finance, data, message):
    seat = liaison_seat(finance)
    in_english(client).force_login(office_clerk)
    before = state()

    response = client.post(
        f"/units/finance/seats/{seat.pk}/fill/",
        {key: value.format(clerk=office_clerk.pk) for key, value in data.items()},
    )

    assert response["Location"] == FINANCE_URL
    assert messages_of(response) == [("error", message)]
    assert state() == before


def test_a_second_head_seat_is_refused_with_a_message(client, office_clerk, finance):
    in_english(client).force_login(office_clerk)
    before = state()

    response = client.post("/units/finance/seats/add/", {"role": UnitRole.HEAD})

    assert messages_of(response) == [
        ("error", "Planning & Finance Office already has a head's seat.")
    ]
    assert state() == before


def test_a_body_role_is_not_a_unit_seat(client, office_clerk, finance):
    in_english(client).force_login(office_clerk)
    before = state()

    response = client.post("/units/finance/seats/add/", {"role": "member"})

    assert messages_of(response)[0][0] == "error"
    assert messages_of(response)[0][1].startswith("Role: Select a valid choice.")
    assert state() == before


# --- Nobody else ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["member", "liaison", "outsider", "leader", "admin", "expert"])
def test_only_the_office_keeps_a_units_seats(request, client, finance, liaison, who):
    person = request.getfixturevalue(who)
    person.set_password(PASSWORD)
    person.save(update_fields=["password"])
    client.force_login(person)
    vacant = liaison_seat(finance)
    held = Appointment.objects.get(person=liaison).seat
    before = state()

    responses = [
        client.post("/units/finance/seats/add/", {"role": UnitRole.LIAISON}),
        client.post(
            f"/units/finance/seats/{vacant.pk}/fill/",
            {"person": liaison.pk if who != "liaison" else person.pk, "started_on": "2025-09-01"},
        ),
        client.post(
            f"/units/finance/seats/{held.pk}/vacate/", {"ended_on": "2025-09-01", "confirmed": "on"}
        ),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403]
    assert state() == before


@pytest.mark.parametrize(
    "path",
    [
        "/units/no-such-unit/seats/add/",
        "/units/no-such-unit/seats/{seat}/fill/",
        "/units/netc/seats/{seat}/fill/",  # Finance's seat under another unit
        "/units/finance/seats/{body_seat}/fill/",  # a body's seat
        "/units/finance/seats/999999/vacate/",
        "/seats/{seat}/fill/",  # a unit's seat on the body seats' URL
        "/seats/{seat}/vacate/",
    ],
)
def test_a_seat_not_of_that_unit_is_not_found(client, office_clerk, roster, finance, path):
    seat = liaison_seat(finance)
    body_seat = services.add_seat(actor=None, body=roster.work_group, role="member")
    client.force_login(office_clerk)
    before = state()

    response = client.post(
        path.format(seat=seat.pk, body_seat=body_seat.pk),
        {"person": office_clerk.pk, "started_on": "2025-09-01", "ended_on": "2025-09-01"},
    )

    assert response.status_code == 404
    assert state() == before


def test_signed_out_people_are_sent_to_log_in(client, finance):
    seat = liaison_seat(finance)
    before = state()

    response = client.post(f"/units/finance/seats/{seat.pk}/fill/", {"person": "1"})

    assert response["Location"] == f"/login/?next=/units/finance/seats/{seat.pk}/fill/"
    assert state() == before
