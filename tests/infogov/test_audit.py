"""audit.insert_sql writes the very row audit.record writes, on either database."""

import datetime as dt

from django.db import connection
from django.utils import timezone

from infogov import audit
from infogov.models import AuditEntry
from meetings.models import Motion

COMPARED = ("actor_id", "action", "object_type", "object_id", "object_repr", "before", "after")


def _row(entry: AuditEntry) -> tuple:
    return tuple(getattr(entry, name) for name in COMPARED)


def test_the_statement_writes_what_record_writes(roster, member):
    for before, after in ((None, {"choice": "yes"}), ({"a": [1, "二"]}, None), (None, None)):
        kwargs = {
            "actor": member,
            "action": "vote.cast",
            "obj": Motion(pk=7, text="同意" * 150),
            "before": before,
            "after": after,
        }
        recorded = audit.record(**kwargs)
        with connection.cursor() as cursor:
            cursor.execute(*audit.insert_sql(**kwargs))
        written = AuditEntry.objects.get(pk__gt=recorded.pk)

        assert _row(written) == _row(recorded)
        assert len(written.object_repr) == 200
        assert abs(written.at - timezone.now()) < dt.timedelta(seconds=5)


def test_from_a_source_there_is_one_row_per_source_row(roster, member):
    sql, params = audit.insert_sql(actor=member, action="x", obj=Motion(pk=1), source="source")
    with connection.cursor() as cursor:
        for n in (0, 2):
            values = " UNION ALL ".join(["SELECT 1"] * n) or "SELECT 1 WHERE 1 = 0"
            cursor.execute(f"WITH source AS ({values}) {sql}", params)

    assert AuditEntry.objects.filter(action="x").count() == 2
