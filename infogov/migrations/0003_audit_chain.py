"""The audit trail becomes a hash chain (infogov.auditchain): existing entries are chained in
the order of their ids, from the genesis value, before the chain's columns become required;
then the table is made append-only in the database (infogov.db)."""

import django.utils.timezone
from django.db import migrations, models

from infogov.auditchain import GENESIS, HASHED, entry_hash
from infogov.db import AppendOnly

BATCH = 2000


def chain_existing(apps, schema_editor):
    AuditEntry = apps.get_model("infogov", "AuditEntry")
    seq, prev_hash, last_id = 0, GENESIS, 0
    while True:  # by pages of ids, so that the table is never read while it is written
        page = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:BATCH])
        if not page:
            return
        for entry in page:
            seq += 1
            entry.seq, entry.prev_hash = seq, prev_hash
            entry.hash = prev_hash = entry_hash({name: getattr(entry, name) for name in HASHED})
        AuditEntry.objects.bulk_update(page, ["seq", "prev_hash", "hash"])
        last_id = page[-1].id


class Migration(migrations.Migration):
    dependencies = [("infogov", "0002_initial")]

    operations = [
        migrations.AlterModelOptions(
            name="auditentry",
            options={
                "ordering": ["-seq"],
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit trail",
            },
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="at",
            field=models.DateTimeField(
                db_index=True,
                default=django.utils.timezone.now,
                editable=False,
                verbose_name="at",
            ),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(null=True, editable=False),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(max_length=64, null=True, editable=False),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(max_length=64, null=True, editable=False),
        ),
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(
                editable=False, unique=True, verbose_name="sequence number"
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(
                editable=False, max_length=64, verbose_name="hash of the entry before"
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="hash",
            field=models.CharField(editable=False, max_length=64, verbose_name="hash"),
        ),
        AppendOnly("infogov_auditentry"),
    ]
