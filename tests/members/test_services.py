"""members.services: seats, appointments, the permissions they confer, and the audit trail."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm

from infogov.models import AuditEntry, AuditTrailError
from members import services
from members.models import (
    Appointment,
    BodyUserObjectPermission,
    Role,
    Seat,
    Unit,
    UnitRole,
    UnitUserObjectPermission,
    User,
)
from members.services import RosterError
from tests.conftest import ROSTER_DAY
from tests.factories import SeatFactory, UserFactory

pytestmark = pytest.mark.usefixtures("english")

LG, WG, OFFICE, PANEL = "leading-group", "work-group", "office", "expert-panel"
OFFICE_STAFF_PERMS = {
    (codename, body)
    for codename in ("manage_meetings", "manage_seats")
    for body in (LG, WG, OFFICE, PANEL)
}


def perms_of(person: User) -> set[tuple[str, str]]:
    return set(
        BodyUserObjectPermission.objects.filter(user=person).values_list(
            "permission__codename", "content_object__code"
        )
    )


def unit_perms_of(person: User) -> set[tuple[str, str]]:
    return set(
        UnitUserObjectPermission.objects.filter(user=person).values_list(
            "permission__codename", "content_object__code"
        )
    )


def seat_of(person: User, body) -> Seat:
    return Appointment.objects.get(seat__body=body, person=person, ended_on__isnull=True).seat


def counts() -> tuple[int, int, int, int]:
    return (
        Seat.objects.count(),
        Appointment.objects.count(),
        BodyUserObjectPermission.objects.count(),
        AuditEntry.objects.count(),
    )


# --- What seats confer (R-DUTY-1) -----------------------------------------------------------


def test_leader_may_convene_sign_and_vote_in_the_leading_group(leader):
    assert perms_of(leader) == {("convene_meeting", LG), ("sign_minutes", LG), ("vote", LG)}


def test_deputy_may_convene_and_vote_but_not_sign(deputy):
    # 赵曼 is also the Work Group's leader (Art. 4), and so signs its minutes.
    assert perms_of(deputy) == {
        ("convene_meeting", LG),
        ("vote", LG),
        ("convene_meeting", WG),
        ("sign_minutes", WG),
        ("vote", WG),
    }


def test_member_may_only_vote(member):
    assert perms_of(member) == {("vote", LG), ("vote", WG)}


def test_office_staff_manage_meetings_and_seats_of_every_body_but_never_vote(office_clerk):
    assert perms_of(office_clerk) == OFFICE_STAFF_PERMS


def test_office_director_holds_office_and_member_permissions(roster):
    lili = User.objects.get(full_name="李力")

    assert perms_of(lili) == OFFICE_STAFF_PERMS | {
        ("vote", LG),
        ("convene_meeting", WG),
        ("vote", WG),
    }


def test_expert_may_review_projects_and_vote_in_the_panel(expert):
    assert perms_of(expert) == {("review_projects", PANEL), ("vote", PANEL)}


def test_outsider_holds_nothing(outsider, roster):
    assert perms_of(outsider) == set()


def test_django_guardian_reads_the_granted_rows(leader, deputy, roster):
    lg = roster.leading_group

    assert leader.has_perm("members.sign_minutes", lg) is True
    assert deputy.has_perm("members.sign_minutes", lg) is False
    assert deputy.has_perm("members.convene_meeting", lg) is True


# --- Filling and vacating -------------------------------------------------------------------


def test_vacating_revokes_what_the_seat_gave(office_clerk, roster):
    seat = seat_of(office_clerk, roster.office)

    services.vacate_seat(actor=None, seat=seat)

    assert perms_of(office_clerk) == set()


def test_vacating_one_body_keeps_the_other_bodys_permissions(member, roster):
    services.vacate_seat(actor=None, seat=seat_of(member, roster.leading_group))

    assert perms_of(member) == {("vote", WG)}


def test_filling_a_seat_grants_exactly_what_it_confers(roster, outsider):
    seat = services.add_seat(actor=None, body=roster.work_group, role=Role.DEPUTY)

    services.fill_seat(actor=None, seat=seat, person=outsider)

    assert perms_of(outsider) == {("convene_meeting", WG), ("vote", WG)}


def test_filling_a_held_seat_is_refused(roster, outsider):
    seat = seat_of(User.objects.get(full_name="孙其信"), roster.leading_group)
    before = counts()

    with pytest.raises(RosterError, match=r"^This seat is held by 孙其信; vacate it first\.$"):
        services.fill_seat(actor=None, seat=seat, person=outsider)

    assert counts() == before
    assert perms_of(outsider) == set()


def test_one_person_holds_one_seat_per_body(member, roster):
    seat = services.add_seat(actor=None, body=roster.leading_group, role=Role.MEMBER)
    before = counts()

    with pytest.raises(
        RosterError, match=r"^阎祖书 already holds a seat in Informatization Leading Group\.$"
    ):
        services.fill_seat(actor=None, seat=seat, person=member)

    assert counts() == before


def test_filling_a_seat_before_its_holder_leaves_is_refused(member, roster, outsider):
    seat = seat_of(member, roster.leading_group)
    services.vacate_seat(actor=None, seat=seat, ended_on=dt.date(2025, 3, 1))
    before = counts()

    with pytest.raises(
        RosterError,
        match=r"^This seat is held by 阎祖书 until 2025-03-01; it can be filled from that day\.$",
    ):
        services.fill_seat(actor=None, seat=seat, person=outsider, started_on=dt.date(2025, 2, 1))

    assert counts() == before


def test_unknown_role_is_refused(roster):
    with pytest.raises(RosterError, match=r"^Unknown role\.$"):
        services.add_seat(actor=None, body=roster.leading_group, role="chair")


def _seat_experts(panel, n: int) -> list[User]:
    experts = UserFactory.create_batch(n)
    for person in experts:
        seat = services.add_seat(actor=None, body=panel, role=Role.EXPERT)
        services.fill_seat(actor=None, seat=seat, person=person, started_on=ROSTER_DAY)
    return experts


def test_an_eighth_expert_seat_is_refused(roster):
    _seat_experts(roster.expert_panel, 7)
    before = counts()

    with pytest.raises(
        RosterError,
        match=r"^The Expert Panel already has 7 seats; Art\. 6 allows 5 to 7 experts\.$",
    ):
        services.add_seat(actor=None, body=roster.expert_panel, role=Role.EXPERT)

    assert counts() == before


def test_an_eighth_expert_is_refused_even_in_a_seat_made_outside_the_service(roster, outsider):
    _seat_experts(roster.expert_panel, 7)
    eighth = SeatFactory(body=roster.expert_panel, role=Role.EXPERT)
    before = counts()

    with pytest.raises(
        RosterError, match=r"^The Expert Panel already has 7 experts; Art\. 6 allows 5 to 7\.$"
    ):
        services.fill_seat(actor=None, seat=eighth, person=outsider)

    assert counts() == before


def test_an_eighth_expert_is_refused_when_backdated_before_the_others_started(roster, outsider):
    for person in UserFactory.create_batch(7):
        seat = services.add_seat(actor=None, body=roster.expert_panel, role=Role.EXPERT)
        services.fill_seat(actor=None, seat=seat, person=person, started_on=dt.date(2025, 9, 1))
    eighth = SeatFactory(body=roster.expert_panel, role=Role.EXPERT)

    with pytest.raises(RosterError, match=r"already has 7 experts"):
        services.fill_seat(actor=None, seat=eighth, person=outsider, started_on=ROSTER_DAY)

    assert eighth.appointments.count() == 0


def test_an_expert_who_leaves_can_be_replaced_from_that_day(roster, outsider):
    experts = _seat_experts(roster.expert_panel, 7)
    seat = seat_of(experts[0], roster.expert_panel)
    services.vacate_seat(actor=None, seat=seat, ended_on=dt.date(2025, 3, 1))

    services.fill_seat(actor=None, seat=seat, person=outsider, started_on=dt.date(2025, 3, 1))

    assert Appointment.objects.seated_in(roster.expert_panel).count() == 7


def test_a_seventh_expert_is_seated(roster, outsider):
    _seat_experts(roster.expert_panel, 6)
    seat = services.add_seat(actor=None, body=roster.expert_panel, role=Role.EXPERT)

    services.fill_seat(actor=None, seat=seat, person=outsider)

    assert Appointment.objects.seated_in(roster.expert_panel).count() == 7


def test_vacating_before_the_appointment_started_is_refused(member, roster):
    seat = seat_of(member, roster.leading_group)
    before = counts()

    with pytest.raises(RosterError, match=r"^An appointment cannot end before it started\.$"):
        services.vacate_seat(actor=None, seat=seat, ended_on=dt.date(2024, 8, 31))

    assert counts() == before
    assert perms_of(member) == {("vote", LG), ("vote", WG)}


def test_vacating_a_vacant_seat_is_refused(roster):
    seat = services.add_seat(actor=None, body=roster.leading_group, role=Role.MEMBER)

    with pytest.raises(RosterError, match=r"^This seat is already vacant\.$"):
        services.vacate_seat(actor=None, seat=seat)


# --- History (R-ORG-1) ----------------------------------------------------------------------


def test_vacate_then_fill_keeps_both_appointments(member, roster, outsider):
    seat = seat_of(member, roster.leading_group)
    change = dt.date(2025, 3, 1)

    services.vacate_seat(actor=None, seat=seat, ended_on=change)
    services.fill_seat(actor=None, seat=seat, person=outsider, started_on=change)

    assert list(
        seat.appointments.order_by("started_on").values_list(
            "person__full_name", "started_on", "ended_on"
        )
    ) == [("阎祖书", ROSTER_DAY, change), ("访客", change, None)]


@pytest.mark.parametrize(
    ("day", "holder"),
    [
        (dt.date(2025, 2, 28), "阎祖书"),
        (dt.date(2025, 3, 1), "访客"),
        (dt.date(2026, 1, 1), "访客"),
    ],
)
def test_who_sat_in_a_body_on_a_day(
    member, roster, outsider, django_assert_num_queries, day, holder
):
    seat = seat_of(member, roster.leading_group)
    services.vacate_seat(actor=None, seat=seat, ended_on=dt.date(2025, 3, 1))
    services.fill_seat(actor=None, seat=seat, person=outsider, started_on=dt.date(2025, 3, 1))
    others = set(
        Appointment.objects.seated_in(roster.leading_group).values_list(
            "person__full_name", flat=True
        )
    ) - {"访客"}

    with django_assert_num_queries(1):
        names = set(
            Appointment.objects.seated_in(roster.leading_group, day).values_list(
                "person__full_name", flat=True
            )
        )

    assert len(others) == 15
    assert names == others | {holder}


def test_no_one_sat_before_the_roster_took_effect(roster):
    day_before = ROSTER_DAY - dt.timedelta(days=1)

    assert Appointment.objects.seated_in(roster.leading_group, day_before).count() == 0


def test_ex_officio_seats_move_to_the_new_head_of_netc(roster):
    lili = User.objects.get(full_name="李力")
    lili_perms = perms_of(lili)
    netc = Unit.objects.get(code="netc")
    new_head = UserFactory(full_name="新主任", unit=None)
    on = timezone.localdate()

    moved = services.transfer_ex_officio_seats(actor=None, unit=netc, new_head=new_head, on=on)

    # The unit's own head seat moves with the seats held as its head.
    assert sorted((a.seat.owner.code, a.seat.role) for a in moved) == [
        (LG, Role.MEMBER),
        ("netc", UnitRole.HEAD),
        (OFFICE, Role.OFFICE_DIRECTOR),
        (WG, Role.DEPUTY),
    ]
    assert [a.person for a in moved] == [new_head] * 4
    # History is kept: 李力's appointments end, they are not rewritten.
    assert set(
        lili.appointments.values_list(
            "seat__body__code", "seat__unit__code", "started_on", "ended_on"
        )
    ) == {
        (LG, None, ROSTER_DAY, on),
        (OFFICE, None, ROSTER_DAY, on),
        (WG, None, ROSTER_DAY, on),
        (None, "netc", ROSTER_DAY, on),
    }
    assert [a.seat.appointments.count() for a in moved] == [2, 2, 2, 2]
    assert perms_of(new_head) == lili_perms
    assert perms_of(lili) == set()
    assert unit_perms_of(new_head) == {("act_for_unit", "netc"), ("head_unit", "netc")}
    assert unit_perms_of(lili) == set()
    new_head.refresh_from_db()
    assert new_head.unit == netc
    unit_changed = AuditEntry.objects.get(action="person.unit_changed")
    assert (unit_changed.object_id, unit_changed.before, unit_changed.after) == (
        str(new_head.pk),
        {"unit": None},
        {"unit": netc.pk},
    )


def test_ex_officio_transfer_to_the_current_head_changes_nothing(roster):
    lili = User.objects.get(full_name="李力")
    before = counts()

    moved = services.transfer_ex_officio_seats(
        actor=None, unit=Unit.objects.get(code="netc"), new_head=lili
    )

    assert moved == []
    assert counts() == before


# --- Dates in the future --------------------------------------------------------------------


def test_a_future_appointment_grants_nothing_until_its_first_day(roster, outsider, monkeypatch):
    today = timezone.localdate()
    first_day = today + dt.timedelta(days=7)
    seat = services.add_seat(actor=None, body=roster.office, role=Role.OFFICE_STAFF)

    services.fill_seat(actor=None, seat=seat, person=outsider, started_on=first_day)

    assert perms_of(outsider) == set()
    assert not services.sync_permissions()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: first_day)
    changes = services.sync_permissions()
    assert {(user, codename) for user, codename, _on, _body in changes.added} == {
        (outsider.pk, "manage_meetings"),
        (outsider.pk, "manage_seats"),
    }
    assert perms_of(outsider) == OFFICE_STAFF_PERMS


def test_a_seat_vacated_from_a_future_day_keeps_its_permissions_until_then(
    member, roster, monkeypatch
):
    last_day = timezone.localdate() + dt.timedelta(days=6)

    services.vacate_seat(
        actor=None, seat=seat_of(member, roster.leading_group), ended_on=last_day + dt.timedelta(1)
    )

    assert perms_of(member) == {("vote", LG), ("vote", WG)}
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: last_day + dt.timedelta(1))
    services.sync_permissions()
    assert perms_of(member) == {("vote", WG)}


# --- Repairing drift ------------------------------------------------------------------------


def _drift(leader, outsider, lg) -> None:
    BodyUserObjectPermission.objects.filter(
        user=leader, permission__codename="sign_minutes"
    ).delete()
    BodyUserObjectPermission.objects.create(
        user=outsider,
        permission=Permission.objects.get(codename="vote"),
        content_object=lg,
    )


def test_sync_permissions_repairs_drift_and_reports_exactly_it(leader, outsider, roster, admin):
    lg = roster.leading_group
    _drift(leader, outsider, lg)

    changes = services.sync_permissions(actor=admin)

    assert changes.added == {(leader.pk, "sign_minutes", "body", lg.pk)}
    assert changes.removed == {(outsider.pk, "vote", "body", lg.pk)}
    assert perms_of(leader) == {("convene_meeting", LG), ("sign_minutes", LG), ("vote", LG)}
    assert perms_of(outsider) == set()
    repaired = AuditEntry.objects.filter(action="permissions.repaired").order_by("object_id")
    assert [(e.actor, e.object_id, e.after) for e in repaired] == sorted(
        [
            (admin, str(leader.pk), {"changes": [f"+sign_minutes@{lg.pk}"]}),
            (admin, str(outsider.pk), {"changes": [f"-vote@{lg.pk}"]}),
        ],
        key=lambda row: row[1],
    )


def test_sync_permissions_a_second_time_reports_nothing(leader, outsider, roster):
    _drift(leader, outsider, roster.leading_group)
    services.sync_permissions()
    before = counts()

    changes = services.sync_permissions()

    assert not changes
    assert (changes.added, changes.removed) == (set(), set())
    assert counts() == before


def test_sync_permissions_leaves_permissions_it_does_not_manage(outsider, roster):
    assign_perm("members.change_body", outsider, roster.office)

    changes = services.sync_permissions()

    assert not changes
    assert perms_of(outsider) == {("change_body", OFFICE)}


def test_sync_permissions_command_prints_what_it_changed(leader, outsider, roster, capsys):
    lg = roster.leading_group
    _drift(leader, outsider, lg)

    call_command("sync_permissions")
    first = capsys.readouterr().out
    call_command("sync_permissions")
    second = capsys.readouterr().out

    assert first.splitlines() == [
        f"granted  user={leader.pk} sign_minutes body={lg.pk}",
        f"revoked  user={outsider.pk} vote body={lg.pk}",
        "1 granted, 1 revoked.",
    ]
    assert second == "Permissions already match the seats: nothing changed.\n"


# --- The audit trail ------------------------------------------------------------------------


def test_every_roster_change_is_audited_with_its_actor(office_clerk, roster, outsider):
    start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()

    seat = services.add_seat(actor=office_clerk, body=roster.work_group, role=Role.MEMBER)
    services.fill_seat(actor=office_clerk, seat=seat, person=outsider, started_on=ROSTER_DAY)
    services.vacate_seat(actor=office_clerk, seat=seat, ended_on=dt.date(2025, 3, 1))

    entries = AuditEntry.objects.filter(id__gt=start).order_by("id")
    assert [(e.action, e.actor, e.object_type, e.object_id) for e in entries] == [
        ("seat.added", office_clerk, "members.Seat", str(seat.pk)),
        ("seat.filled", office_clerk, "members.Seat", str(seat.pk)),
        ("seat.vacated", office_clerk, "members.Seat", str(seat.pk)),
    ]
    wg = roster.work_group.pk
    assert [(e.before, e.after) for e in entries] == [
        (None, {"body": WG, "role": "member"}),
        (
            None,
            {
                "person": outsider.pk,
                "started_on": "2024-09-01",
                "granted": [f"vote@{wg}"],
                "revoked": [],
            },
        ),
        (
            {"person": outsider.pk, "started_on": "2024-09-01"},
            {"ended_on": "2025-03-01", "granted": [], "revoked": [f"vote@{wg}"]},
        ),
    ]


def test_the_audit_trail_cannot_be_rewritten(roster):
    entry = AuditEntry.objects.get(action="roster.loaded")
    entry.action = "rewritten"

    with pytest.raises(AuditTrailError, match="append-only"):
        entry.save()

    assert AuditEntry.objects.filter(action="rewritten").count() == 0


@pytest.mark.parametrize(
    "erase",
    [
        lambda: AuditEntry.objects.get(action="roster.loaded").delete(),
        lambda: AuditEntry.objects.all().delete(),
        lambda: AuditEntry.objects.filter(action="seat.filled").delete(),
        lambda: AuditEntry.objects.all().update(action="rewritten"),
        lambda: AuditEntry.objects.bulk_update(
            [AuditEntry(pk=AuditEntry.objects.first().pk, action="x")], ["action"]
        ),
    ],
    ids=["instance.delete", "all.delete", "filter.delete", "update", "bulk_update"],
)
def test_the_audit_trail_cannot_be_erased_or_updated(roster, erase):
    before = list(AuditEntry.objects.values_list("id", "action"))

    # bulk_update() would break the test's transaction; a savepoint keeps it usable.
    with pytest.raises(AuditTrailError, match="append-only"), transaction.atomic():
        erase()

    assert list(AuditEntry.objects.values_list("id", "action")) == before
