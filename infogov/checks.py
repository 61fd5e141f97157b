"""System checks of the deployment that the whole portal relies on."""

from django.core import checks
from django.db import DatabaseError, connections

# Whether the connected role owns (or may act as the owner of) any of the given tables.
_OWNED_SQL = (
    "SELECT current_user, count(*) FROM pg_class"
    " WHERE oid = ANY(ARRAY(SELECT to_regclass(name) FROM unnest(%s::text[]) AS name))"
    " AND pg_has_role(current_user, relowner, 'MEMBER')"
)


@checks.register(checks.Tags.security, deploy=True)
def serving_role_owns_no_table(app_configs=None, databases=None, **kwargs):
    """infogov.db: the append-only triggers bind only a role that does not own the tables, so
    the portal must not serve as their owner (PostgreSQL; SQLite has no roles)."""
    messages = []
    for alias in databases or []:
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        tables = [*connection.introspection.django_table_names(), "django_migrations"]
        try:
            with connection.cursor() as cursor:
                cursor.execute(_OWNED_SQL, [tables])
                role, owned = cursor.fetchone()
        except DatabaseError as error:
            messages.append(
                checks.Warning(
                    f"Could not check which role owns the tables of database {alias!r}: {error}",
                    id="infogov.W002",
                )
            )
            continue
        if owned:
            messages.append(
                checks.Warning(
                    f"The database role {role!r} owns (or may act as the owner of) {owned} of "
                    f"the portal's tables in database {alias!r}, so it can get around the "
                    "append-only triggers (disable them, truncate the tables).",
                    hint="Serve with a role that owns no table and migrate as the owner: see "
                    "README.md, Deploying on PostgreSQL.",
                    id="infogov.W001",
                )
            )
    return messages
