"""Django admin: appointments go through the roster service; the audit trail is read-only."""

import datetime as dt

import pytest
from django.contrib import admin as django_admin
from django.contrib.messages import get_messages
from django.test import RequestFactory

from infogov.models import AuditEntry
from members import services
from members.models import (
    Appointment,
    BodyUserObjectPermission,
    Role,
    Seat,
    Unit,
    UnitRole,
    UnitUserObjectPermission,
)
from tests.factories import SeatFactory, UserFactory

ADD_URL = "/admin/members/appointment/add/"


def perms_of(person) -> set[tuple[str, str]]:
    return set(
        BodyUserObjectPermission.objects.filter(user=person).values_list(
            "permission__codename", "content_object__code"
        )
    )


def counts() -> tuple[int, int, int]:
    return (
        Appointment.objects.count(),
        BodyUserObjectPermission.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def signed_in_admin(client, admin):
    client.cookies["django_language"] = "en"
    client.force_login(admin)
    return client


def test_adding_an_appointment_in_admin_fills_the_seat_through_the_service(
    signed_in_admin, admin, roster, outsider
):
    seat = services.add_seat(actor=None, body=roster.work_group, role=Role.DEPUTY)

    response = signed_in_admin.post(
        ADD_URL,
        {
            "seat": seat.pk,
            "person": outsider.pk,
            "started_on": "2025-09-01",
            "note": "校发",
            "document_number": "校任〔2025〕12号",
            "document_date": "2025-08-28",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/members/appointment/"
    appointment = Appointment.objects.get(seat=seat)
    assert (appointment.person, appointment.note) == (outsider, "校发")
    assert (appointment.document_number, appointment.document_date) == (
        "校任〔2025〕12号",
        dt.date(2025, 8, 28),
    )
    assert perms_of(outsider) == {("convene_meeting", "work-group"), ("vote", "work-group")}
    filled = AuditEntry.objects.filter(action="seat.filled").order_by("-id").first()
    assert (filled.actor, filled.object_id) == (admin, str(seat.pk))
    assert filled.after["document_number"] == "校任〔2025〕12号"


def test_admin_refuses_a_deputy_appointment_without_its_document(
    signed_in_admin, roster, outsider, english
):
    seat = services.add_seat(actor=None, body=roster.work_group, role=Role.DEPUTY)
    before = counts()

    response = signed_in_admin.post(
        ADD_URL, {"seat": seat.pk, "person": outsider.pk, "started_on": "2025-09-01"}
    )

    assert response["Location"] == ADD_URL
    assert [m.message for m in get_messages(response.wsgi_request)] == [
        "Give the appointment document's number (文号) and date for this seat."
    ]
    assert counts() == before


def test_admin_refuses_an_eighth_expert_and_creates_nothing(signed_in_admin, roster, outsider):
    for person in UserFactory.create_batch(7):
        seat = services.add_seat(actor=None, body=roster.expert_panel, role=Role.EXPERT)
        services.fill_seat(actor=None, seat=seat, person=person)
    # A seat added through the Body admin's inline, past the add_seat service's check.
    eighth = SeatFactory(body=roster.expert_panel, role=Role.EXPERT)
    before = counts()

    response = signed_in_admin.post(
        ADD_URL, {"seat": eighth.pk, "person": outsider.pk, "started_on": "2025-09-01"}
    )

    assert response.status_code == 302
    assert response["Location"] == ADD_URL
    assert [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)] == [
        ("error", "The Expert Panel already has 7 experts; Art. 6 allows 5 to 7.")
    ]
    assert counts() == before


def test_admin_refuses_a_second_seat_for_one_person_in_a_body(signed_in_admin, member, roster):
    seat = services.add_seat(actor=None, body=roster.leading_group, role=Role.MEMBER)
    before = counts()

    response = signed_in_admin.post(
        ADD_URL, {"seat": seat.pk, "person": member.pk, "started_on": "2025-09-01"}, follow=True
    )

    assert response.redirect_chain == [(ADD_URL, 302)]
    assert (
        '<li class="error">阎祖书 already holds a seat in Informatization Leading Group.</li>'
        in response.text
    )
    assert counts() == before


def test_admin_refuses_to_fill_a_held_seat_and_creates_nothing(signed_in_admin, roster, outsider):
    seat = Appointment.objects.get(seat__body=roster.leading_group, person__full_name="孙其信").seat
    before = counts()

    response = signed_in_admin.post(
        ADD_URL, {"seat": seat.pk, "person": outsider.pk, "started_on": "2025-09-01"}
    )

    assert response["Location"] == ADD_URL
    assert [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)] == [
        ("error", "This seat is held by 孙其信; vacate it first.")
    ]
    assert counts() == before


def test_appointments_are_history_and_cannot_be_changed_or_deleted_in_admin(
    signed_in_admin, roster
):
    appointment = Appointment.objects.get(
        seat__body=roster.leading_group, person__full_name="孙其信"
    )
    url = f"/admin/members/appointment/{appointment.pk}/change/"

    assert signed_in_admin.get(url).status_code == 200  # view only
    assert signed_in_admin.post(url, {"note": "改写"}).status_code == 403
    assert (
        signed_in_admin.post(
            f"/admin/members/appointment/{appointment.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )
    appointment.refresh_from_db()
    assert appointment.note == "附件名单"


def test_audit_admin_is_read_only(admin, roster):
    entry = AuditEntry.objects.get(action="roster.loaded")
    request = RequestFactory().get("/admin/infogov/auditentry/")
    request.user = admin
    model_admin = django_admin.site.get_model_admin(AuditEntry)

    assert model_admin.has_add_permission(request) is False
    assert model_admin.has_change_permission(request, entry) is False
    assert model_admin.has_delete_permission(request, entry) is False
    assert model_admin.has_view_permission(request, entry) is True


def test_audit_entries_cannot_be_changed_or_deleted_through_admin(signed_in_admin, roster):
    entry = AuditEntry.objects.get(action="roster.loaded")

    change = signed_in_admin.post(f"/admin/infogov/auditentry/{entry.pk}/change/", {"action": "x"})
    delete = signed_in_admin.post(f"/admin/infogov/auditentry/{entry.pk}/delete/", {"post": "yes"})

    assert (change.status_code, delete.status_code) == (403, 403)
    assert list(AuditEntry.objects.filter(pk=entry.pk).values_list("action", flat=True)) == [
        "roster.loaded"
    ]


def test_vacate_action_revokes_the_seats_permissions(signed_in_admin, member, roster):
    seat = Appointment.objects.get(seat__body=roster.leading_group, person=member).seat

    signed_in_admin.post(
        "/admin/members/seat/", {"action": "vacate_today", "_selected_action": [seat.pk]}
    )

    assert seat.appointments.get().ended_on is not None
    assert perms_of(member) == {("vote", "work-group")}


SEAT_ADD_URL = "/admin/members/seat/add/"
NO_INLINE_ROWS = {
    "appointments-TOTAL_FORMS": 0,
    "appointments-INITIAL_FORMS": 0,
    "appointments-MIN_NUM_FORMS": 0,
    "appointments-MAX_NUM_FORMS": 0,
}


def test_adding_a_seat_in_admin_goes_through_the_service(signed_in_admin, admin, roster):
    response = signed_in_admin.post(
        SEAT_ADD_URL,
        {"body": roster.work_group.pk, "role": Role.MEMBER, "order": 0, **NO_INLINE_ROWS},
    )

    assert response.status_code == 302
    seat = roster.work_group.seats.order_by("-id").first()
    assert (seat.role, seat.order) == (Role.MEMBER, 10)  # numbered after the annex's nine
    added = AuditEntry.objects.filter(action="seat.added").order_by("-id").first()
    assert (added.actor, added.object_id) == (admin, str(seat.pk))


def test_admin_refuses_an_eighth_expert_seat_and_creates_nothing(signed_in_admin, roster):
    for _ in range(7):
        services.add_seat(actor=None, body=roster.expert_panel, role=Role.EXPERT)
    before = (roster.expert_panel.seats.count(), AuditEntry.objects.count())

    response = signed_in_admin.post(
        SEAT_ADD_URL,
        {"body": roster.expert_panel.pk, "role": Role.EXPERT, "order": 0, **NO_INLINE_ROWS},
    )

    assert response["Location"] == SEAT_ADD_URL
    assert [m.message for m in get_messages(response.wsgi_request)] == [
        "The Expert Panel already has 7 seats; Art. 6 allows 5 to 7 experts."
    ]
    assert (roster.expert_panel.seats.count(), AuditEntry.objects.count()) == before


def test_a_seats_body_and_role_cannot_be_changed_in_admin(signed_in_admin, roster):
    seat = roster.leading_group.seats.get(role=Role.LEADER)
    response = signed_in_admin.get(f"/admin/members/seat/{seat.pk}/change/")

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "role" not in form.fields and "body" not in form.fields


def test_body_permissions_are_listed_read_only_in_admin(signed_in_admin, roster, leader):
    response = signed_in_admin.get("/admin/members/bodyuserobjectpermission/")

    assert response.status_code == 200
    assert response.context["cl"].result_count == BodyUserObjectPermission.objects.count()
    assert signed_in_admin.get("/admin/members/bodyuserobjectpermission/add/").status_code == 403


# --- A unit's seats -------------------------------------------------------------------------


def test_a_units_seats_are_listed_on_its_admin_page_and_in_the_seat_list(signed_in_admin, roster):
    netc = Unit.objects.get(code="netc")

    page = signed_in_admin.get(f"/admin/members/unit/{netc.pk}/change/")
    listed = signed_in_admin.get(f"/admin/members/seat/?unit__id__exact={netc.pk}")

    seats_inline = page.context["inline_admin_formsets"][0]
    assert [form.original for form in seats_inline] == [netc.seats.get(role=UnitRole.HEAD)]
    assert [str(seat) for seat in listed.context["cl"].result_list] == [
        "Network & Educational Technology Center · Head of unit"
    ]


def test_adding_a_liaison_seat_in_admin_goes_through_the_service(signed_in_admin, admin, roster):
    finance = Unit.objects.get(code="finance")

    response = signed_in_admin.post(
        SEAT_ADD_URL,
        {"unit": finance.pk, "role": UnitRole.LIAISON, "order": 0, **NO_INLINE_ROWS},
    )

    assert response.status_code == 302
    seat = finance.seats.get(role=UnitRole.LIAISON)
    assert (seat.body, seat.order) == (None, 2)
    added = AuditEntry.objects.filter(action="seat.added").latest("id")
    assert (added.actor, added.object_id, added.after) == (
        admin,
        str(seat.pk),
        {"unit": "finance", "role": "unit_liaison"},
    )


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"unit": "finance", "role": UnitRole.HEAD}, "This unit already has a head&#x27;s seat."),
        (
            {"unit": "finance", "body": "office", "role": UnitRole.LIAISON},
            "A seat belongs to a body or to a unit: a unit&#x27;s seats are its head and liaisons.",
        ),
    ],
    ids=["second head", "body and unit"],
)
def test_admin_refuses_a_seat_the_constraints_forbid(signed_in_admin, roster, data, error):
    ids = {
        "unit": Unit.objects.get(code="finance").pk,
        "body": roster.office.pk,
    }
    before = (Seat.objects.count(), AuditEntry.objects.count())

    response = signed_in_admin.post(
        SEAT_ADD_URL,
        {
            **{key: ids.get(key, value) for key, value in data.items()},
            "order": 0,
            **NO_INLINE_ROWS,
        },
    )

    assert response.status_code == 200
    assert error in response.text
    assert (Seat.objects.count(), AuditEntry.objects.count()) == before


def test_admin_may_not_seat_themselves_as_a_liaison(signed_in_admin, admin, roster):
    seat = services.add_seat(
        actor=None, unit=Unit.objects.get(code="finance"), role=UnitRole.LIAISON
    )
    before = counts()

    response = signed_in_admin.post(
        ADD_URL, {"seat": seat.pk, "person": admin.pk, "started_on": "2025-09-01"}
    )

    assert response["Location"] == ADD_URL
    assert [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)] == [
        ("error", "Nobody fills a seat for themselves.")
    ]
    assert counts() == before


def test_unit_permissions_are_listed_read_only_in_admin(signed_in_admin, roster):
    response = signed_in_admin.get("/admin/members/unituserobjectpermission/")

    assert response.status_code == 200
    # 李力 and 马博虎 each act for and head their unit.
    assert response.context["cl"].result_count == 4 == UnitUserObjectPermission.objects.count()
    assert signed_in_admin.get("/admin/members/unituserobjectpermission/add/").status_code == 403
