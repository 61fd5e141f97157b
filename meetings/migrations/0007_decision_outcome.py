from django.db import migrations, models

from infogov.db import sqlite_sql


def outcomes_from_votes(apps, schema_editor):
    """Art. 13: a decision recorded on a failed vote is "not adopted", and (Art. 14) was never
    to be forwarded: the one change this migration makes to rows written before it."""
    if schema_editor.connection.vendor == "sqlite":
        # Remaking the table for the new column dropped SQLite's trigger already; make sure.
        for statement in sqlite_sql("meetings_decision")[1]:
            schema_editor.execute(statement)
    Decision = apps.get_model("meetings", "Decision")
    Decision.objects.filter(motion__passed=False).update(outcome="not_adopted", forward_to="")


def append_only_again_on_sqlite(apps, schema_editor):
    # SQLite remade the table for the column and the constraint, dropping its trigger
    # (infogov.db); PostgreSQL altered it in place, and its triggers stand.
    if schema_editor.connection.vendor == "sqlite":
        for statement in sqlite_sql("meetings_decision")[0]:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0006_append_only"),
    ]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="outcome",
            field=models.CharField(
                choices=[("approved", "Approved"), ("not_adopted", "Not adopted")],
                default="approved",
                max_length=20,
                verbose_name="outcome",
            ),
        ),
        migrations.RunPython(outcomes_from_votes, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="decision",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("outcome", "not_adopted"), _negated=True),
                    ("forward_to", ""),
                    _connector="OR",
                ),
                name="decision_not_adopted_not_forwarded",
            ),
        ),
        migrations.RunPython(append_only_again_on_sqlite, migrations.RunPython.noop),
    ]
