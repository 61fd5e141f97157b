"""How each agenda item ended, and where it is forwarded (Art. 13-14)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from meetings.models.agenda import AgendaItem
from meetings.models.votes import Motion
from meetings.rules import Outcome


class Decision(models.Model):
    """议定事项: how an agenda item ended (Art. 13-14)."""

    class Forward(models.TextChoices):
        NONE = "", _("Not forwarded")
        PARTY_STANDING_COMMITTEE = (
            "party_standing_committee",
            _("Party Standing Committee"),
        )  # 党委常委会
        PRESIDENTS_OFFICE = "presidents_office", _("President's Office Meeting")  # 校长办公会

    item = models.OneToOneField(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.PROTECT, related_name="decision"
    )
    text = models.TextField(_("decision"))
    motion = models.OneToOneField(
        Motion,
        verbose_name=_("vote"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decision",
    )
    Outcome = Outcome

    forward_to = models.CharField(
        _("forward to (Art. 14)"), max_length=30, choices=Forward.choices, blank=True
    )
    # Art. 13: approving only with a passed vote on a major matter (rules.art13_*).
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.APPROVED
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            # Art. 14 (rules.art14_may_forward): a matter not adopted is not forwarded.
            models.CheckConstraint(
                condition=~Q(outcome=Outcome.NOT_ADOPTED) | Q(forward_to=""),
                name="decision_not_adopted_not_forwarded",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:60]
