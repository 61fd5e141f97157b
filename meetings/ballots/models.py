"""The secret ballot's rows: each person's wrapped key pair, a motion's scrutineers with their
sealed shares and partial decryptions, the ballots, and paper totals.

Registered with the meetings app (``meetings/models/__init__.py`` imports this module); the
other models are named by string.

R-VOTE-1: a Ballot row has no voter, no time and no orderable key: its primary key is its
tracker, the SHA-256 of its bytes, which are ciphertexts under the ballot's key.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ScrutineerKey(models.Model):
    """A person's long-term box key pair; the secret key only wrapped under their password
    (Argon2id with its own salt and limits, then secretbox)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    public_key = models.BinaryField(max_length=32)
    wrapped = models.BinaryField()
    salt = models.BinaryField(max_length=16)
    ops_limit = models.PositiveIntegerField()
    mem_limit = models.PositiveBigIntegerField()
    made_at = models.DateTimeField(_("made at"))

    class Meta:
        verbose_name = _("ballot key")
        verbose_name_plural = _("ballot keys")

    def __str__(self) -> str:
        return str(self.person)


class Scrutineer(models.Model):
    """监票人 of one secret ballot: share ``index`` (1..n) of the ballot's key, sealed to their
    public key until the count, its commitment, and their partial decryption once given."""

    motion = models.ForeignKey(
        "meetings.Motion", on_delete=models.PROTECT, related_name="scrutineers"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scrutineer"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    index = models.PositiveSmallIntegerField()
    commitment = models.BinaryField(max_length=32)
    sealed_share = models.BinaryField(null=True)  # emptied once the motion is counted
    # One 32-byte point and one 64-byte proof per choice, once given.
    partial = models.BinaryField(null=True)
    partial_proof = models.BinaryField(null=True)
    paper_confirmed = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("scrutineer")
        verbose_name_plural = _("scrutineers")
        ordering = ["motion", "index"]
        constraints = [
            models.UniqueConstraint(fields=["motion", "index"], name="scrutineer_index_once"),
            models.UniqueConstraint(fields=["motion", "person"], name="scrutineer_once"),
        ]

    def __str__(self) -> str:
        return f"{self.person} #{self.index}"


class Ballot(models.Model):
    """One secret ballot in the box: ciphertexts and proofs (meetings.ballots.proofs), and
    nothing else."""

    tracker = models.CharField(max_length=64, primary_key=True)
    motion = models.ForeignKey("meetings.Motion", on_delete=models.PROTECT, related_name="ballots")
    data = models.BinaryField()

    class Meta:
        verbose_name = _("secret ballot")
        verbose_name_plural = _("secret ballots")

    def __str__(self) -> str:
        return self.tracker[:12]


class PaperCount(models.Model):
    """Paper totals of a secret ballot counted in the room, recorded by the Office and
    confirmed by two scrutineers."""

    motion = models.OneToOneField(
        "meetings.Motion", on_delete=models.PROTECT, related_name="paper_count"
    )
    yes = models.PositiveIntegerField(_("yes"))
    no = models.PositiveIntegerField(_("no"))
    abstain = models.PositiveIntegerField(_("abstain"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("paper count")
        verbose_name_plural = _("paper counts")

    def __str__(self) -> str:
        return f"{self.yes}/{self.no}/{self.abstain}"
