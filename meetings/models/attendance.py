"""Who is expected at a meeting and how they answered and checked in, the non-voting
attendees, and each quorum gate's numbers (R-MEET-2, R-MEET-3)."""

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from meetings.models.meeting import Meeting
from meetings.rules import Attendance
from members.models import Role


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
