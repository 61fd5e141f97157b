"""infogov.db: the tables that are never changed once written refuse UPDATE, DELETE and
TRUNCATE to the serving role (PostgreSQL), and the ways around a trigger are closed to it; the
owner, who runs migrations and maintenance, still may."""

import pytest
from django.db import IntegrityError, ProgrammingError, connection, transaction

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
        if table == TABLE:
            continue  # the audit trail's link is filled once: its own test below
        definitions = sorted(found[table])
        assert len(definitions) == 2
        row, statement = definitions
        assert row.startswith("infogov_append_only: CREATE TRIGGER infogov_append_only BEFORE")
        assert "BEFORE DELETE OR UPDATE ON public." in row and "FOR EACH ROW" in row
        assert ("(old.status)::text = 'closed'::text" in row) == (condition is not None)
        if condition is not None:
            assert "(old.counted)::text <> ''::text" in row
        assert "BEFORE TRUNCATE" in statement and "FOR EACH STATEMENT" in statement


@postgresql
def test_the_audit_trail_refuses_delete_and_every_update_but_its_link(db):
    by_name = {found.split(":")[0]: found for found in _triggers()[TABLE]}
    delete, update, truncate = (
        by_name[f"infogov_append_only{suffix}"] for suffix in ("", "_update", "_truncate")
    )

    assert "BEFORE DELETE ON public.infogov_auditentry FOR EACH ROW EXECUTE" in delete
    assert "BEFORE UPDATE ON public.infogov_auditentry FOR EACH ROW WHEN ((NOT (" in update
    assert "(old.seq IS NULL)" in update and "BEFORE TRUNCATE" in truncate


def _unlinked(member) -> AuditEntry:
    return audit.record(actor=member, action="test.unlinked", obj=Motion(pk=3, text="丙"))


def _link_sql(entry_id: int, extra: str = "") -> str:
    return (
        f"UPDATE {TABLE} SET seq = 999999, prev_hash = repeat('a', 64), hash = repeat('b', 64)"
        f"{extra} WHERE id = {entry_id}"
    )


@pytest.mark.parametrize(
    "extra",
    [
        ", action = 'forged'",
        ", object_repr = 'forged'",
        ", actor_id = NULL",
        ", at = at + interval '1 second'",
        """, "after" = '{"forged": 1}'""",
        ", id = id + 100000",
    ],
)
def test_filling_a_link_changes_nothing_else(roster, member, extra):
    entry = _unlinked(member)

    with serving_role():
        if connection.vendor == "postgresql":
            error, match = ProgrammingError, "UPDATE of infogov_auditentry refused"
        else:
            error, match = IntegrityError, "UPDATE of infogov_auditentry refused"
        with pytest.raises(error, match=match), transaction.atomic(), connection.cursor() as c:
            c.execute(_link_sql(entry.pk, extra.replace("interval '1 second'", _second())))

    assert AuditEntry.objects.get(pk=entry.pk).seq is None


def _second() -> str:
    return "interval '1 second'" if connection.vendor == "postgresql" else "1"


def test_a_link_is_filled_once_and_never_changed(roster, member):
    entry = _unlinked(member)
    refused = "UPDATE of infogov_auditentry refused"
    error = ProgrammingError if connection.vendor == "postgresql" else IntegrityError

    with serving_role():
        with pytest.raises(error, match=refused), transaction.atomic(), connection.cursor() as c:
            c.execute(f"UPDATE {TABLE} SET seq = 5 WHERE id = {entry.pk}")  # not a whole link
        auditchain.link_pending()  # the linker, as the serving role
        linked = AuditEntry.objects.get(pk=entry.pk)
        assert linked.seq is not None
        for change in ("seq = seq + 1000000", "hash = repeat('c', 64)", "seq = NULL"):
            with (
                pytest.raises(error, match=refused),
                transaction.atomic(),
                connection.cursor() as c,
            ):
                c.execute(f"UPDATE {TABLE} SET {change} WHERE id = {entry.pk}")

    assert AuditEntry.objects.get(pk=entry.pk).hash == linked.hash
    assert auditchain.verify().intact


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

        auditchain.link_pending()  # as the commit would, as the serving role

    second.refresh_from_db()
    assert second.seq == AuditEntry.objects.get(pk=first.pk).seq + 1
    assert AuditEntry.objects.get(pk=first.pk).action == "test.first"
    assert auditchain.verify().intact


@postgresql
def test_the_serving_role_is_refused_truncate_without_the_privilege_too(db):
    with serving_role(privileges="SELECT, INSERT, UPDATE, DELETE"):
        _refused(f"TRUNCATE {TABLE}", "permission denied for table infogov_auditentry")


@postgresql
def test_the_owner_may_still_change_rows_and_truncate(roster, member):
    entry = audit.record(actor=member, action="test.owner", obj=Motion(pk=1, text="甲"))
    auditchain.link_pending()

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
