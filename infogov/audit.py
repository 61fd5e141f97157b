"""The one way services record what they changed: an entry appended to the hash chain
(infogov.auditchain)."""

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from infogov import auditchain
from infogov.models import AuditEntry


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append an audit entry for ``obj``; call inside the service's transaction, which then
    holds the chain (auditchain.head) until it ends, so call it last."""
    values = {**_values(actor, action, obj, before, after), "at": timezone.now()}
    with transaction.atomic(savepoint=False):  # its own transaction if called outside one
        return AuditEntry.objects.create(**values, **_link(values))


def _values(
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> dict[str, Any]:
    return {
        "actor": actor if getattr(actor, "pk", None) else None,
        "action": action,
        "object_type": obj._meta.label,
        "object_id": str(obj.pk),
        "object_repr": str(obj)[:200],
        "before": before,
        "after": after,
    }


def _link(values: dict[str, Any]) -> dict[str, Any]:
    return auditchain.link(
        {
            "at": values["at"],
            "actor_id": getattr(values["actor"], "pk", None),
            "action": values["action"],
            "object_type": values["object_type"],
            "object_id": values["object_id"],
            "object_repr": values["object_repr"],
            "before": auditchain.stored_json(values["before"]),
            "after": auditchain.stored_json(values["after"]),
        }
    )
