"""infogov.checks: ``check --deploy`` warns when the portal serves as the owner of its tables
(PostgreSQL), which the append-only triggers do not bind; never on SQLite."""

import pytest
from django.core import checks
from django.db import connection

from infogov.checks import serving_role_owns_no_table
from tests.db_roles import serving_role

postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'")


def test_the_check_runs_under_check_deploy_only():
    assert serving_role_owns_no_table in checks.registry.registry.get_checks(
        include_deployment_checks=True
    )
    assert serving_role_owns_no_table not in checks.registry.registry.get_checks()


@postgresql
def test_serving_as_the_owner_of_the_tables_is_warned(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (role,) = cursor.fetchone()
    tables = len(connection.introspection.django_table_names()) + 1  # django_migrations

    (warning,) = serving_role_owns_no_table(databases=["default"])

    assert (warning.id, warning.level) == ("infogov.W001", checks.WARNING)
    assert warning.msg == (
        f"The database role {role!r} owns (or may act as the owner of) {tables} of the portal's "
        "tables in database 'default', so it can get around the append-only triggers (disable "
        "them, truncate the tables)."
    )


@postgresql
def test_a_serving_role_that_owns_no_table_is_not_warned(db):
    with serving_role(privileges="SELECT, INSERT, UPDATE, DELETE"):
        assert serving_role_owns_no_table(databases=["default"]) == []


@postgresql
def test_a_serving_role_granted_the_owner_role_is_warned(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        (owner,) = cursor.fetchone()
    with serving_role() as role:
        with connection.cursor() as cursor:
            cursor.execute("RESET ROLE")
            cursor.execute(f"GRANT {owner} TO {role}")
            cursor.execute(f"SET ROLE {role}")
        (warning,) = serving_role_owns_no_table(databases=["default"])

    assert warning.id == "infogov.W001"


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_sqlite_has_no_roles_to_warn_about(db):
    assert serving_role_owns_no_table(databases=["default"]) == []


def test_without_databases_nothing_is_asked():
    assert serving_role_owns_no_table(databases=None) == []
