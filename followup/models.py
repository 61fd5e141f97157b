"""督办: follow-up items, their sources (decisions, forwardings, instructions, inspection
findings), milestones, timeline, extensions and reminders (Art. 8, 9, 14, 16)."""

import uuid

from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from followup.rules import FINISHED, RUNNING, ItemStatus, Source
from meetings.models import ALLOWED_MATERIAL_EXTENSIONS, Decision
from members.models import Unit


class Holiday(models.Model):
    """A day the Office lists: a public holiday on a weekday, or a make-up working day."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("Public holiday")  # 法定节假日
        WORKDAY = "workday", _("Make-up working day")  # 调休上班

    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(pgettext_lazy("follow-up", "kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("holiday or make-up day")
        verbose_name_plural = _("holidays and make-up days")
        ordering = ["day"]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()


class Forwarding(models.Model):
    """Art. 14 / R-EXEC-1: a decision forwarded to a higher body, and what became of it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        APPROVED_WITH_CHANGES = "approved_with_changes", _("Approved with changes")
        NOT_APPROVED = "not_approved", _("Not approved")

    decision = models.OneToOneField(
        Decision, verbose_name=_("decision"), on_delete=models.PROTECT, related_name="forwarding"
    )
    to_body = models.CharField(
        _("forwarded to"),
        max_length=30,
        choices=[c for c in Decision.Forward.choices if c[0]],
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    their_meeting_on = models.DateField(_("their meeting's date"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=30, choices=Outcome.choices, default=Outcome.PENDING
    )
    document_number = models.CharField(_("their document number"), max_length=60, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("forwarding")
        verbose_name_plural = _("forwardings")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.get_to_body_display()} · {self.decision}"

    def get_absolute_url(self) -> str:
        return reverse("followup:forwarding_detail", kwargs={"pk": self.pk})


class Inspection(models.Model):
    """Art. 8 (4)(5) / R-EXEC-3: an inspection or evaluation of units by the Work Group."""

    class Kind(models.TextChoices):
        EVALUATION = "evaluation", _("Informatization evaluation")  # 信息化评估
        NETWORK_SECURITY = "network_security", _("Network security inspection")  # 网络安全检查

    kind = models.CharField(pgettext_lazy("follow-up", "kind"), max_length=20, choices=Kind.choices)
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    held_on = models.DateField(_("date"))
    inspectors = models.CharField(_("inspectors"), max_length=300)
    units = models.ManyToManyField(Unit, verbose_name=_("units inspected"), related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("followup:inspection_detail", kwargs={"pk": self.pk})


class Finding(models.Model):
    """What an inspection found at one unit; followed up as a rectification item (整改)."""

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    text = models.TextField(_("finding"))

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["inspection", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class ItemQuerySet(models.QuerySet):
    def running(self) -> "ItemQuerySet":
        return self.filter(status__in=RUNNING)

    def overdue(self, today) -> "ItemQuerySet":
        """R-EXEC-2: computed, never stored: running with the due date passed."""
        return self.running().filter(due_date__lt=today)

    def with_milestone_behind(self, today) -> "ItemQuerySet":
        behind = Milestone.objects.filter(
            item=OuterRef("pk"), done_on__isnull=True, due_date__lt=today
        )
        return self.annotate(milestone_behind=Exists(behind))

    def for_ledger(self) -> "ItemQuerySet":
        return self.select_related("lead_unit", "responsible")


class Item(models.Model):
    """督办事项 (R-EXEC-2): one lead unit, one responsible person, a due date."""

    Status = ItemStatus
    Source = Source

    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    description = models.TextField(_("what is to be done"), blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    decision = models.ForeignKey(
        Decision,
        verbose_name=_("decision"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="followup_items",
    )
    forwarding = models.ForeignKey(
        Forwarding,
        verbose_name=_("forwarding"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    finding = models.OneToOneField(
        Finding,
        verbose_name=_("finding"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="item",
    )
    instructed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("instructed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A source outside this app (a project's milestone, followup.hooks): a label and a link.
    source_label = models.CharField(_("source"), max_length=200, blank=True)
    source_url = models.CharField(_("source link"), max_length=300, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, help_text=_("Its share in the parent's progress.")
    )
    lead_unit = models.ForeignKey(
        Unit, verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="+"
    )
    co_units = models.ManyToManyField(
        Unit, verbose_name=_("co-units"), blank=True, related_name="+"
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible person"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervising leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(_("due date"))
    # Kept for the statistics when an extension moves due_date.
    original_due_date = models.DateField(_("original due date"))
    status = models.CharField(
        _("status"), max_length=30, choices=ItemStatus.choices, default=ItemStatus.DRAFT
    )
    percent = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    assigned_at = models.DateTimeField(_("assigned at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField(pgettext_lazy("follow-up", "closed at"), null=True, blank=True)
    closed_late = models.BooleanField(_("closed late"), default=False)  # 逾期办结
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Moved on whenever the item's row is locked for a change (services._common.lock_item):
    # the ledger's rows are cached under the sum of the revisions of the items listed.
    revision = models.PositiveBigIntegerField(default=0, editable=False)

    objects = ItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up item")
        verbose_name_plural = _("follow-up items")
        ordering = ["due_date", "id"]
        indexes = [
            # The ledger's order: a page of it reads 50 rows of the index, not all to sort.
            models.Index(fields=["due_date", "id"]),
            # The ledger's revision (ledger.revision) is counted and summed from it alone.
            models.Index(fields=["revision"]),
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["lead_unit", "status"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(percent__lte=100), name="followup_percent_max_100"),
            models.CheckConstraint(
                condition=~Q(source=Source.INSPECTION) | Q(finding__isnull=False),
                name="followup_inspection_item_has_finding",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("followup:item_detail", kwargs={"pk": self.pk})

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED


class Milestone(models.Model):
    """节点: a dated step of an item; behind when its date has passed and it is not done."""

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    due_date = models.DateField(_("due date"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["item", "due_date", "id"]

    def __str__(self) -> str:
        return self.title


def attachment_path(instance: "Event", filename: str) -> str:
    return f"followup/{instance.item_id}/{uuid.uuid4().hex}/{filename}"


class Event(models.Model):
    """One entry of an item's timeline: each step taken, with its text."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        ASSIGNED = "assigned", _("Assigned")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        PROGRESS = "progress", _("Progress report")
        COMPLETION_REQUESTED = "completion_requested", _("Completion requested")
        CLOSED = "closed", pgettext_lazy("follow-up", "Closed")
        RETURNED = "returned", _("Returned")
        CANCELLED = "cancelled", pgettext_lazy("follow-up", "Cancelled")
        EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
        EXTENSION_APPROVED = "extension_approved", _("Extension approved")
        EXTENSION_REFUSED = "extension_refused", _("Extension refused")
        REMINDED = "reminded", _("Reminded")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(pgettext_lazy("follow-up", "kind"), max_length=30, choices=Kind.choices)
    text = models.TextField(_("text"), blank=True)
    percent = models.PositiveSmallIntegerField(_("progress (%)"), null=True, blank=True)
    milestone = models.ForeignKey(
        Milestone, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attachment = models.FileField(
        _("attachment"),
        upload_to=attachment_path,
        blank=True,
        validators=[FileExtensionValidator(ALLOWED_MATERIAL_EXTENSIONS)],
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["item", "at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.item}"


class Extension(models.Model):
    """延期: asked by the unit before the due date, decided by someone else."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="extensions")
    reason = models.TextField(_("reason"))
    old_due_date = models.DateField(_("due date before"))
    new_due_date = models.DateField(_("new due date"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")
        ordering = ["item", "-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status="pending"),
                name="followup_one_pending_extension",
            )
        ]

    def __str__(self) -> str:
        return f"{self.item} → {self.new_due_date:%Y-%m-%d}"


class Reminder(models.Model):
    """催办: sent at most once per item, kind and day (the database says so)."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", _("Due in 3 working days")
        OVERDUE = "overdue", _("Overdue")
        MANUAL = "manual", _("By the Office")

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(pgettext_lazy("follow-up", "kind"), max_length=10, choices=Kind.choices)
    on_date = models.DateField(_("day"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipients = models.PositiveSmallIntegerField(_("recipients"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "kind", "on_date"], name="followup_reminder_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.item} · {self.on_date:%Y-%m-%d}"
