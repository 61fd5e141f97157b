"""The roster loaded once per session, named people for roles, a fast password hasher and a
temporary MEDIA_ROOT."""

import datetime as dt
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.utils import translation

from infogov.models import AuditEntry
from members import services
from members.models import Body, Role, Unit, User
from tests.factories import PASSWORD, UserFactory

# The annex is loaded as in force from the start of the 2024—2025 academic year, so that
# tests can speak of dates before and after a change without touching "today".
ROSTER_DAY = dt.date(2024, 9, 1)


@pytest.fixture(autouse=True)
def _fast_hasher_and_temporary_media(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Background tasks (signing minutes) run inline, and keys go to a throwaway folder.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    settings.INFOGOV_SIGNING_DIR = tmp_path / "signing"
    # Ballot keys under the cheapest Argon2id libsodium allows (meetings.ballots.keys).
    settings.BALLOT_KEY_ARGON2 = "fast"


@pytest.fixture(autouse=True)
def _second_factor_not_required(settings):
    """Signing in with a second factor is not compulsory in tests (force_login everywhere);
    ``require_second_factor`` turns it on for those about it."""
    settings.INFOGOV_REQUIRE_MFA = False


@pytest.fixture
def require_second_factor(settings):
    """INFOGOV_REQUIRE_MFA on, as in production."""
    settings.INFOGOV_REQUIRE_MFA = True


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: rolled-back transactions reuse ids and revisions
    (the permissions cached under a person's permissions revision, the verify page's counts)."""
    cache.clear()


@pytest.fixture
def english():
    """Activate English, so that messages of services can be matched exactly."""
    with translation.override("en"):
        yield


@pytest.fixture
def english_pages(settings):
    """Serve pages in English, so that their messages can be matched exactly."""
    settings.LANGUAGE_CODE = "en"


@dataclass(frozen=True)
class Bodies:
    leading_group: Body
    work_group: Body
    office: Body
    expert_panel: Body


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The annex is loaded once into the test database (673 queries: 0.8 s a test on
    PostgreSQL, most of the suite's time when each test loaded it); each test's transaction
    rolls back to it."""
    with django_db_blocker.unblock():
        services.load_roster(on=ROSTER_DAY)


@pytest.fixture
def fresh_install(db) -> None:
    """The database of a new install, before ``load_roster``: the session's roster is deleted
    inside this test's transaction, and is back when it rolls back. (The foreign keys are
    checked at commit, which never comes, so the order of the tables does not matter.)"""
    tables = [
        model._meta.db_table
        for label in ("members", "guardian")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ] + [AuditEntry._meta.db_table]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


@pytest.fixture
def roster(db) -> Bodies:
    """The annex of the regulation, loaded by the service a fresh install runs (R-ORG-3).
    Loaded again only after a transactional test (they run last) has flushed the database."""
    if not Body.objects.exists():
        services.load_roster(on=ROSTER_DAY)
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
    return _with_password(User.objects.get(full_name="孙其信"))


@pytest.fixture
def deputy(roster) -> User:
    """赵曼, deputy leader of the Leading Group and leader of the Work Group (Art. 3-4)."""
    return _with_password(User.objects.get(full_name="赵曼"))


@pytest.fixture
def member(roster) -> User:
    """阎祖书, a plain member of the Leading Group (and of the Work Group)."""
    return _with_password(User.objects.get(full_name="阎祖书"))


@pytest.fixture
def office_clerk(roster) -> User:
    """A new person seated as Office staff: organises meetings and keeps the roster (Art. 9)."""
    clerk = UserFactory(
        username="clerk", full_name="办公室秘书", unit=Unit.objects.get(code="netc")
    )
    seat = services.add_seat(actor=None, body=roster.office, role=Role.OFFICE_STAFF)
    services.fill_seat(actor=None, seat=seat, person=clerk, started_on=ROSTER_DAY)
    return clerk


@pytest.fixture
def expert(roster) -> User:
    """An external expert (no unit) seated in the Expert Panel (Art. 6, 11)."""
    person = UserFactory(username="expert", full_name="校外专家", unit=None)
    seat = services.add_seat(actor=None, body=roster.expert_panel, role=Role.EXPERT)
    services.fill_seat(actor=None, seat=seat, person=person, started_on=ROSTER_DAY)
    return person


@pytest.fixture
def outsider(db) -> User:
    """A signed-in person of the university who holds no seat."""
    return UserFactory(username="outsider", full_name="访客")


@pytest.fixture
def admin(db) -> User:
    """A superuser with no seat: administers the site, but convenes, votes and signs nothing."""
    return User.objects.create_superuser(
        username="admin", email="admin@example.org", password=PASSWORD, full_name="系统管理员"
    )
