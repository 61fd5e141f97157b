"""A unit's seats (its head, its liaisons): appointed like any seat, granting what they confer
on their own unit (R-ORG-1, R-DUTY-1), never for oneself (R-ORG-4)."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser, Permission
from django.core.management import call_command
from django.db import IntegrityError, transaction

from infogov.models import AuditEntry
from members import permissions, services
from members.models import (
    Appointment,
    Body,
    Role,
    Seat,
    Unit,
    UnitRole,
    UnitUserObjectPermission,
    User,
)
from members.services import RosterError
from tests.conftest import ROSTER_DAY
from tests.factories import UserFactory

pytestmark = pytest.mark.usefixtures("english")


def unit_perms_of(person: User) -> set[tuple[str, str]]:
    return set(
        UnitUserObjectPermission.objects.filter(user=person).values_list(
            "permission__codename", "content_object__code"
        )
    )


def counts() -> tuple[int, int, int, int]:
    return (
        Seat.objects.count(),
        Appointment.objects.count(),
        UnitUserObjectPermission.objects.count(),
        AuditEntry.objects.count(),
    )


def fresh(person: User) -> User:
    """The person as the next request loads them."""
    return User.objects.get(pk=person.pk)


@pytest.fixture
def finance(roster) -> Unit:
    return Unit.objects.get(code="finance")


@pytest.fixture
def netc(roster) -> Unit:
    return Unit.objects.get(code="netc")


@pytest.fixture
def accountant(finance) -> User:
    return UserFactory(username="accountant", full_name="计财处会计", unit=finance)


def head_seat(unit: Unit) -> Seat:
    return unit.seats.get(role=UnitRole.HEAD)


def seat_liaison(unit: Unit, person: User, started_on: dt.date = ROSTER_DAY) -> Seat:
    seat = services.add_seat(actor=None, unit=unit, role=UnitRole.LIAISON)
    services.fill_seat(actor=None, seat=seat, person=person, started_on=started_on)
    return seat


# --- Filling and vacating -------------------------------------------------------------------


def test_the_office_seats_a_liaison_who_then_acts_for_the_unit(office_clerk, finance, accountant):
    start = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()

    seat = services.add_seat(actor=office_clerk, unit=finance, role=UnitRole.LIAISON)
    services.fill_seat(actor=office_clerk, seat=seat, person=accountant, started_on=ROSTER_DAY)

    assert (seat.unit, seat.body, seat.order) == (finance, None, 2)  # after the head's seat
    assert unit_perms_of(accountant) == {("act_for_unit", "finance")}
    entries = AuditEntry.objects.filter(id__gt=start).order_by("id")
    assert [(e.action, e.actor, e.object_id, e.object_repr) for e in entries] == [
        ("seat.added", office_clerk, str(seat.pk), "Planning & Finance Office · Unit liaison"),
        ("seat.filled", office_clerk, str(seat.pk), "Planning & Finance Office · Unit liaison"),
    ]
    assert [(e.before, e.after) for e in entries] == [
        (None, {"unit": "finance", "role": "unit_liaison"}),
        (
            None,
            {
                "person": accountant.pk,
                "started_on": "2024-09-01",
                "granted": [f"act_for_unit@unit:{finance.pk}"],
                "revoked": [],
            },
        ),
    ]


def test_the_head_of_a_unit_acts_for_it_and_heads_it(office_clerk, finance, accountant):
    services.fill_seat(actor=office_clerk, seat=head_seat(finance), person=accountant)

    assert unit_perms_of(accountant) == {("act_for_unit", "finance"), ("head_unit", "finance")}


def test_vacating_a_liaison_seat_revokes_and_keeps_the_history(office_clerk, finance, accountant):
    seat = seat_liaison(finance, accountant)

    services.vacate_seat(actor=office_clerk, seat=seat, ended_on=dt.date(2025, 3, 1))

    assert unit_perms_of(accountant) == set()
    assert list(seat.appointments.values_list("person", "started_on", "ended_on")) == [
        (accountant.pk, ROSTER_DAY, dt.date(2025, 3, 1))
    ]
    vacated = AuditEntry.objects.filter(action="seat.vacated").latest("id")
    assert (vacated.actor, vacated.after["revoked"]) == (
        office_clerk,
        [f"act_for_unit@unit:{finance.pk}"],
    )


def test_a_units_seats_grant_nothing_on_bodies_and_never_vote(finance, accountant, roster):
    seat_liaison(finance, accountant)

    assert accountant.has_perm("members.act_for_unit", finance) is True  # guardian reads it
    assert accountant.has_perm("members.head_unit", finance) is False
    assert permissions.body_perms(fresh(accountant)) == {}
    assert not Appointment.objects.current().voting().filter(person=accountant).exists()
    assert Appointment.objects.seated_in(roster.leading_group).count() == 16


def test_one_person_holds_one_seat_per_unit(finance, accountant):
    seat_liaison(finance, accountant)
    before = counts()

    with pytest.raises(
        RosterError, match=r"^计财处会计 already holds a seat in Planning & Finance Office\.$"
    ):
        services.fill_seat(actor=None, seat=head_seat(finance), person=accountant)

    assert counts() == before


def test_a_liaison_of_one_unit_may_be_liaison_of_another(finance, netc, accountant):
    seat_liaison(finance, accountant)
    seat_liaison(netc, accountant)

    assert unit_perms_of(accountant) == {("act_for_unit", "finance"), ("act_for_unit", "netc")}


# --- One head per unit ----------------------------------------------------------------------


def test_a_second_head_seat_is_refused_by_the_service(finance):
    before = counts()

    with pytest.raises(
        RosterError, match=r"^Planning & Finance Office already has a head's seat\.$"
    ):
        services.add_seat(actor=None, unit=finance, role=UnitRole.HEAD)

    assert counts() == before


def test_a_second_head_seat_is_refused_by_the_database(finance):
    with pytest.raises(IntegrityError), transaction.atomic():
        Seat.objects.create(unit=finance, role=UnitRole.HEAD, order=9)

    assert finance.seats.filter(role=UnitRole.HEAD).count() == 1


def test_a_unit_without_a_head_seat_gets_one(db):
    unit = Unit.objects.create(code="museum", name="博物馆")

    seat = services.add_seat(actor=None, unit=unit, role=UnitRole.HEAD)

    assert (seat.role, seat.order) == (UnitRole.HEAD, 1)


# --- A seat belongs to a body or to a unit --------------------------------------------------


@pytest.mark.parametrize(
    ("owners", "role"),
    [
        ({"body": "office", "unit": "finance"}, UnitRole.LIAISON),
        ({}, UnitRole.LIAISON),
        ({"body": "office"}, UnitRole.LIAISON),  # a unit's role in a body
        ({"unit": "finance"}, Role.MEMBER),  # a body's role in a unit
    ],
    ids=["both", "neither", "unit role in a body", "body role in a unit"],
)
def test_a_seat_belongs_to_a_body_or_a_unit(roster, owners, role):
    kwargs = {
        key: (Body if key == "body" else Unit).objects.get(code=code)
        for key, code in owners.items()
    }
    before = counts()

    with pytest.raises(
        RosterError,
        match=r"^A seat belongs to a body or to a unit: a unit's seats are its head and "
        r"liaisons\.$",
    ):
        services.add_seat(actor=None, role=role, **kwargs)
    with pytest.raises(IntegrityError), transaction.atomic():
        Seat.objects.create(role=role, order=99, **kwargs)

    assert counts() == before


# --- Nobody appoints themselves (R-ORG-4) ---------------------------------------------------


def test_nobody_fills_a_units_seat_for_themselves(office_clerk, finance):
    seat = services.add_seat(actor=office_clerk, unit=finance, role=UnitRole.LIAISON)
    before = counts()

    with pytest.raises(RosterError, match=r"^Nobody fills a seat for themselves\.$"):
        services.fill_seat(actor=office_clerk, seat=seat, person=office_clerk)

    assert counts() == before
    assert unit_perms_of(office_clerk) == set()


def test_nobody_vacates_their_own_units_seat(office_clerk, finance):
    seat = seat_liaison(finance, office_clerk)
    before = counts()

    with pytest.raises(RosterError, match=r"^Nobody vacates their own seat\.$"):
        services.vacate_seat(actor=office_clerk, seat=seat)

    assert counts() == before
    assert unit_perms_of(office_clerk) == {("act_for_unit", "finance")}


def test_the_head_of_netc_may_not_hand_his_own_seat_on(netc):
    lili = User.objects.get(full_name="李力")
    before = counts()

    with pytest.raises(RosterError, match=r"^Nobody vacates their own seat\.$"):
        services.transfer_ex_officio_seats(actor=lili, unit=netc, new_head=UserFactory())

    assert counts() == before


# --- Repairing drift ------------------------------------------------------------------------


def test_sync_permissions_repairs_drift_on_units(netc, finance, outsider, admin):
    lili = User.objects.get(full_name="李力")
    UnitUserObjectPermission.objects.filter(user=lili, permission__codename="head_unit").delete()
    UnitUserObjectPermission.objects.create(
        user=outsider,
        permission=Permission.objects.get(codename="act_for_unit"),
        content_object=finance,
    )

    changes = services.sync_permissions(actor=admin)

    assert changes.added == {(lili.pk, "head_unit", "unit", netc.pk)}
    assert changes.removed == {(outsider.pk, "act_for_unit", "unit", finance.pk)}
    assert unit_perms_of(lili) == {("act_for_unit", "netc"), ("head_unit", "netc")}
    assert unit_perms_of(outsider) == set()
    repaired = AuditEntry.objects.filter(action="permissions.repaired")
    assert {(e.object_id, tuple(e.after["changes"])) for e in repaired} == {
        (str(lili.pk), (f"+head_unit@unit:{netc.pk}",)),
        (str(outsider.pk), (f"-act_for_unit@unit:{finance.pk}",)),
    }
    assert not services.sync_permissions()


def test_sync_permissions_command_prints_unit_grants(netc, capsys):
    lili = User.objects.get(full_name="李力")
    UnitUserObjectPermission.objects.filter(user=lili, permission__codename="head_unit").delete()

    call_command("sync_permissions")

    assert capsys.readouterr().out.splitlines() == [
        f"granted  user={lili.pk} head_unit unit={netc.pk}",
        "1 granted, 0 revoked.",
    ]


# --- Reading them (members.permissions) -----------------------------------------------------


def test_unit_permissions_read_through_members_permissions(netc, finance, accountant):
    seat_liaison(finance, accountant)
    lili = fresh(User.objects.get(full_name="李力"))
    accountant = fresh(accountant)

    assert permissions.unit_perms(lili) == {netc.pk: frozenset({"act_for_unit", "head_unit"})}
    assert permissions.has_unit_perm(lili, "head_unit", netc) is True
    assert permissions.has_unit_perm(lili, "head_unit", netc.pk) is True
    assert permissions.has_unit_perm(accountant, "head_unit", finance) is False
    assert permissions.has_unit_perm(accountant, "act_for_unit", finance) is True
    assert permissions.has_unit_perm(accountant, "act_for_unit", netc) is False
    assert permissions.units_acting_for(lili) == {netc.pk}
    assert permissions.units_acting_for(accountant) == {finance.pk}


@pytest.mark.parametrize(
    ("who", "duty", "may"),
    [
        ("lili", "operations", True),  # NETC records go-live and the 等保 filing
        ("lili", "funding", False),
        ("lili", "tender", False),
        ("accountant", "funding", True),  # only Finance records allocations
        ("accountant", "acceptance", False),
        ("accountant", "operations", False),
        ("outsider", "funding", False),
    ],
)
def test_may_act_for_duty_follows_art_10(request, finance, accountant, outsider, who, duty, may):
    seat_liaison(finance, accountant)
    person = User.objects.get(username=who) if who == "lili" else request.getfixturevalue(who)

    assert permissions.may_act_for_duty(fresh(person), duty) is may


def test_may_act_for_duty_refuses_a_duty_art_10_does_not_name(outsider):
    with pytest.raises(ValueError, match=r"^Art\. 10 names no unit for the duty 'vote'$"):
        permissions.may_act_for_duty(outsider, "vote")


def test_only_the_office_keeps_the_units_seats(
    roster, office_clerk, leader, member, expert, outsider, admin, accountant, finance
):
    seat_liaison(finance, accountant)
    lili = User.objects.get(full_name="李力")

    assert {
        person.username: permissions.can_manage_unit_seats(fresh(person))
        for person in (office_clerk, lili, leader, member, expert, outsider, admin, accountant)
    } == {
        "clerk": True,
        "lili": True,  # the Office director
        "sunqixin": False,
        "yanzushu": False,
        "expert": False,
        "outsider": False,
        "admin": False,
        "accountant": False,
    }


def test_unit_contacts_are_the_seated_head_and_liaisons(
    finance, accountant, django_assert_num_queries
):
    head = UserFactory(username="head", full_name="计财处处长", unit=finance)
    services.fill_seat(actor=None, seat=head_seat(finance), person=head, started_on=ROSTER_DAY)
    first = UserFactory(username="first", full_name="联络员甲")
    seat_liaison(finance, first)
    seat_liaison(finance, accountant, started_on=dt.date(2025, 3, 1))
    gone = UserFactory(username="gone", full_name="离任联络员")
    services.vacate_seat(actor=None, seat=seat_liaison(finance, gone), ended_on=dt.date(2025, 1, 1))

    with django_assert_num_queries(1):
        today = permissions.unit_contacts(finance)
    before = permissions.unit_contacts(finance.pk, dt.date(2024, 12, 31))

    assert (today.head, today.liaisons) == (head, (first, accountant))
    assert today.people == (head, first, accountant)
    assert (before.head, before.liaisons) == (head, (first, gone))


def test_unit_contacts_skip_inactive_people_and_a_vacant_head(finance, accountant):
    seat_liaison(finance, accountant)
    left = UserFactory(username="left", full_name="已停用", is_active=False)
    seat_liaison(finance, left)

    contacts = permissions.unit_contacts(finance)

    assert (contacts.head, contacts.liaisons, contacts.people) == (
        None,
        (accountant,),
        (accountant,),
    )


# --- Cached under the permissions revision --------------------------------------------------


def test_unit_permissions_are_read_once_per_revision(netc, django_assert_num_queries):
    lili = User.objects.get(full_name="李力")
    first, second = fresh(lili), fresh(lili)

    with django_assert_num_queries(1):
        read = permissions.unit_perms(first)
    with django_assert_num_queries(0):
        cached = permissions.unit_perms(second)
        again = permissions.unit_perms(first)

    assert read == cached == again == {netc.pk: frozenset({"act_for_unit", "head_unit"})}


def test_filling_and_vacating_a_unit_seat_is_seen_at_once(finance, accountant):
    assert permissions.units_acting_for(fresh(accountant)) == set()  # now cached as empty

    seat = seat_liaison(finance, accountant)

    assert permissions.units_acting_for(fresh(accountant)) == {finance.pk}

    services.vacate_seat(actor=None, seat=seat)

    assert permissions.units_acting_for(fresh(accountant)) == set()


def test_a_unit_seat_filled_within_a_request_is_seen_after_forget(finance, accountant):
    assert permissions.unit_perms(accountant) == {}

    seat_liaison(finance, accountant)
    assert permissions.unit_perms(accountant) == {}  # read once per user object
    permissions.forget(accountant)

    assert permissions.has_unit_perm(accountant, "act_for_unit", finance)


def test_inactive_and_anonymous_people_act_for_no_unit(netc):
    lili = User.objects.get(full_name="李力")
    lili.is_active = False

    assert permissions.unit_perms(lili) == {}
    assert permissions.unit_perms(AnonymousUser()) == {}
    assert permissions.units_acting_for(AnonymousUser()) == set()
