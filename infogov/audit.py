"""The one way services record what they changed: an entry in the audit trail, which becomes
a link of the hash chain (infogov.auditchain) as soon as the transaction that wrote it commits.

The entry is written inside the service's transaction, so it commits or rolls back with the
change it records: none is lost, none is left for a change that did not happen. Its link (its
place in the chain and its hash) is written just after the commit, by ``auditchain.link_pending``
in a transaction of its own. Linking takes the chain's lock; taking it inside the service's
transaction would hold it through that transaction's commit, so that every service writing
an entry, every vote of a burst among them, would commit one after another
(``make bench``: tests/infogov/test_auditchain.py says what linking after the commit keeps).
"""

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
    """Append an audit entry for ``obj`` to the service's transaction (its own if called
    outside one); it is linked into the chain once that transaction commits."""
    entry = AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=before,
        after=after,
        at=timezone.now(),
    )
    # robust: the change has committed; should linking fail (a lost connection), the entry
    # is linked by the next linker, or by manage.py verify_audit.
    transaction.on_commit(auditchain.link_pending, robust=True)
    return entry
