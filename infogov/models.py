"""Cross-cutting models: the audit trail every service appends to, a hash chain (auditchain.py),
and the record of its verifications."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntryQuerySet(models.QuerySet):
    def for_object(self, obj: models.Model) -> "AuditEntryQuerySet":
        return self.filter(object_type=obj._meta.label, object_id=str(obj.pk))

    def update(self, **kwargs: Any) -> int:
        raise AuditTrailError(_("The audit trail is append-only."))

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditTrailError(_("The audit trail is append-only."))


class AuditTrailError(Exception):
    pass


class AuditEntry(models.Model):
    """One change of state: who did what to which object, with before and after; a link of
    the hash chain (infogov.auditchain) once linked; appended only through infogov.audit.record."""

    # Set by record() before the hash is computed, so not auto_now_add (which would set it
    # again when saving).
    at = models.DateTimeField(_("at"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object ID"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    # The chain: 1, 2, 3, ... without gaps, so a removed entry leaves one. Null until the
    # entry is linked, just after its transaction commits (infogov.audit), and then never
    # changed (migration 0005). Null, not "", for "no link yet": the database's rule tells the
    # two apart (DJ001's advice is for text that may be blank, which a hash never is).
    seq = models.PositiveBigIntegerField(
        _("sequence number"), unique=True, null=True, editable=False
    )
    prev_hash = models.CharField(  # noqa: DJ001
        _("hash of the entry before"), max_length=64, null=True, editable=False
    )
    hash = models.CharField(_("hash"), max_length=64, null=True, editable=False)  # noqa: DJ001

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        # Newest first, linked or not yet (an entry's link comes just after its commit).
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Append-only: an entry is written once and never rewritten.
        if self.pk is not None:
            raise AuditTrailError(_("The audit trail is append-only."))
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AuditTrailError(_("The audit trail is append-only."))


class AuditVerification(models.Model):
    """One run of ``manage.py verify_audit``: how far the chain was found intact (the link the
    next run compares with), or the first problem. Appended, never changed."""

    at = models.DateTimeField(_("verified at"), default=timezone.now, editable=False)
    intact = models.BooleanField(_("intact"))
    entries = models.PositiveBigIntegerField(_("entries verified"))
    # The last good link: the whole chain when intact, up to the problem otherwise.
    head_seq = models.PositiveBigIntegerField(_("last sequence number"))
    head_hash = models.CharField(_("last hash"), max_length=64)
    # The first problem (auditchain.Problem.as_json()), if any.
    problem = models.JSONField(_("problem"), null=True, blank=True)
    seconds = models.FloatField(_("seconds"))

    class Meta:
        verbose_name = _("audit trail verification")
        verbose_name_plural = _("audit trail verifications")
        ordering = ["-at", "-id"]
        get_latest_by = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.head_seq} {self.intact}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditTrailError(_("The audit trail is append-only."))
        super().save(*args, **kwargs)
