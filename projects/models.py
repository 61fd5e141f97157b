"""The annual project cycle: calls, proposals and budgets, expert review, approval by the
Leading Group's vote, funding, tender, acceptance and progress (Art. 7 (3), 8 (3), 10, 11).

Money is integer fen (分), never a float. Every change goes through projects.services.
"""

import uuid

from django.conf import settings
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from meetings.models import AgendaItem, Motion
from members.models import Unit
from projects.rules import (
    APPROVED_STATUSES,
    SCORE_MAX,
    ProposalStatus,
    TenderMethod,
)

ATTACHMENT_EXTENSIONS = ["pdf", "docx", "doc", "xlsx", "xls", "zip", "png", "jpg"]


def attachment_path(instance: models.Model, filename: str) -> str:
    return f"projects/{uuid.uuid4().hex}/{filename}"


class Category(models.TextChoices):
    INFRASTRUCTURE = "infrastructure", _("Infrastructure and network")
    APPLICATION = "application", _("Application system")
    DATA = "data", _("Data and sharing")
    SECURITY = "security", _("Network security")
    TEACHING = "teaching", _("Smart teaching")
    OTHER = "other", _("Other")


class Call(models.Model):
    """征集: the Work Group's call for a year's projects (Art. 8 (3))."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(pgettext_lazy("project", "title"), max_length=200)
    guidelines = models.TextField(_("guidelines"), blank=True)
    opens_on = models.DateField(_("opens on"))
    closes_on = models.DateField(_("closes on"))
    envelope_fen = models.PositiveBigIntegerField(_("budget envelope (fen)"))
    topup_opens_on = models.DateField(_("top-up opens on"), null=True, blank=True)
    topup_closes_on = models.DateField(_("top-up closes on"), null=True, blank=True)
    topup_cap_fen = models.PositiveBigIntegerField(_("top-up cap (fen)"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("call for projects")
        verbose_name_plural = _("calls for projects")
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=F("opens_on")), name="call_closes_after_it_opens"
            ),
            models.CheckConstraint(
                condition=Q(topup_opens_on__isnull=True)
                | Q(
                    topup_closes_on__gte=F("topup_opens_on"),
                    topup_opens_on__gt=F("closes_on"),
                    topup_cap_fen__isnull=False,
                ),
                name="call_topup_after_main_window",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:call_detail", kwargs={"pk": self.pk})


class ProposalQuerySet(models.QuerySet):
    def with_requested(self) -> "ProposalQuerySet":
        """Annotate ``requested`` (fen): the sum of the budget lines, in the same query."""
        return self.annotate(requested=models.Sum("budget_lines__amount_fen", default=0))


class Proposal(models.Model):
    """申报: a unit's proposal, then (once approved by vote) its project."""

    Status = ProposalStatus

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="proposals")
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="proposals"
    )
    title = models.CharField(pgettext_lazy("project", "title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    need = models.TextField(_("need"), blank=True)
    objectives = models.TextField(_("objectives"), blank=True)
    content = models.TextField(_("content"), blank=True)
    schedule = models.TextField(_("schedule"), blank=True)
    security_level = models.PositiveSmallIntegerField(
        _("security grading (等保 level)"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
    )
    funding_source = models.CharField(_("funding source"), max_length=100, blank=True)
    attachment = models.FileField(
        _("attachment"),
        upload_to=attachment_path,
        blank=True,
        validators=[FileExtensionValidator(ATTACHMENT_EXTENSIONS)],
    )
    in_topup = models.BooleanField(_("top-up window"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    returned_reason = models.TextField(_("reason for return"), blank=True)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    recommended_fen = models.PositiveBigIntegerField(_("recommended (fen)"), null=True, blank=True)
    recommendation_reason = models.TextField(_("reason"), blank=True)
    # Set only by projects.services.apply_motion_result, from the agenda item's counted motion.
    approval_motion = models.ForeignKey(
        Motion, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    approved_fen = models.PositiveBigIntegerField(
        _("approved (fen)"), null=True, blank=True, editable=False
    )
    live_on = models.DateField(_("live since"), null=True, blank=True)
    filing_number = models.CharField(_("等保 filing number"), max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["call", "rank", "id"]
        indexes = [models.Index(fields=["call", "status"]), models.Index(fields=["unit"])]
        constraints = [
            # Art. 7 (3): approved only with the motion that approved it and its amount.
            models.CheckConstraint(
                condition=~Q(status__in=sorted(APPROVED_STATUSES))
                | Q(approval_motion__isnull=False, approved_fen__isnull=False),
                name="proposal_approved_only_by_a_motion",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("projects:proposal_detail", kwargs={"pk": self.pk})


class BudgetLine(models.Model):
    """A line of a proposal's budget; amount = quantity × unit price, checked by the database."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("budget category"), max_length=60)
    item = models.CharField(pgettext_lazy("budget line", "item"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    unit_price_fen = models.PositiveBigIntegerField(_("unit price (fen)"))
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["proposal", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_fen=F("quantity") * F("unit_price_fen")),
                name="budget_line_amount_is_quantity_times_price",
            ),
        ]

    def __str__(self) -> str:
        return self.item


class Assignment(models.Model):
    """论证: an expert assigned to review a proposal (Art. 11 (1)), and their scoring sheet."""

    class State(models.TextChoices):
        ASSIGNED = "assigned", _("Awaiting declaration")
        OPEN = "open", _("No conflict declared: sheet open")
        WITHDRAWN = "withdrawn", _("Withdrawn: conflict of interest")
        SUBMITTED = "submitted", _("Submitted")

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="assignments")
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="project_assignments"
    )
    # Copied when assigned, so that the database itself keeps an expert off their own unit's
    # proposal (回避): the check below compares the two.
    expert_unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposal_unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.ASSIGNED
    )
    conflict_note = models.TextField(_("conflict of interest"), blank=True)
    declared_at = models.DateTimeField(null=True, blank=True)
    necessity = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(SCORE_MAX)]
    )
    feasibility = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(SCORE_MAX)]
    )
    technical = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(SCORE_MAX)]
    )
    budget = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(SCORE_MAX)]
    )
    results = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(SCORE_MAX)]
    )
    total = models.PositiveSmallIntegerField(_("weighted total"), null=True, blank=True)
    opinion = models.TextField(_("opinion"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("expert assignment")
        verbose_name_plural = _("expert assignments")
        ordering = ["proposal", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "expert"], name="assignment_once"),
            # Art. 11 回避: never an expert of the proposing unit.
            models.CheckConstraint(
                condition=Q(expert_unit__isnull=True) | ~Q(expert_unit=F("proposal_unit")),
                name="assignment_expert_not_of_proposing_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.expert} · {self.proposal}"

    def get_absolute_url(self) -> str:
        return reverse("projects:assignment_detail", kwargs={"pk": self.pk})


class ApprovalRequest(models.Model):
    """立项建议 before the Leading Group: the recommended proposals and amounts, as one major
    agenda item. Its motion's counted result approves exactly these (Art. 7 (3))."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="approval_requests")
    item = models.OneToOneField(
        AgendaItem, on_delete=models.PROTECT, related_name="project_approval"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("approval request")
        verbose_name_plural = _("approval requests")

    def __str__(self) -> str:
        return str(self.item)


class RequestLine(models.Model):
    """One proposal and the amount the Leading Group is asked to approve."""

    request = models.ForeignKey(ApprovalRequest, on_delete=models.PROTECT, related_name="lines")
    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="request_line")
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))

    class Meta:
        ordering = ["request", "proposal__rank", "id"]

    def __str__(self) -> str:
        return f"{self.proposal_id}: {self.amount_fen}"


class Allocation(models.Model):
    """Finance's allocation of funds to an approved project (Art. 10 (3))."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="allocations")
    amount_fen = models.PositiveBigIntegerField(_("amount (fen)"))
    allocated_on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["proposal", "allocated_on", "id"]

    def __str__(self) -> str:
        return f"{self.allocated_on}: {self.amount_fen}"


class Tender(models.Model):
    """State Assets' tender of a project (Art. 10 (4))."""

    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="tender")
    method = models.CharField(
        pgettext_lazy("tender", "method"), max_length=20, choices=TenderMethod.choices
    )
    tendered_on = models.DateField(_("date"))
    winner = models.CharField(_("winner"), max_length=200)
    contract_fen = models.PositiveBigIntegerField(_("contract amount (fen)"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("tender")
        verbose_name_plural = _("tenders")

    def __str__(self) -> str:
        return self.winner


class Acceptance(models.Model):
    """初验 / 终验 by State Assets (Art. 10 (4)), with its report."""

    class Stage(models.TextChoices):
        FIRST = "first", _("First acceptance")
        FINAL = "final", _("Final acceptance")

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="acceptances")
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices)
    accepted_on = models.DateField(_("date"))
    passed = models.BooleanField(_("passed"))
    report = models.FileField(
        _("report"),
        upload_to=attachment_path,
        blank=True,
        validators=[FileExtensionValidator(ATTACHMENT_EXTENSIONS)],
    )
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("acceptance")
        verbose_name_plural = _("acceptances")
        ordering = ["proposal", "accepted_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.accepted_on}"


class Milestone(models.Model):
    """A milestone of an approved project; overdue ones open a follow-up item (督办)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(pgettext_lazy("project", "title"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    report = models.TextField(_("progress report"), blank=True)
    followup_opened_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["proposal", "due_on", "id"]

    def __str__(self) -> str:
        return self.title
