"""A serving role for tests on PostgreSQL: a role that owns no table, as README's deployment
section sets up, made and dropped inside the test's transaction."""

import uuid
from contextlib import contextmanager

from django.db import connection


@contextmanager
def serving_role(*, privileges: str = "ALL"):
    """Act as a new NOLOGIN role granted ``privileges`` on every table and sequence (ALL by
    default, TRUNCATE included, so that what refuses is the trigger and not a missing grant);
    the test's transaction rolls the role back. SQLite has no roles: there it does nothing."""
    if connection.vendor != "postgresql":
        yield None
        return
    name = f"infogov_serving_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        # The deferred foreign key checks of the rows written so far go first, so that TRUNCATE
        # and ALTER TABLE meet the privileges and triggers, not "pending trigger events".
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"CREATE ROLE {name} NOLOGIN")
        cursor.execute(f"GRANT {privileges} ON ALL TABLES IN SCHEMA public TO {name}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {name}")
        cursor.execute(f"SET ROLE {name}")
        try:
            yield name
        finally:
            cursor.execute("RESET ROLE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
