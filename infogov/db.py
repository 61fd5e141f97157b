"""Append-only tables, enforced by the database: the trigger SQL and a migration operation.

The rule (PostgreSQL): UPDATE, DELETE and TRUNCATE of a protected table are refused unless the
current role is a member of the role that owns the table (``pg_has_role(current_user, owner,
'MEMBER')``: the owner itself, a role the owner was granted to, or a superuser). Whoever passes
could disable the trigger or drop the table anyway, so refusing them would protect nothing;
and it is the owner who runs migrations, maintenance and Django's test flush (TRUNCATE). The
portal serves with another role that owns no table (README, "Deploying on PostgreSQL";
``infogov.checks`` warns under ``check --deploy`` when it does), so that role can neither
change a written row nor get around the triggers: ``ALTER TABLE ... DISABLE TRIGGER`` needs the
owner, ``session_replication_role`` a superuser, and TRUNCATE a privilege it is not granted
(and the trigger refuses it too, should it be). A session cannot mark itself as maintenance,
because any role may set a custom setting: the rule reads only who the role is.

``when`` narrows UPDATE and DELETE to the rows whose old values match (a counted motion:
``OLD.status = 'closed'``); TRUNCATE is refused outright. ``update_allowed`` lets through, for
every role, the one UPDATE a table's rows may still receive, as a condition on ``OLD`` and
``NEW`` (an audit entry's link, written once after its commit: infogov migration 0005); then
UPDATE and DELETE have a trigger each, since a DELETE trigger's condition cannot name ``NEW``.

SQLite has no roles: there the operation adds a BEFORE UPDATE trigger that refuses everyone
(with ``sqlite=True``, the default). DELETE is left to the models and their querysets, because
a DELETE trigger would also stop Django's test flush. SQLite drops a table's triggers when
Django remakes the table (most AlterField operations): a later migration that does so must
apply ``AppendOnly`` again (tests/infogov/test_append_only.py lists every protected table).

Use in an app's migration::

    from infogov.db import AppendOnly

    operations = [AppendOnly("meetings_namedvote"), AppendOnly("meetings_motion",
                  when="OLD.status = 'closed'")]
"""

from django.db import migrations

FUNCTION = "infogov_append_only"

# bandit B608: the one name in it is the constant above; no input reaches this SQL.
POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER')
    THEN
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'infogov: % of % refused: its rows are never changed once written',
        TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Only the owner of the table may change it (migrations, maintenance).';
END;
$$
"""  # nosec B608


def _check_identifier(name: str) -> str:
    if not name.replace("_", "").isalnum() or not name.isascii() or len(name) > 50:
        raise ValueError(f"not a plain table name: {name!r}")
    return name


def _update_condition(when: str | None, update_allowed: str | None) -> str | None:
    if update_allowed is None:
        return when
    refused = f"NOT ({update_allowed})"
    return f"({when}) AND {refused}" if when else refused


def postgresql_sql(
    table: str, *, when: str | None = None, update_allowed: str | None = None
) -> tuple[list[str], list[str]]:
    """Return the statements that make ``table`` append-only on PostgreSQL, and those that
    undo it (the shared function stays: other tables use it)."""
    table = _check_identifier(table)
    condition = f" WHEN ({when})" if when else ""
    truncate = (
        f"CREATE TRIGGER {FUNCTION}_truncate BEFORE TRUNCATE ON {table}"
        f" FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
    )
    backwards = [
        f"DROP TRIGGER IF EXISTS {FUNCTION}_truncate ON {table}",
        f"DROP TRIGGER IF EXISTS {FUNCTION} ON {table}",
    ]
    if update_allowed is None:
        row = (
            f"CREATE TRIGGER {FUNCTION} BEFORE UPDATE OR DELETE ON {table}"
            f" FOR EACH ROW{condition} EXECUTE FUNCTION {FUNCTION}()"
        )
        return [POSTGRESQL_FUNCTION, row, truncate], backwards
    update = _update_condition(when, update_allowed)
    forwards = [
        POSTGRESQL_FUNCTION,
        f"CREATE TRIGGER {FUNCTION} BEFORE DELETE ON {table}"
        f" FOR EACH ROW{condition} EXECUTE FUNCTION {FUNCTION}()",
        f"CREATE TRIGGER {FUNCTION}_update BEFORE UPDATE ON {table}"
        f" FOR EACH ROW WHEN ({update}) EXECUTE FUNCTION {FUNCTION}()",
        truncate,
    ]
    return forwards, [f"DROP TRIGGER IF EXISTS {FUNCTION}_update ON {table}", *backwards]


def sqlite_sql(
    table: str, *, when: str | None = None, update_allowed: str | None = None
) -> tuple[list[str], list[str]]:
    """Return the statements that refuse UPDATE of ``table`` on SQLite, and those that undo it."""
    table = _check_identifier(table)
    update = _update_condition(when, update_allowed)
    condition = f" WHEN {update}" if update else ""
    name = f"{table}_append_only"
    forwards = [
        f"CREATE TRIGGER {name} BEFORE UPDATE ON {table}{condition} BEGIN"
        f" SELECT RAISE(ABORT, 'infogov: UPDATE of {table} refused: its rows are never"
        " changed once written'); END"
    ]
    return forwards, [f"DROP TRIGGER IF EXISTS {name}"]


class AppendOnly(migrations.operations.base.Operation):
    """Make ``table`` append-only in the database (the module docstring says how)."""

    reversible = True
    reduces_to_sql = True

    def __init__(
        self,
        table: str,
        *,
        when: str | None = None,
        update_allowed: str | None = None,
        sqlite: bool = True,
    ) -> None:
        self.table, self.when, self.sqlite = _check_identifier(table), when, sqlite
        self.update_allowed = update_allowed

    def state_forwards(self, app_label, state) -> None:
        pass  # triggers are not part of Django's model state

    def _statements(self, vendor: str, *, forwards: bool) -> list[str]:
        if vendor == "postgresql":
            up, down = postgresql_sql(
                self.table, when=self.when, update_allowed=self.update_allowed
            )
        elif vendor == "sqlite" and self.sqlite:
            up, down = sqlite_sql(self.table, when=self.when, update_allowed=self.update_allowed)
        else:
            return []
        return up if forwards else down

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        for statement in self._statements(schema_editor.connection.vendor, forwards=True):
            schema_editor.execute(statement, params=None)  # no placeholders: % is plpgsql

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        for statement in self._statements(schema_editor.connection.vendor, forwards=False):
            schema_editor.execute(statement, params=None)  # no placeholders: % is plpgsql

    def describe(self) -> str:
        return f"Refuse UPDATE, DELETE and TRUNCATE of {self.table} but by its owner"

    @property
    def migration_name_fragment(self) -> str:
        return f"append_only_{self.table}"
