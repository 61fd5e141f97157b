"""The one way services record what they changed."""

from typing import Any

from django.db import models

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
