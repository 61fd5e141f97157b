"""Motions, and the votes on them: named votes, and the receipts of secret ballots (Art. 13,
R-VOTE-1 to R-VOTE-5)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from meetings.models.agenda import AgendaItem
from meetings.rules import Basis, Choice, MotionStatus, Threshold

# Art. 13 / R-VOTE-3: a motion's passing rule, as the motion form offers it and pages show it.
BASIS_CHOICES = [
    (Basis.EXPECTED, _("members who should attend")),
    (Basis.PRESENT, _("members present")),
    (Basis.CAST, _("votes cast")),
]
THRESHOLD_CHOICES = [
    (Threshold.MORE_THAN_HALF, _("more than half")),
    (Threshold.TWO_THIRDS, _("two-thirds or more")),
]


class Motion(models.Model):
    """A vote on an agenda item; its method and passing rule are fixed before it opens."""

    class Method(models.TextChoices):
        NAMED = "named", _("Show of hands (named)")  # 举手
        SECRET = "secret", _("Secret ballot")  # 投票

    Status = MotionStatus  # with its steps in meetings.rules

    item = models.ForeignKey(
        AgendaItem, verbose_name=_("agenda item"), on_delete=models.CASCADE, related_name="motions"
    )
    text = models.CharField(_("motion"), max_length=500)
    method = models.CharField(
        _("method"), max_length=10, choices=Method.choices, default=Method.NAMED
    )
    basis = models.CharField(
        _("basis"),
        max_length=10,
        default=Basis.EXPECTED,
        choices=BASIS_CHOICES,
    )
    threshold = models.CharField(
        _("threshold"),
        max_length=20,
        default=Threshold.MORE_THAN_HALF,
        choices=THRESHOLD_CHOICES,
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    deferred_reason = models.CharField(_("reason for deferral"), max_length=500, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Filled when the vote closes.
    expected = models.PositiveIntegerField(_("expected"), null=True, blank=True)
    present = models.PositiveIntegerField(_("present"), null=True, blank=True)
    # Contexts keep the vote's words apart from the booleans' 是/否 (pgettext).
    yes = models.PositiveIntegerField(pgettext_lazy("vote count", "yes"), null=True, blank=True)
    no = models.PositiveIntegerField(pgettext_lazy("vote count", "no"), null=True, blank=True)
    abstain = models.PositiveIntegerField(_("abstain"), null=True, blank=True)
    base = models.PositiveIntegerField(_("base"), null=True, blank=True)
    required = models.PositiveIntegerField(_("yes votes needed"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    # A secret ballot's public key (meetings.ballots), and how it was counted: "" while not
    # yet counted, "crypto" (verified count of the ballots), "paper" (totals counted in the room).
    ballot_key = models.BinaryField(null=True, editable=False)

    class Counted(models.TextChoices):
        NOT_YET = "", _("Not yet counted")
        CRYPTO = "crypto", _("Counted and verified")
        PAPER = "paper", _("Counted on paper")

    counted = models.CharField(
        _("count"), max_length=10, choices=Counted.choices, blank=True, default=""
    )

    class Meta:
        verbose_name = _("motion")
        verbose_name_plural = _("motions")
        ordering = ["item", "id"]

    def __str__(self) -> str:
        return self.text

    def get_absolute_url(self) -> str:
        return reverse("meetings:motion_detail", kwargs={"pk": self.pk})


CHOICES = [
    (Choice.YES, pgettext_lazy("vote choice", "Yes")),
    (Choice.NO, pgettext_lazy("vote choice", "No")),
    (Choice.ABSTAIN, _("Abstain")),
]


class NamedVote(models.Model):
    """举手: each member's choice, recorded and shown after the vote closes (R-VOTE-1, R-VOTE-5)."""

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.PROTECT, related_name="named_votes"
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voter"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    choice = models.CharField(_("choice"), max_length=10, choices=CHOICES)
    cast_at = models.DateTimeField(_("cast at"), auto_now_add=True)
    # Art. 13: a show of hands in the room, recorded by the Office (or the chair) for a member
    # who did not vote from a phone; empty when the member voted themself.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("named vote")
        verbose_name_plural = _("named votes")
        constraints = [
            # R-VOTE-2: one member, one vote per motion, under concurrency.
            models.UniqueConstraint(fields=["motion", "voter"], name="named_vote_once"),
        ]

    def __str__(self) -> str:
        return f"{self.voter}: {self.get_choice_display()}"


class BallotReceipt(models.Model):
    """Who has cast a secret ballot, and nothing about what they chose (R-VOTE-1): the ballot
    itself (meetings.ballots.models.Ballot) is ciphertext, written in the same transaction."""

    motion = models.ForeignKey(
        Motion, verbose_name=_("motion"), on_delete=models.PROTECT, related_name="receipts"
    )
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("voter"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("ballot receipt")
        verbose_name_plural = _("ballot receipts")
        constraints = [
            # R-VOTE-2: one member, one ballot per motion, under concurrency.
            models.UniqueConstraint(fields=["motion", "voter"], name="ballot_receipt_once"),
        ]

    def __str__(self) -> str:
        return f"{self.voter} @ {self.motion_id}"
