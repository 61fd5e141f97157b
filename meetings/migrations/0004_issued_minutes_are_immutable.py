"""R-MIN-2: the database itself refuses to change issued minutes.

UPDATE is refused on PostgreSQL and SQLite. DELETE is refused on PostgreSQL too; on SQLite a
DELETE trigger would also stop Django's test flush, so there deletion is refused by the model
and its queryset (and by the PROTECT foreign keys of distributions and corrections).
"""

from django.db import migrations

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION meetings_issued_minutes_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'issued minutes are immutable (R-MIN-2): issue a correction instead';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER meetings_issued_minutes_no_update
    BEFORE UPDATE OR DELETE ON meetings_issuedminutes
    FOR EACH ROW EXECUTE FUNCTION meetings_issued_minutes_immutable();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS meetings_issued_minutes_no_update ON meetings_issuedminutes;
DROP FUNCTION IF EXISTS meetings_issued_minutes_immutable();
"""
SQLITE_UP = """
CREATE TRIGGER meetings_issued_minutes_no_update
BEFORE UPDATE ON meetings_issuedminutes
BEGIN
    SELECT RAISE(ABORT, 'issued minutes are immutable (R-MIN-2): issue a correction instead');
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS meetings_issued_minutes_no_update;"


def forwards(apps, schema_editor):
    sql = {"postgresql": POSTGRES_UP, "sqlite": SQLITE_UP}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    sql = {"postgresql": POSTGRES_DOWN, "sqlite": SQLITE_DOWN}.get(schema_editor.connection.vendor)
    if sql:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0003_minutes")]

    operations = [migrations.RunPython(forwards, backwards)]
