"""A meeting's agenda items and their materials."""

import uuid
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from meetings.models.meeting import Meeting
from members.models import Unit

if TYPE_CHECKING:
    from meetings.models.votes import Motion


class AgendaItem(models.Model):
    """议题."""

    # Not fields: set by meetings.views on the items of a meeting page, for its template.
    pending_vote: bool
    closed_motions: list["Motion"]
    is_decided: bool

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(pgettext_lazy("heading", "title"), max_length=200)
    presenter_unit = models.ForeignKey(
        Unit,
        verbose_name=_("presented by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("description"), blank=True)
    is_major = models.BooleanField(
        _("major matter"),
        default=False,
        help_text=_("Art. 13: a major matter (重大事项) is decided only by a vote."),
    )

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "order"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "order"], name="agenda_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


ALLOWED_MATERIAL_EXTENSIONS = [
    "pdf",
    "docx",
    "doc",
    "xlsx",
    "xls",
    "pptx",
    "ppt",
    "txt",
    "png",
    "jpg",
    "jpeg",
    "zip",
]
MAX_MATERIAL_BYTES = 20 * 1024 * 1024


def material_path(instance: "Material", filename: str) -> str:
    return f"materials/{instance.item.meeting_id}/{uuid.uuid4().hex}/{filename}"


class Material(models.Model):
    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.CASCADE,
        related_name="materials",
    )
    file = models.FileField(
        _("file"),
        upload_to=material_path,
        validators=[FileExtensionValidator(ALLOWED_MATERIAL_EXTENSIONS)],
    )
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    content_type = models.CharField(_("type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["item", "id"]

    def __str__(self) -> str:
        return self.name
