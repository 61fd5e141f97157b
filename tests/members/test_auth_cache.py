"""The signed-in person is read from the cache (members.auth), and never served after their row
changed: a deactivation, a new password or new permissions take effect with the next request."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from members import auth, permissions, services
from members.models import Role, User
from tests.conftest import ROSTER_DAY
from tests.factories import PASSWORD, UserFactory

backend = auth.CachedModelBackend()


def test_the_row_is_read_from_the_database_once(roster, leader, django_assert_num_queries):
    with django_assert_num_queries(3):  # the row, the body permissions, the unread count
        first = backend.get_user(leader.pk)
    with django_assert_num_queries(0):
        second = backend.get_user(leader.pk)

    assert first == second == leader
    assert second is not first  # each request gets its own copy
    assert second.full_name == "孙其信"


def test_the_permissions_come_with_the_row(roster, leader, django_assert_num_queries):
    backend.get_user(leader.pk)
    cache.delete(f"body-perms:{leader.pk}:{leader.permissions_revision}")

    with django_assert_num_queries(0):
        person = backend.get_user(leader.pk)
        perms = permissions.body_perms(person)

    assert "convene_meeting" in perms[roster.leading_group.pk]


def test_a_missing_person_is_nobody(db):
    assert backend.get_user(987654) is None
    assert cache.get(auth.cache_key(987654)) is None


def test_saving_the_person_drops_the_cached_row(roster, leader):
    backend.get_user(leader.pk)
    leader.title = "校长"
    leader.save()

    assert cache.get(auth.cache_key(leader.pk)) is None
    assert backend.get_user(leader.pk).title == "校长"


def test_a_deactivated_person_is_signed_out_at_once(client, roster, member):
    client.force_login(member)
    assert client.get("/").status_code == 200  # caches the row

    member.is_active = False
    member.save()

    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_a_new_password_signs_out_the_other_sessions(client, roster, member):
    client.force_login(member)
    assert client.get("/").status_code == 200

    member.set_password(PASSWORD + "-new")
    member.save()

    assert client.get("/").status_code == 302


def test_a_deleted_person_is_signed_out(client, roster):
    person = UserFactory(username="leaver", full_name="离职人员")
    client.force_login(person)
    assert client.get("/").status_code == 200

    person.delete()

    assert client.get("/").status_code == 302


def test_new_permissions_drop_the_cached_row(roster):
    person = UserFactory(username="newcomer", full_name="新成员")
    before = backend.get_user(person.pk).permissions_revision

    seat = services.add_seat(actor=None, body=roster.leading_group, role=Role.MEMBER)
    services.fill_seat(actor=None, seat=seat, person=person, started_on=ROSTER_DAY)

    assert backend.get_user(person.pk).permissions_revision > before


def test_an_update_in_bulk_is_seen_after_forget_users(roster, member):
    backend.get_user(member.pk)
    User.objects.filter(pk=member.pk).update(title="教授")
    assert backend.get_user(member.pk).title != "教授"  # the cache does not see update()

    auth.forget_users([member.pk])

    assert backend.get_user(member.pk).title == "教授"


@pytest.mark.django_db(transaction=True)
def test_the_row_is_dropped_again_when_the_change_commits(roster):
    """A request that read the old row while the change was uncommitted may have cached it;
    the second drop, on commit, removes it."""
    from django.db import transaction

    person = UserFactory(username="racer", full_name="并发")
    with transaction.atomic():
        person.title = "新职务"
        person.save()
        # What a concurrent request would cache from the row it read before the commit.
        stale = get_user_model().objects.get(pk=person.pk)
        stale.title = ""
        cache.set(auth.cache_key(person.pk), stale)

    assert backend.get_user(person.pk).title == "新职务"


def test_without_a_shared_cache_the_row_is_read_every_time(
    settings, roster, leader, django_assert_num_queries
):
    settings.INFOGOV_CACHE_PEOPLE = False
    backend.get_user(leader.pk)

    with django_assert_num_queries(1):
        person = backend.get_user(leader.pk)

    assert person == leader
    assert cache.get(auth.cache_key(leader.pk)) is None
