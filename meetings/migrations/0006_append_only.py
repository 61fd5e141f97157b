"""Art. 13-15, R-MIN-2: what a meeting has counted and decided is never changed once written.

Named votes, ballot receipts, decisions and issued minutes are append-only, and so is a motion
once its vote is closed (counted); see infogov.db for the rule: the tables' owner (migrations,
maintenance) still may, the serving role may not. Issued minutes already refused UPDATE and
DELETE (0004) for every role; on PostgreSQL that trigger gives way to the shared one, which
refuses TRUNCATE too. On SQLite 0004's UPDATE trigger stays as it was. The secret ballot's
counters change with every ballot; they are left to a later migration.
"""

from django.db import migrations

from infogov.db import AppendOnly

ISSUED_MINUTES_0004 = """
CREATE OR REPLACE FUNCTION meetings_issued_minutes_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'issued minutes are immutable (R-MIN-2): issue a correction instead';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER meetings_issued_minutes_no_update
    BEFORE UPDATE OR DELETE ON meetings_issuedminutes
    FOR EACH ROW EXECUTE FUNCTION meetings_issued_minutes_immutable();
"""


def drop_0004_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS meetings_issued_minutes_no_update ON meetings_issuedminutes;"
            " DROP FUNCTION IF EXISTS meetings_issued_minutes_immutable()"
        )


def restore_0004_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ISSUED_MINUTES_0004)


class Migration(migrations.Migration):
    dependencies = [("meetings", "0005_meeting_revision")]

    operations = [
        AppendOnly("meetings_namedvote"),
        AppendOnly("meetings_ballotreceipt"),
        AppendOnly("meetings_decision"),
        AppendOnly("meetings_motion", when="OLD.status = 'closed'"),
        migrations.RunPython(drop_0004_trigger, restore_0004_trigger),
        AppendOnly("meetings_issuedminutes", sqlite=False),
    ]
