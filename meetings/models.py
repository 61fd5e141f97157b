"""Meetings of the Leading Group and the Work Group, their attendance, agenda, votes and
decisions (Art. 12-14)."""

import uuid

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from infogov.validators import no_line_break, sane_date
from meetings.rules import (
    Attendance,
    Basis,
    Choice,
    MeetingStatus,
    MotionStatus,
    Outcome,
    Threshold,
)
from members.models import Body, Role, Unit


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


class ExpectedMemberQuerySet(models.QuerySet):
    """Expected members; ``attendance()`` counts them for the quorum panel (R-MEET-3)."""

    def attendance(self) -> Attendance:
        """Return the quorum panel's numbers over these expected members (one query)."""
        return attendance_of(self.aggregate(**ATTENDANCE_COUNTS))


class ExpectedMember(models.Model):
    """R-MEET-3: a seated voting member snapshotted when the meeting was convened."""

    role_label: str | Promise  # not a field: set by meetings.views for its template

    class Response(models.TextChoices):
        PENDING = "pending", _("No answer yet")
        ATTEND = "attend", _("Will attend")
        LEAVE = "leave", _("On leave")

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="expected_members",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    role = models.CharField(_("seat"), max_length=20, choices=Role.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    response = models.CharField(
        _("answer"), max_length=10, choices=Response.choices, default=Response.PENDING
    )
    leave_reason = models.CharField(_("reason for leave"), max_length=300, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("answered by"),
    )
    present = models.BooleanField(_("present"), default=False)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("checked in by"),
    )

    objects = ExpectedMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("expected member")
        verbose_name_plural = _("expected members")
        ordering = ["meeting", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="expected_member_once"),
            models.CheckConstraint(
                condition=~Q(response="leave") | ~Q(leave_reason=""), name="leave_needs_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} @ {self.meeting_id}"


class AttendanceEvent(models.Model):
    """One step in an expected member's attendance: the history keeps every answer, leave,
    withdrawal of a leave and check-in, where the member's row holds only the latest."""

    class Kind(models.TextChoices):
        ATTEND = "attend", _("Will attend")
        LEAVE = "leave", _("On leave")
        WITHDRAW_LEAVE = "withdraw_leave", _("Leave withdrawn")
        CHECK_IN = "check_in", _("Checked in")
        CHECK_IN_QR = "check_in_qr", _("Checked in with the room's code")
        LEFT = "left", _("Left the room")

    member = models.ForeignKey(ExpectedMember, on_delete=models.CASCADE, related_name="history")
    kind = models.CharField(_("step"), max_length=20, choices=Kind.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance step")
        verbose_name_plural = _("attendance history")
        ordering = ["member", "at", "id"]

    def __str__(self) -> str:
        return f"{self.member_id}: {self.get_kind_display()}"


# The quorum panel's numbers, as aggregates over a meeting's expected members: expected,
# present, and on leave (R-MEET-3: those on leave and those absent count in expected). Named
# apart from the fields they count, which a filter would otherwise take for them.
ATTENDANCE_COUNTS = {
    "n_expected": Count("pk"),
    "n_present": Count("pk", filter=Q(present=True)),
    "n_on_leave": Count("pk", filter=Q(present=False, response=ExpectedMember.Response.LEAVE)),
}


def attendance_of(row: dict[str, int]) -> Attendance:
    """The Attendance of a row aggregated with ATTENDANCE_COUNTS."""
    return Attendance(
        expected=row["n_expected"], present=row["n_present"], on_leave=row["n_on_leave"]
    )


class Attendee(models.Model):
    """列席: invited to attend without a vote; never counted in the quorum (R-MEET-3, R-VOTE-4)."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="attendees"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("capacity"), max_length=200, blank=True)
    present = models.BooleanField(_("present"), default=False)

    class Meta:
        verbose_name = _("non-voting attendee")
        verbose_name_plural = _("non-voting attendees")
        constraints = [models.UniqueConstraint(fields=["meeting", "person"], name="attendee_once")]

    def __str__(self) -> str:
        return str(self.person)


class QuorumCheck(models.Model):
    """Each quorum gate decision with its numbers (R-MEET-2); the minutes quote them."""

    class Gate(models.TextChoices):
        OPEN_MEETING = "open_meeting", _("Opening the meeting")
        OPEN_VOTE = "open_vote", _("Opening a vote")
        CLOSE_VOTE = "close_vote", _("Closing a vote")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="quorum_checks")
    motion = models.ForeignKey(
        "Motion",
        verbose_name=_("motion"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    gate = models.CharField(_("gate"), max_length=20, choices=Gate.choices)
    expected = models.PositiveIntegerField(_("expected"))
    present = models.PositiveIntegerField(_("present"))
    needed = models.PositiveIntegerField(_("needed"))
    passed = models.BooleanField(_("quorate"))
    at = models.DateTimeField(_("at"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("quorum check")
        verbose_name_plural = _("quorum checks")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.get_gate_display()}: {self.present}/{self.expected}"


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


class Notification(models.Model):
    """A message in the portal (the same news also goes out by mail)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    text = models.CharField(_("text"), max_length=300)
    created_at = models.DateTimeField(pgettext_lazy("notification", "sent at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.text


# The minutes' models live in meetings/minutes/models.py; imported here, at the end, so that
# Django registers them with this app (they name the models above by string).
from meetings.ballots.models import Ballot, PaperCount, Scrutineer, ScrutineerKey  # noqa: E402, F401
from meetings.minutes.models import (  # noqa: E402, F401
    Distribution,
    DocumentCounter,
    ImmutableDocument,
    IssuedMinutes,
    Minutes,
    ReadReceipt,
)
