"""Who sits where: units, people, bodies, seats and their holders over time (Art. 3-11)."""

import datetime as dt
from typing import cast

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

# Role and BodyKind are the rules' own (members.rules); `from members.models import Role` works.
from infogov.validators import sane_date
from members.rules import VOTING_ROLES, BodyKind, Role, UnitRole, is_voting_role


class Unit(models.Model):
    """A university unit; the 14 member units of Art. 3 are loaded from the annex."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    is_member_unit = models.BooleanField(
        _("member unit (Art. 3)"), default=False, help_text=_("One of the 14 units of Art. 3.")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["order", "code"]
        # Granted by the unit's own seats (members.rules.ROLE_GRANTS); which steps of which app
        # need which is for those apps to say (R-DUTY-1).
        permissions = [
            ("act_for_unit", _("Can acknowledge and report for the unit")),
            ("head_unit", _("Can act as the unit's head")),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("members:unit_detail", kwargs={"code": self.code})

    @property
    def display_name(self) -> str:
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name


class User(AbstractUser):
    """A person: roster members, Office staff, experts, unit liaisons.

    Roster people may have no usable password: they exist to hold seats until they log in.
    """

    full_name = models.CharField(
        _("full name"), max_length=50, help_text=_("As written in Chinese.")
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="people",
        help_text=_("Empty for external experts and where the roster does not say."),
    )
    title = models.CharField(_("title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # Moved on by members.services whenever the person's body or unit permissions change;
    # their permissions are cached under it (members.permissions.body_perms, unit_perms).
    permissions_revision = models.PositiveBigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name", "username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username

    def get_short_name(self) -> str:
        return self.full_name or self.username

    def get_absolute_url(self) -> str:
        return reverse("members:person_detail", kwargs={"pk": self.pk})


class Body(models.Model):
    """One of the four bodies of Art. 3-6: Leading Group, Work Group, Office, Expert Panel."""

    Kind = BodyKind

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, unique=True)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=150, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("under"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    host_unit = models.ForeignKey(
        Unit,
        verbose_name=_("sits in"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hosted_bodies",
        help_text=_("Art. 5: the Office sits in NETC."),
    )
    article = models.PositiveSmallIntegerField(
        _("article"), help_text=_("Article that sets it up.")
    )
    minutes_mark = models.CharField(
        _("minutes mark"),
        max_length=40,
        blank=True,
        help_text=_("The red heading of its minutes, e.g. 信息化工作领导小组纪要 (Art. 15)."),
    )
    minutes_prefix = models.CharField(
        _("minutes number prefix"),
        max_length=20,
        blank=True,
        help_text=_("Prefix of its minutes' numbers, e.g. 信息化纪要 in 信息化纪要〔2026〕3号."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("body")
        verbose_name_plural = _("bodies")
        ordering = ["order", "code"]
        permissions = [
            ("convene_meeting", _("Can convene the body's meetings")),
            ("sign_minutes", _("Can sign the body's minutes")),
            ("vote", _("Can vote in the body's meetings")),
            ("manage_meetings", _("Can organise the body's meetings")),
            ("manage_seats", _("Can fill and vacate the body's seats")),
            ("review_projects", _("Can review projects")),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("members:body_detail", kwargs={"code": self.code})

    @property
    def display_name(self) -> str:
        if translation.get_language() == "en" and self.name_en:
            return self.name_en
        return self.name


class Duty(models.Model):
    """A duty of a body (Art. 7-9, 11) or of a member unit (Art. 10), as data (R-DUTY-1)."""

    body = models.ForeignKey(
        Body, null=True, blank=True, on_delete=models.CASCADE, related_name="duties"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="duties"
    )
    article = models.PositiveSmallIntegerField(_("article"))
    item = models.PositiveSmallIntegerField(_("item"))
    text = models.TextField(_("text"))
    text_en = models.TextField(_("English text"), blank=True)

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["article", "item"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(body__isnull=False, unit__isnull=True)
                    | Q(body__isnull=True, unit__isnull=False)
                ),
                name="duty_has_one_owner",
            ),
            models.UniqueConstraint(fields=["body", "article", "item"], name="duty_unique_body"),
            models.UniqueConstraint(fields=["unit", "article", "item"], name="duty_unique_unit"),
        ]

    def __str__(self) -> str:
        return self.display_text

    @property
    def display_text(self) -> str:
        if translation.get_language() == "en" and self.text_en:
            return self.text_en
        return self.text


class SeatQuerySet(models.QuerySet):
    def voting(self) -> "SeatQuerySet":
        return self.filter(role__in=VOTING_ROLES)


class Seat(models.Model):
    """A position in a body or in a unit, filled by one person at a time (see Appointment)."""

    body = models.ForeignKey(
        Body,
        verbose_name=_("body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seats",
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="seats",
        help_text=_("A seat of the unit itself: its head or a liaison."),
    )
    role = models.CharField(_("role"), max_length=20, choices=[*Role.choices, *UnitRole.choices])
    ex_officio = models.CharField(
        _("held by virtue of"),
        max_length=100,
        blank=True,
        help_text=_("The office that brings the seat, e.g. 'head of NETC' (R-ORG-1)."),
    )
    ex_officio_unit = models.ForeignKey(
        Unit,
        verbose_name=_("as head of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ex_officio_seats",
        help_text=_("When the head of this unit changes, the seat moves to the new head."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = SeatQuerySet.as_manager()

    # Not fields: set on the seats a roster page lists (members.views), for its template.
    history: list["Appointment"]
    current_appointments: list["Appointment"]
    holder: "Appointment | None"
    can_keep: bool  # set by the body page (members.views)
    needs_document: bool

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["body__order", "order", "id"]
        indexes = [models.Index(fields=["body", "role"]), models.Index(fields=["unit", "role"])]
        constraints = [
            # A seat belongs to a body or to a unit, never both; a unit's seats are its head
            # and liaisons, and a body has none of those.
            models.CheckConstraint(
                condition=(
                    (Q(body__isnull=False, unit__isnull=True) & ~Q(role__in=UnitRole.values))
                    | Q(body__isnull=True, unit__isnull=False, role__in=UnitRole.values)
                ),
                name="seat_has_one_owner",
                violation_error_message=_(
                    "A seat belongs to a body or to a unit: a unit's seats are its head and "
                    "liaisons."
                ),
            ),
            # One head seat per unit; with one holder per seat (Appointment), one seated head.
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(role=UnitRole.HEAD),
                name="seat_one_head_per_unit",
                violation_error_message=_("This unit already has a head's seat."),
            ),
            # R-ORG-4: one leader's seat per body; with one holder per seat (Appointment),
            # one leader at a time.
            models.UniqueConstraint(
                fields=["body"],
                condition=Q(role=Role.LEADER),
                name="seat_one_leader_per_body",
                violation_error_message=_("This body already has a leader's seat."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.owner} · {self.get_role_display()}"

    @property
    def owner(self) -> "Body | Unit":
        """The body or the unit the seat belongs to."""
        # One of the two, never both or neither (seat_has_one_owner).
        return cast("Body | Unit", self.body if self.body_id is not None else self.unit)

    @property
    def is_voting(self) -> bool:
        return is_voting_role(self.role)


class AppointmentQuerySet(models.QuerySet):
    def on(self, day: dt.date) -> "AppointmentQuerySet":
        """Appointments in force on ``day``; [started_on, ended_on) is half-open."""
        return self.filter(started_on__lte=day).filter(
            Q(ended_on__isnull=True) | Q(ended_on__gt=day)
        )

    def current(self) -> "AppointmentQuerySet":
        return self.on(timezone.localdate())

    def voting(self) -> "AppointmentQuerySet":
        """Appointments to seats that vote (Art. 12-13)."""
        return self.filter(seat__role__in=VOTING_ROLES)

    def seated_in(self, body: Body, day: dt.date | None = None) -> "AppointmentQuerySet":
        """Who was seated in ``body`` on ``day`` (today by default): one query."""
        return self.on(day or timezone.localdate()).filter(seat__body=body)

    def seated_in_unit(self, unit: Unit | int, day: dt.date | None = None) -> "AppointmentQuerySet":
        """Who held a seat of ``unit`` (its head, its liaisons) on ``day`` (today by default)."""
        return self.on(day or timezone.localdate()).filter(seat__unit=unit)


class Appointment(models.Model):
    """Who held a seat from when to when. History is never overwritten (R-ORG-1)."""

    seat = models.ForeignKey(
        Seat, verbose_name=_("seat"), on_delete=models.PROTECT, related_name="appointments"
    )
    person = models.ForeignKey(
        User, verbose_name=_("person"), on_delete=models.PROTECT, related_name="appointments"
    )
    started_on = models.DateField(_("from"), validators=[sane_date])
    ended_on = models.DateField(
        _("until"),
        null=True,
        blank=True,
        validators=[sane_date],
        help_text=_("First day no longer held."),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    # R-ORG-4: leader and deputy seats follow a university appointment; the administrator who
    # records one cites the document (文号, e.g. 校任〔2026〕3号) and its date.
    document_number = models.CharField(_("appointment document (文号)"), max_length=60, blank=True)
    document_date = models.DateField(
        _("appointment document date"), null=True, blank=True, validators=[sane_date]
    )
    end_document_number = models.CharField(_("removal document (文号)"), max_length=60, blank=True)
    end_document_date = models.DateField(
        _("removal document date"), null=True, blank=True, validators=[sane_date]
    )

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["seat", "-started_on"]
        constraints = [
            # One holder at a time: at most one open appointment per seat.
            models.UniqueConstraint(
                fields=["seat"],
                condition=Q(ended_on__isnull=True),
                name="appointment_one_open_per_seat",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="appointment_ends_after_start",
            ),
        ]
        indexes = [models.Index(fields=["person", "ended_on"])]

    def __str__(self) -> str:
        return f"{self.person} · {self.seat}"

    def is_current(self, day: dt.date | None = None) -> bool:
        day = day or timezone.localdate()
        return self.started_on <= day and (self.ended_on is None or self.ended_on > day)


# django-guardian's direct foreign-key permission tables: indexed joins instead of generic
# object_pk strings, and rows vanish with their body.
class BodyUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Body, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("person's permission on a body")
        verbose_name_plural = _("people's permissions on bodies")


class BodyGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Body, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("group's permission on a body")
        verbose_name_plural = _("groups' permissions on bodies")


class UnitUserObjectPermission(UserObjectPermissionBase):
    """What a person may do for a unit, granted by the unit's seats (members.services). No
    group table: nothing grants permissions to groups here."""

    content_object = models.ForeignKey(Unit, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("person's permission on a unit")
        verbose_name_plural = _("people's permissions on units")


class CalendarToken(models.Model):
    """The secret of a person's calendar subscription (an iCalendar feed of their meetings).
    Only its SHA-256 is kept: the URL is shown once, when it is made, and can be made anew or
    revoked from the person's own page."""

    person = models.OneToOneField(
        User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="calendar_token"
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar subscription")
        verbose_name_plural = _("calendar subscriptions")

    def __str__(self) -> str:
        return f"{self.person} · {self.created_at:%Y-%m-%d}"
