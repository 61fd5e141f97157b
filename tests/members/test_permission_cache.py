"""Body permissions are cached under the person's permissions revision: read from the database
once, and never served after a grant or revocation has moved the revision on."""

from members import permissions, services
from members.models import BodyUserObjectPermission, Role, User
from tests.conftest import ROSTER_DAY
from tests.factories import UserFactory


def fresh(person: User) -> User:
    """The person as the next request loads them."""
    return User.objects.get(pk=person.pk)


def test_permissions_are_read_from_the_database_once_per_revision(
    roster, leader, django_assert_num_queries
):
    first, second = fresh(leader), fresh(leader)

    with django_assert_num_queries(1):
        read = permissions.body_perms(first)
    with django_assert_num_queries(0):
        cached = permissions.body_perms(second)

    assert "convene_meeting" in read[roster.leading_group.pk]
    assert cached == read


def test_a_new_seat_grants_at_once(roster):
    person = UserFactory(username="newcomer", full_name="新成员")
    assert not permissions.has_body_perm(fresh(person), "vote", roster.leading_group)

    seat = services.add_seat(actor=None, body=roster.leading_group, role=Role.MEMBER)
    services.fill_seat(actor=None, seat=seat, person=person, started_on=ROSTER_DAY)

    assert permissions.has_body_perm(fresh(person), "vote", roster.leading_group)


def test_a_vacated_seat_revokes_at_once(roster, office_clerk):
    assert permissions.can_manage_seats(fresh(office_clerk), roster.office)
    seat = fresh(office_clerk).appointments.get().seat

    services.vacate_seat(actor=None, seat=seat)

    assert not permissions.can_manage_seats(fresh(office_clerk), roster.office)


def test_a_repair_moves_the_revision_on(roster, leader):
    assert permissions.has_body_perm(fresh(leader), "convene_meeting", roster.leading_group)
    before = fresh(leader).permissions_revision
    # Drift made by hand in the database: the cache still says what the rows said.
    BodyUserObjectPermission.objects.filter(user=leader).delete()
    assert permissions.has_body_perm(fresh(leader), "convene_meeting", roster.leading_group)

    services.sync_permissions(actor=None)

    assert fresh(leader).permissions_revision > before
    assert permissions.has_body_perm(fresh(leader), "convene_meeting", roster.leading_group)


def test_a_change_within_a_request_is_seen_after_forget(roster):
    person = UserFactory(username="newcomer", full_name="新成员")
    assert permissions.body_perms(person) == {}

    seat = services.add_seat(actor=None, body=roster.leading_group, role=Role.MEMBER)
    services.fill_seat(actor=None, seat=seat, person=person, started_on=ROSTER_DAY)
    permissions.forget(person)

    assert permissions.has_body_perm(person, "vote", roster.leading_group)


def test_a_body_may_be_named_by_its_id(roster, leader):
    for body in (roster.leading_group, roster.office):
        for code in ("convene_meeting", "manage_meetings", "vote"):
            assert permissions.has_body_perm(leader, code, body.pk) == permissions.has_body_perm(
                leader, code, body
            )
    assert permissions.has_body_perm(leader, "convene_meeting", roster.leading_group.pk)
