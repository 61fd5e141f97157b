"""infogov.db: the tables that are never changed once written refuse UPDATE, DELETE and
TRUNCATE to the serving role (PostgreSQL), and the ways around a trigger are closed to it; the
owner, who runs migrations and maintenance, still may."""

import pytest
from django.db import ProgrammingError, connection, transaction

from infogov import audit, auditchain
from infogov.db import AppendOnly, postgresql_sql, sqlite_sql
from infogov.models import AuditEntry
from meetings.models import Motion
from tests.db_roles import serving_role

postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'")
TABLE = AuditEntry._meta.db_table
# Every table made append-only, with the condition on the old row, if any.
PROTECTED = {
    "infogov_auditentry": None,
    "infogov_auditverification": None,
    "meetings_namedvote": None,
    "meetings_ballotreceipt": None,
    "meetings_decision": None,
    "meetings_issuedminutes": None,
    "meetings_ballot": None,
    "meetings_attendanceevent": None,  # the attendance history (issue 13)
    # A motion once counted: closed, and named or a secret ballot counted by its scrutineers.
    "meetings_motion": "old.status = 'closed' AND (old.method <> 'secret' OR old.counted <> '')",
}


def _triggers() -> dict[str, set[str]]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgrelid::regclass::text, tgname, pg_get_triggerdef(oid) FROM pg_trigger"
                " WHERE NOT tgisinternal AND tgfoid = 'infogov_append_only'::regproc"
            )
        else:
            cursor.execute("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'trigger'")
        found: dict[str, set[str]] = {}
        for table, name, definition in cursor.fetchall():
            found.setdefault(table, set()).add(f"{name}: {definition}")
    return found


@postgresql
def test_every_protected_table_has_both_triggers(db):
    found = _triggers()

    assert set(found) == set(PROTECTED)
    for table, condition in PROTECTED.items():
        definitions = sorted(found[table])
        assert len(definitions) == 2
        row, statement = definitions
        assert row.startswith("infogov_append_only: CREATE TRIGGER infogov_append_only BEFORE")
        assert "BEFORE DELETE OR UPDATE ON public." in row and "FOR EACH ROW" in row
        assert ("(old.status)::text = 'closed'::text" in row) == (condition is not None)
        if condition is not None:
            assert "(old.counted)::text <> ''::text" in row
        assert "BEFORE TRUNCATE" in statement and "FOR EACH STATEMENT" in statement


@pytest.mark.skipif("connection.vendor != 'sqlite'")
def test_on_sqlite_every_protected_table_refuses_update(db):
    found = _triggers()

    for table in PROTECTED:
        names = {definition.split(":")[0] for definition in found[table]}
        expected = (
            "meetings_issued_minutes_no_update"  # 0004's, which stays on SQLite
            if table == "meetings_issuedminutes"
            else f"{table}_append_only"
        )
        assert names == {expected}, table


def _refused(statement: str, match: str) -> None:
    with (
        pytest.raises(ProgrammingError, match=match),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)


@postgresql
def test_the_serving_role_can_append_but_not_change_the_audit_trail(roster, member):
    first = audit.record(actor=member, action="test.first", obj=Motion(pk=1, text="甲"))

    with serving_role():
        second = audit.record(actor=member, action="test.second", obj=Motion(pk=2, text="乙"))
        refused = "infogov: %s of infogov_auditentry refused: its rows are never changed"
        _refused(f"UPDATE {TABLE} SET action = 'x' WHERE id = {first.pk}", refused % "UPDATE")
        _refused(f"DELETE FROM {TABLE} WHERE id = {first.pk}", refused % "DELETE")
        _refused(f"TRUNCATE {TABLE}", refused % "TRUNCATE")
        _refused(f"ALTER TABLE {TABLE} DISABLE TRIGGER USER", "must be owner of table")
        _refused(f"ALTER TABLE {TABLE} DISABLE TRIGGER ALL", "must be owner of table")
        _refused("SET session_replication_role = replica", "permission denied to set parameter")
        _refused(f"DROP TRIGGER infogov_append_only ON {TABLE}", "must be owner of relation")

    assert second.seq == first.seq + 1
    assert AuditEntry.objects.get(pk=first.pk).action == "test.first"
    assert auditchain.verify().intact


@postgresql
def test_the_serving_role_is_refused_truncate_without_the_privilege_too(db):
    with serving_role(privileges="SELECT, INSERT, UPDATE, DELETE"):
        _refused(f"TRUNCATE {TABLE}", "permission denied for table infogov_auditentry")


@postgresql
def test_the_owner_may_still_change_rows_and_truncate(roster, member):
    entry = audit.record(actor=member, action="test.owner", obj=Motion(pk=1, text="甲"))

    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET action = 'test.maintained' WHERE id = %s", [entry.pk])
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE waits for no pending check
        cursor.execute("TRUNCATE infogov_auditverification")

    problem = auditchain.verify().problem
    assert (problem.kind, problem.entry_id) == ("altered", entry.pk)


def test_the_sql_refuses_names_that_are_not_plain_tables():
    for name in ("x; DROP TABLE y", "a.b", "名"):
        with pytest.raises(ValueError, match="not a plain table name"):
            postgresql_sql(name)
        with pytest.raises(ValueError, match="not a plain table name"):
            AppendOnly(name)


def test_the_operation_is_described_and_reversible():
    forwards, backwards = postgresql_sql("t", when="OLD.x = 1")
    operation = AppendOnly("t", when="OLD.x = 1")

    assert operation.describe() == "Refuse UPDATE, DELETE and TRUNCATE of t but by its owner"
    assert forwards[1] == (
        "CREATE TRIGGER infogov_append_only BEFORE UPDATE OR DELETE ON t FOR EACH ROW"
        " WHEN (OLD.x = 1) EXECUTE FUNCTION infogov_append_only()"
    )
    assert backwards == [
        "DROP TRIGGER IF EXISTS infogov_append_only_truncate ON t",
        "DROP TRIGGER IF EXISTS infogov_append_only ON t",
    ]
    assert sqlite_sql("t") == (
        [
            "CREATE TRIGGER t_append_only BEFORE UPDATE ON t BEGIN SELECT RAISE(ABORT, 'infogov:"
            " UPDATE of t refused: its rows are never changed once written'); END"
        ],
        ["DROP TRIGGER IF EXISTS t_append_only"],
    )
