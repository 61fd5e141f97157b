"""The record of the audit trail's verifications (manage.py verify_audit), append-only in the
database as the trail itself (infogov.db)."""

import django.utils.timezone
from django.db import migrations, models

from infogov.db import AppendOnly


class Migration(migrations.Migration):
    dependencies = [("infogov", "0003_audit_chain")]

    operations = [
        migrations.CreateModel(
            name="AuditVerification",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "at",
                    models.DateTimeField(
                        default=django.utils.timezone.now,
                        editable=False,
                        verbose_name="verified at",
                    ),
                ),
                ("intact", models.BooleanField(verbose_name="intact")),
                ("entries", models.PositiveBigIntegerField(verbose_name="entries verified")),
                ("head_seq", models.PositiveBigIntegerField(verbose_name="last sequence number")),
                ("head_hash", models.CharField(max_length=64, verbose_name="last hash")),
                ("problem", models.JSONField(blank=True, null=True, verbose_name="problem")),
                ("seconds", models.FloatField(verbose_name="seconds")),
            ],
            options={
                "verbose_name": "audit trail verification",
                "verbose_name_plural": "audit trail verifications",
                "ordering": ["-at", "-id"],
                "get_latest_by": ["at", "id"],
            },
        ),
        AppendOnly("infogov_auditverification"),
    ]
