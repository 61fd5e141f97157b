"""R-ORG-4: leader and deputy seats are an administrator's to record, citing the appointment
document; nobody appoints themselves; one leader per body, guarded by the database."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import IntegrityError, transaction
from hypothesis import given
from hypothesis import strategies as st

from infogov.models import AuditEntry
from members import rules, services
from members.models import Appointment, BodyUserObjectPermission, Role, Seat
from tests.factories import SeatFactory, UserFactory

LG_URL = "/bodies/leading-group/"
ADMIN_ONLY = "Leader and deputy seats follow university appointments: only an administrator "
ADMIN_ONLY += "records them, citing the appointment document."


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


def state() -> tuple:
    return (
        sorted(Seat.objects.values_list("id", "body_id", "role")),
        sorted(Appointment.objects.values_list("id", "seat_id", "person_id", "ended_on")),
        sorted(BodyUserObjectPermission.objects.values_list("user_id", "permission_id")),
        AuditEntry.objects.count(),
    )


def seat_of(body, name: str) -> Seat:
    return Appointment.objects.get(seat__body=body, person__full_name=name, ended_on=None).seat


# --- The rule -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "by_administrator", "allowed"),
    [
        (Role.LEADER, False, False),
        (Role.DEPUTY, False, False),
        (Role.LEADER, True, True),
        (Role.DEPUTY, True, True),
        (Role.MEMBER, False, True),
        (Role.OFFICE_STAFF, False, True),
        (Role.EXPERT, False, True),
        (Role.OFFICE_DIRECTOR, False, True),
    ],
)
def test_art3_who_may_change_a_seat(role, by_administrator, allowed):
    assert rules.art3_may_change_seat(role=role, by_administrator=by_administrator) is allowed


@given(st.sampled_from(list(Role)), st.booleans())
def test_art3_an_administrator_may_always_and_the_office_never_for_a_leader(role, by_admin):
    allowed = rules.art3_may_change_seat(role=role, by_administrator=by_admin)
    assert allowed == (by_admin or role not in {Role.LEADER, Role.DEPUTY})


# --- The clerk's self-appointment, through HTTP ---------------------------------------------


@pytest.mark.parametrize("role", [Role.LEADER, Role.DEPUTY])
def test_the_office_cannot_add_a_leader_or_deputy_seat(client, office_clerk, roster, role):
    english(client).force_login(office_clerk)
    before = state()

    response = client.post(f"{LG_URL}seats/add/", {"role": role})

    assert response["Location"] == LG_URL
    assert messages_of(response) == [("error", ADMIN_ONLY)]
    assert state() == before


def test_the_clerks_self_appointment_is_refused_at_every_step(client, office_clerk, roster):
    # The clerk cannot vacate the leader's or the deputy's seat to fill it afterwards.
    english(client).force_login(office_clerk)
    leader_seat = seat_of(roster.leading_group, "孙其信")
    deputy_seat = seat_of(roster.leading_group, "赵曼")
    before = state()

    for seat in (leader_seat, deputy_seat):
        response = client.post(
            f"/seats/{seat.pk}/vacate/", {"ended_on": "2025-09-01", "confirmed": "on"}
        )
        assert messages_of(response)[-1] == ("error", ADMIN_ONLY)
    assert state() == before


def test_the_clerk_cannot_fill_a_vacant_deputy_seat_with_himself(client, office_clerk, roster):
    seat = services.add_seat(actor=None, body=roster.work_group, role=Role.DEPUTY)
    english(client).force_login(office_clerk)
    before = state()

    response = client.post(
        f"/seats/{seat.pk}/fill/",
        {
            "person": office_clerk.pk,
            "started_on": "2025-09-01",
            "document_number": "伪造〔2025〕1号",
            "document_date": "2025-09-01",
        },
    )

    assert response["Location"] == "/bodies/work-group/"
    assert messages_of(response)[0][0] == "error"
    assert state() == before
    assert not office_clerk.appointments.filter(seat=seat).exists()


def test_nobody_fills_a_seat_for_themselves_not_even_an_administrator(client, admin, roster):
    seat = services.add_seat(actor=None, body=roster.work_group, role=Role.DEPUTY)
    english(client).force_login(admin)
    before = state()

    response = client.post(
        f"/seats/{seat.pk}/fill/",
        {
            "person": admin.pk,
            "started_on": "2025-09-01",
            "document_number": "校任〔2025〕1号",
            "document_date": "2025-08-30",
        },
    )

    assert messages_of(response) == [("error", "Nobody fills a seat for themselves.")]
    assert state() == before


def test_nobody_fills_an_office_seat_for_themselves(office_clerk, roster):
    seat = services.add_seat(actor=None, body=roster.office, role=Role.OFFICE_STAFF)
    with pytest.raises(services.RosterError):
        services.fill_seat(actor=office_clerk, seat=seat, person=office_clerk)


# --- The administrator, citing the document -------------------------------------------------


def test_an_administrator_appoints_a_deputy_citing_the_document(client, admin, roster):
    seat = services.add_seat(actor=admin, body=roster.work_group, role=Role.DEPUTY)
    person = UserFactory(full_name="新副组长")
    english(client).force_login(admin)

    page = client.get("/bodies/work-group/")
    response = client.post(
        f"/seats/{seat.pk}/fill/",
        {
            "person": person.pk,
            "started_on": "2025-09-01",
            "document_number": "校任〔2025〕7号",
            "document_date": "2025-08-28",
        },
    )

    assert f'action="/seats/{seat.pk}/fill/"' in page.text
    assert messages_of(response) == [("success", "Seat filled.")]
    appointment = Appointment.objects.get(seat=seat, person=person)
    assert (appointment.document_number, appointment.document_date) == (
        "校任〔2025〕7号",
        dt.date(2025, 8, 28),
    )
    entry = AuditEntry.objects.filter(action="seat.filled").order_by("-id").first()
    assert (entry.actor, entry.after["document_number"]) == (admin, "校任〔2025〕7号")
    person_page = client.get(person.get_absolute_url())
    assert "校任〔2025〕7号" in person_page.text
    assert person_page.text.count('class="seat-change"') == 1


def test_an_administrator_cannot_appoint_without_the_document(client, admin, roster):
    seat = services.add_seat(actor=admin, body=roster.work_group, role=Role.DEPUTY)
    english(client).force_login(admin)
    before = state()

    response = client.post(
        f"/seats/{seat.pk}/fill/", {"person": UserFactory().pk, "started_on": "2025-09-01"}
    )

    assert messages_of(response) == [
        ("error", "Give the appointment document's number (文号) and date for this seat.")
    ]
    assert state() == before


def test_vacating_the_leader_cites_the_removal_document_and_shows_on_their_page(
    client, admin, roster, leader
):
    seat = seat_of(roster.leading_group, "孙其信")
    english(client).force_login(admin)

    response = client.post(
        f"/seats/{seat.pk}/vacate/",
        {
            "ended_on": "2025-09-01",
            "confirmed": "on",
            "document_number": "校任〔2025〕9号",
            "document_date": "2025-08-30",
        },
    )

    assert messages_of(response) == [("success", "Seat vacated.")]
    appointment = Appointment.objects.get(seat=seat, person=leader)
    assert appointment.end_document_number == "校任〔2025〕9号"
    page = client.get(leader.get_absolute_url())
    # Seated by the roster loader, vacated by the administrator: both on the page.
    assert page.text.count('class="seat-change"') == 2
    assert "校任〔2025〕9号" in page.text


# --- One leader per body --------------------------------------------------------------------


def test_a_second_leader_seat_is_refused_by_the_service(admin, roster, english):
    with pytest.raises(services.RosterError, match="already has a leader's seat"):
        services.add_seat(actor=admin, body=roster.leading_group, role=Role.LEADER)


def test_the_database_refuses_a_second_leader_seat_in_a_body(roster):
    with pytest.raises(IntegrityError), transaction.atomic():
        SeatFactory(body=roster.leading_group, role=Role.LEADER)
    assert roster.leading_group.seats.filter(role=Role.LEADER).count() == 1


def test_the_database_refuses_two_current_holders_of_the_leader_seat(roster):
    seat = seat_of(roster.leading_group, "孙其信")
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(seat=seat, person=UserFactory(), started_on=dt.date(2025, 1, 1))
