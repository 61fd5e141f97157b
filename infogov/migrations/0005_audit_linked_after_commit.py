"""An audit entry is linked into the chain just after its transaction commits (infogov.audit):
its link columns are null until then, and the database lets a row be updated once, to fill
them, and never otherwise; DELETE and TRUNCATE stay refused (infogov.db)."""

from django.db import migrations, models

from infogov.db import AppendOnly

TABLE = "infogov_auditentry"
# The one UPDATE an entry may receive, from anyone: its link filled, nothing else changed
# (IS NOT DISTINCT FROM compares nulls as values, on PostgreSQL and on SQLite 3.39+).
LINK_FILLED = " AND ".join(
    [
        "OLD.seq IS NULL",
        "NEW.seq IS NOT NULL",
        "NEW.prev_hash IS NOT NULL",
        "NEW.hash IS NOT NULL",
        *(
            f"NEW.{column} IS NOT DISTINCT FROM OLD.{column}"
            for column in (
                "id",
                "at",
                "actor_id",
                "action",
                "object_type",
                "object_id",
                "object_repr",
                "before",
                "after",
            )
        ),
    ]
)


def _run(schema_editor, statements) -> None:
    for statement in statements:
        schema_editor.execute(statement, params=None)  # no placeholders: % is plpgsql


def drop_old_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, AppendOnly(TABLE)._statements(vendor, forwards=False))


def restore_old_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    _run(schema_editor, AppendOnly(TABLE)._statements(vendor, forwards=True))


class Migration(migrations.Migration):
    dependencies = [("infogov", "0004_audit_verification")]

    operations = [
        migrations.RunPython(drop_old_triggers, restore_old_triggers),
        migrations.AlterModelOptions(
            name="auditentry",
            options={
                "ordering": ["-at", "-id"],
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit trail",
            },
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name="hash"),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(
                editable=False, max_length=64, null=True, verbose_name="hash of the entry before"
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(
                editable=False, null=True, unique=True, verbose_name="sequence number"
            ),
        ),
        AppendOnly(TABLE, update_allowed=LINK_FILLED),
    ]
