"""The minutes' rows (Art. 15-16): the draft the Office writes, the numbers a body has used,
the issued documents, where they were sent and who has read them.

The models belong to the meetings app (``meetings/models/__init__.py`` imports this module
after the others so that Django registers them); they name the other models by string, so that
this module imports nothing of meetings but the minutes' own rules.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from meetings.minutes import rules


class Minutes(models.Model):
    """会议纪要 in the making: the Office writes the narrative; the facts come from the
    meeting's record when the document is rendered, so they cannot be edited here (R-MIN-1)."""

    class Status(models.TextChoices):
        # The values are those of the state machine (meetings.minutes.rules).
        DRAFT = rules.Status.DRAFT.value, _("Draft")
        SUBMITTED = rules.Status.SUBMITTED.value, _("Submitted to the leader")
        RETURNED = rules.Status.RETURNED.value, _("Returned with comments")
        SIGNING = rules.Status.SIGNING.value, _("Being signed")
        ISSUED = rules.Status.ISSUED.value, _("Issued")

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.PROTECT, related_name="minutes"
    )
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    corrects = models.ForeignKey(
        "IssuedMinutes",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
    )
    narrative = models.TextField(
        _("narrative"),
        blank=True,
        help_text=_("One paragraph a line; headings start with 一、 （一） or 1."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    comments = models.TextField(_("leader's comments"), blank=True)
    distribution = models.ManyToManyField(
        "members.Unit", verbose_name=_("units concerned"), blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("drafted at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last edited"), auto_now=True)

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:minutes_detail", kwargs={"pk": self.pk})


class DocumentCounter(models.Model):
    """The last minutes number a body used in a year; locked while a number is allocated, so
    numbers are gapless and never shared (R-MIN-1)."""

    body = models.ForeignKey(
        "members.Body", verbose_name=_("body"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")
        constraints = [
            models.UniqueConstraint(fields=["body", "year"], name="document_counter_once")
        ]

    def __str__(self) -> str:
        return f"{self.body} {self.year}: {self.last}"


class IssuedMinutesQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableDocument(_("Issued minutes cannot be changed; issue a correction."))

    def delete(self):
        raise ImmutableDocument(_("Issued minutes cannot be deleted; issue a correction."))


class ImmutableDocument(Exception):
    pass


class IssuedMinutes(models.Model):
    """Signed and issued minutes: the PDF as issued, never edited in place (R-MIN-2).

    Besides this model's refusal, database triggers refuse UPDATE (and DELETE on PostgreSQL)
    of these rows (migration 0004). A correction is a new document pointing at this one.
    """

    minutes = models.ForeignKey(
        Minutes, verbose_name=_("minutes"), on_delete=models.PROTECT, related_name="issued"
    )
    body = models.ForeignKey(
        "members.Body", verbose_name=_("body"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("number in the year"))
    number = models.CharField(_("document number"), max_length=60, unique=True)
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    content = models.JSONField(_("content"))
    content_sha256 = models.CharField(_("content SHA-256"), max_length=64)
    pdf = models.BinaryField(_("PDF"))
    pdf_sha256 = models.CharField(_("PDF SHA-256"), max_length=64, unique=True)
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    signer_certificate = models.CharField(_("signer's certificate"), max_length=300)
    demo_signature = models.BooleanField(_("demo signature"), default=False)
    signed_at = models.DateTimeField(_("signed at"))
    corrects = models.ForeignKey(
        "self",
        verbose_name=_("corrects"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrected_by",
    )

    objects = IssuedMinutesQuerySet.as_manager()

    class Meta:
        verbose_name = _("issued minutes")
        verbose_name_plural = _("issued minutes")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["body", "year", "sequence"], name="minutes_number_once")
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None or not self._state.adding:
            raise ImmutableDocument(_("Issued minutes cannot be changed; issue a correction."))
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("meetings:issued_detail", kwargs={"pk": self.pk})

    def delete(self, *args, **kwargs):
        raise ImmutableDocument(_("Issued minutes cannot be deleted; issue a correction."))


class Distribution(models.Model):
    """Art. 16: issued minutes go to the units concerned; read receipts say who has read them."""

    issued = models.ForeignKey(
        IssuedMinutes,
        verbose_name=_("issued minutes"),
        on_delete=models.PROTECT,
        related_name="distributions",
    )
    unit = models.ForeignKey(
        "members.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        verbose_name = _("distribution")
        verbose_name_plural = _("distributions")
        constraints = [models.UniqueConstraint(fields=["issued", "unit"], name="distribution_once")]

    def __str__(self) -> str:
        return f"{self.issued} → {self.unit}"


class ReadReceipt(models.Model):
    distribution = models.ForeignKey(
        Distribution, on_delete=models.PROTECT, related_name="receipts"
    )
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    read_at = models.DateTimeField(_("read at"), auto_now_add=True)

    class Meta:
        verbose_name = _("read receipt")
        verbose_name_plural = _("read receipts")
        constraints = [
            models.UniqueConstraint(fields=["distribution", "reader"], name="read_receipt_once")
        ]

    def __str__(self) -> str:
        return f"{self.reader} @ {self.distribution}"
