"""A meeting of the Leading Group or the Work Group, with its status and steps (Art. 12)."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from infogov.validators import no_line_break, sane_date
from meetings.rules import MeetingStatus
from members.models import Body


class MeetingQuerySet(models.QuerySet):
    def for_body(self, body: Body) -> "MeetingQuerySet":
        return self.filter(body=body)

    def upcoming(self) -> "MeetingQuerySet":
        return self.filter(status__in=[Meeting.Status.CONVENED, Meeting.Status.IN_SESSION])


class Meeting(models.Model):
    class Kind(models.TextChoices):
        # Art. 12: at least one plenary of the Leading Group per academic year; special
        # meetings of the Leading Group and of the Work Group as needed.
        LG_PLENARY = "lg_plenary", _("Leading Group plenary meeting")
        LG_SPECIAL = "lg_special", _("Leading Group special meeting")
        WG_SPECIAL = "wg_special", _("Work Group special meeting")

    Status = MeetingStatus  # with its steps in meetings.rules

    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="meetings"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # Title and place reach the invitation mail's subject; dates stay within 2000-2100.
    title = models.CharField(
        pgettext_lazy("heading", "title"), max_length=200, validators=[no_line_break]
    )
    starts_at = models.DateTimeField(_("starts at"), validators=[sane_date])
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True, validators=[sane_date])
    location = models.CharField(_("place"), max_length=200, validators=[no_line_break])
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    convened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("convened by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    convened_at = models.DateTimeField(_("convened at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    check_in_open = models.BooleanField(_("check-in open"), default=False)
    # RFC 5545 SEQUENCE: bumped on every change of time or place that members are told of.
    ics_sequence = models.PositiveIntegerField(default=0, editable=False)
    ics_uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    # Moved on whenever the meeting's row is locked for a change (services._common.lock_meeting):
    # the meeting page's parts without forms are cached under it.
    revision = models.PositiveBigIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("drafted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("drafted at"), auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["body", "status", "starts_at"])]

    def __str__(self) -> str:
        if not self.starts_at:
            return self.title
        # The local date (Asia/Shanghai): the database hands back UTC.
        return f"{self.title}（{timezone.localtime(self.starts_at):%Y-%m-%d}）"

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting_detail", kwargs={"pk": self.pk})
