"""The one way services record what they changed."""

from functools import cache
from typing import Any

from django.db import connection, models
from django.utils import timezone

from infogov.models import AuditEntry


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an audit entry for ``obj``; call inside the service's transaction."""
    return AuditEntry.objects.create(**_values(actor, action, obj, before, after))


def insert_sql(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    source: str | None = None,
) -> tuple[str, list]:
    """The entry ``record`` would append, as one INSERT statement and its parameters, for a hot
    path that runs it together with its own statements (meetings.services.cast_vote_by_id).

    With ``source`` (a table or a WITH query's name), the row is inserted once for each row of
    ``source``: none if it is empty. The values are prepared by the model's fields, as the ORM
    prepares them, so the row is the one ``record`` would write on either database (tested).
    """
    values = {
        **_values(actor, action, obj, before, after),
        "actor": getattr(actor, "pk", None) or None,
        "at": timezone.now(),
    }
    params = [field.get_db_prep_save(values[field.name], connection) for field in _fields()]
    return _statement(source), params


@cache
def _fields() -> tuple[models.Field, ...]:
    # The columns record() writes; ``at`` is auto_now_add, set here as pre_save() would.
    return tuple(f for f in AuditEntry._meta.concrete_fields if not f.primary_key)


@cache
def _statement(source: str | None) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in _fields())
    holes = ", ".join(["%s"] * len(_fields()))
    into = f"INSERT INTO {quote(AuditEntry._meta.db_table)} ({columns})"
    if source is None:
        return f"{into} VALUES ({holes})"
    return f"{into} SELECT {holes} FROM {source}"


def _values(actor, action, obj, before, after) -> dict[str, Any]:
    return {
        "actor": actor if getattr(actor, "pk", None) else None,
        "action": action,
        "object_type": obj._meta.label,
        "object_id": str(obj.pk),
        "object_repr": str(obj)[:200],
        "before": before,
        "after": after,
    }
