from functools import partial

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infogov.models import AuditEntry
from infogov.steps import post_step
from members import calendar, permissions, rules, services
from members.forms import AddSeatForm, AddUnitSeatForm, FillSeatForm, VacateSeatForm
from members.http import SignedInRequest
from members.models import Appointment, Body, Seat, Unit, User
from members.panels import render_panels
from members.rules import EXPERT_PANEL_MAX, EXPERT_PANEL_MIN, PanelSize

PERMISSION_LABELS = {codename: label for codename, label in Body._meta.permissions}
UNIT_PERMISSION_LABELS = dict(Unit._meta.permissions)


def _current_holders() -> Prefetch:
    today = timezone.localdate()
    return Prefetch(
        "appointments",
        queryset=Appointment.objects.on(today).select_related("person__unit"),
        to_attr="current_appointments",
    )


def _panel_size(user: User | None = None) -> PanelSize | None:
    """The Expert Panel's size; with ``user``, only if that user can fill its seats (Art. 6:
    the warning is for those who can act on it)."""
    panel = Body.objects.filter(kind=Body.Kind.EXPERT_PANEL).first()
    if panel is None or (user is not None and not permissions.can_manage_seats(user, panel)):
        return None
    return PanelSize(seated=Appointment.objects.seated_in(panel).count())


@login_required
def dashboard(request: SignedInRequest) -> HttpResponse:
    my_appointments = (
        Appointment.objects.current()
        .filter(person=request.user)
        .select_related("seat__body", "seat__unit")
        # Bodies' seats first, then units': NULLs sort first on SQLite and last on PostgreSQL.
        .order_by(F("seat__body__order").asc(nulls_last=True), "seat__unit__order", "seat__order")
    )
    bodies = {body.pk: body for body in Body.objects.all()}
    may_do: list[tuple[Body | Unit, list[str]]] = [
        (
            bodies[body_id],
            sorted(str(PERMISSION_LABELS[c]) for c in codes if c in PERMISSION_LABELS),
        )
        for body_id, codes in sorted(permissions.body_perms(request.user).items())
        if body_id in bodies
    ]
    may_do += _unit_may_do(request.user)
    return render(
        request,
        "members/dashboard.html",
        {
            "my_appointments": my_appointments,
            "may_do": may_do,
            "bodies": bodies.values(),
            "panel_size": _panel_size(request.user),
            "panel_min": EXPERT_PANEL_MIN,
            "panel_max": EXPERT_PANEL_MAX,
            # What other apps add (members.panels): the to-do list of meetings, the plenary
            # flag of R-MEET-4, and later the follow-up items due.
            "panels": render_panels(request),
        },
    )


@login_required
def body_list(request: SignedInRequest) -> HttpResponse:
    bodies = Body.objects.select_related("parent", "host_unit")
    return render(request, "members/body_list.html", {"bodies": bodies})


@login_required
def body_detail(request: SignedInRequest, code: str) -> HttpResponse:
    body = permissions.get_body_for_user_or_404(request.user, code)
    seats = list(body.seats.select_related("ex_officio_unit").prefetch_related(_current_holders()))
    for seat in seats:
        seat.holder = seat.current_appointments[0] if seat.current_appointments else None
    seated = [seat for seat in seats if seat.holder]
    past = (
        Appointment.objects.filter(seat__body=body, ended_on__lte=timezone.localdate())
        .select_related("person", "seat")
        .order_by("-ended_on")[:50]
    )
    can_manage = permissions.can_keep_any_seat(request.user, body)
    for seat in seats:
        seat.can_keep = can_manage and permissions.can_keep_seat(request.user, seat)
        seat.needs_document = rules.art3_seat_needs_administrator(seat.role)
    fill_form = FillSeatForm() if can_manage else None
    if fill_form is not None:
        # The person select is rendered in every vacant seat's row: read its choices once,
        # not once per row (a comprehension, because list() would also ask for a count).
        # (A ModelChoiceField, which the type of form.fields, Field, does not say.)
        person = fill_form.fields["person"]
        person.choices = [choice for choice in person.choices]  # type: ignore[attr-defined]
    return render(
        request,
        "members/body_detail.html",
        {
            "body": body,
            "seats": seats,
            "seated_count": len(seated),
            "voting_count": sum(1 for seat in seated if seat.is_voting),
            "duties": body.duties.all(),
            "children": body.children.all(),
            "past": past,
            "panel_size": PanelSize(len(seated)) if body.kind == Body.Kind.EXPERT_PANEL else None,
            "panel_min": EXPERT_PANEL_MIN,
            "panel_max": EXPERT_PANEL_MAX,
            "can_manage_seats": can_manage,
            "fill_form": fill_form,
            "vacate_form": VacateSeatForm() if can_manage else None,
            "add_form": AddSeatForm() if can_manage else None,
        },
    )


@login_required
def unit_list(request: SignedInRequest) -> HttpResponse:
    return render(request, "members/unit_list.html", {"units": Unit.objects.all()})


@login_required
def unit_detail(request: SignedInRequest, code: str) -> HttpResponse:
    unit = permissions.get_unit_for_user_or_404(request.user, code)
    unit_seats, ex_officio_seats = _seats_of_unit(unit)
    today = timezone.localdate()
    past = sorted(
        (a for seat in unit_seats for a in seat.history if a.ended_on and a.ended_on <= today),
        key=lambda a: (a.ended_on, a.pk),
        reverse=True,
    )[:50]
    can_manage = permissions.can_manage_unit_seats(request.user)
    fill_form = FillSeatForm() if can_manage else None
    if fill_form is not None:
        # Read the person choices once for every vacant seat's row (see body_detail).
        # (A ModelChoiceField, which the type of form.fields, Field, does not say.)
        person = fill_form.fields["person"]
        person.choices = [choice for choice in person.choices]  # type: ignore[attr-defined]
    return render(
        request,
        "members/unit_detail.html",
        {
            "unit": unit,
            "duties": unit.duties.all(),
            "people": unit.people.filter(is_active=True),
            "unit_seats": unit_seats,
            "past": past,
            "ex_officio_seats": ex_officio_seats,
            "hosted_bodies": unit.hosted_bodies.all(),
            "can_manage_seats": can_manage,
            "fill_form": fill_form,
            "vacate_form": VacateSeatForm() if can_manage else None,
            "add_form": AddUnitSeatForm() if can_manage else None,
        },
    )


CALENDAR_TOKEN_SESSION_KEY = "members.new_calendar_token"


def own_page(request: SignedInRequest, person: User) -> bool:
    return person.pk == request.user.pk


@login_required
def person_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User.objects.select_related("unit"), pk=pk, is_active=True)
    own = own_page(request, person)
    # A token just made is shown once, on the page the step redirects to (it is kept hashed).
    new_token = request.session.pop(CALENDAR_TOKEN_SESSION_KEY, "") if own else ""
    appointments = person.appointments.select_related("seat__body", "seat__unit").order_by(
        "-started_on"
    )
    today = timezone.localdate()
    # Every seat change that concerns the person (R-ORG-4): filled names them after, vacated
    # before.
    seat_changes = list(
        AuditEntry.objects.filter(
            object_type=Seat._meta.label, action__in=["seat.filled", "seat.vacated"]
        )
        .filter(Q(after__person=person.pk) | Q(before__person=person.pk))
        .select_related("actor")
        .order_by("-at", "-id")[:50]
    )
    return render(
        request,
        "members/person_detail.html",
        {
            "person": person,
            "current": [a for a in appointments if a.is_current(today)],
            "past": [a for a in appointments if not a.is_current(today)],
            "seat_changes": seat_changes,
            # One's own calendar subscription: shown and managed on one's own page only.
            "own": own,
            "has_calendar": own and calendar.has_calendar_token(person),
            "calendar_url": (
                request.build_absolute_uri(reverse("meetings:calendar_feed", args=[new_token]))
                if new_token
                else ""
            ),
        },
    )


@login_required
@require_POST
def calendar_token_issue(request: SignedInRequest) -> HttpResponse:
    """Make a new subscription URL; the person's own page shows it once (it is kept hashed)."""

    def issue() -> None:
        token = calendar.issue_calendar_token(person=request.user)
        request.session[CALENDAR_TOKEN_SESSION_KEY] = token

    return post_step(
        request,
        issue,
        success=_("Your calendar subscription address is below; any earlier one stops working."),
        then=request.user,
    )


@login_required
@require_POST
def calendar_token_revoke(request: SignedInRequest) -> HttpResponse:
    return post_step(
        request,
        partial(calendar.revoke_calendar_token, person=request.user),
        success=_("Calendar subscription revoked: its address no longer works."),
        then=request.user,
    )


def _seat_for_manager(request: SignedInRequest, seat_id: int) -> Seat:
    if not permissions.can_view_roster(request.user):
        raise Http404
    # A unit's seat is kept on the unit's page (unit_seat_fill, unit_seat_vacate).
    seat = get_object_or_404(Seat.objects.select_related("body"), pk=seat_id, body__isnull=False)
    assert seat.body is not None  # body__isnull=False
    # Who keeps which seat (R-ORG-4) is the service's to say, with a message: the Office asking
    # for a leader's seat is refused there, and nothing changes.
    if not permissions.can_keep_any_seat(request.user, seat.body):
        raise PermissionDenied
    return seat


@login_required
@require_POST
def seat_fill(request: SignedInRequest, seat_id: int) -> HttpResponse:
    seat = _seat_for_manager(request, seat_id)
    return post_step(
        request,
        partial(services.fill_seat, actor=request.user, seat=seat),
        success=_("Seat filled."),
        then=seat.owner,
        form=FillSeatForm(request.POST),
    )


@login_required
@require_POST
def seat_vacate(request: SignedInRequest, seat_id: int) -> HttpResponse:
    seat = _seat_for_manager(request, seat_id)
    return post_step(
        request,
        # The form's "I confirm" box is for the person, not the service.
        lambda confirmed, **fields: services.vacate_seat(actor=request.user, seat=seat, **fields),
        success=_("Seat vacated."),
        then=seat.owner,
        form=VacateSeatForm(request.POST),
    )


@login_required
@require_POST
def seat_add(request: SignedInRequest, code: str) -> HttpResponse:
    body = permissions.get_body_for_user_or_404(request.user, code)
    if not permissions.can_keep_any_seat(request.user, body):
        raise PermissionDenied
    return post_step(
        request,
        partial(services.add_seat, actor=request.user, body=body),
        success=_("Seat added."),
        then=body,
        form=AddSeatForm(request.POST),
    )


# --- A unit's seats, kept by the Office (Art. 9) --------------------------------------------


def _seats_of_unit(unit: Unit) -> tuple[list[Seat], list[Seat]]:
    """The unit's own seats and the seats held as its head, each with its ``history`` (every
    appointment, latest first), ``current_appointments`` and ``holder``: two queries."""
    today = timezone.localdate()
    # Seat declares ``history`` for what this returns, and django-stubs, seeing the to_attr
    # below, refuses a second declaration of it.
    seats = list(
        Seat.objects.filter(Q(unit=unit) | Q(ex_officio_unit=unit))  # type: ignore[no-redef]
        .select_related("body")
        .prefetch_related(
            Prefetch(
                "appointments",
                queryset=Appointment.objects.select_related("person__unit").order_by(
                    "-started_on", "-id"
                ),
                to_attr="history",
            )
        )
    )
    for seat in seats:
        seat.current_appointments = [a for a in seat.history if a.is_current(today)]
        seat.holder = seat.current_appointments[0] if seat.current_appointments else None
    return (
        [seat for seat in seats if seat.unit_id == unit.pk],
        [seat for seat in seats if seat.ex_officio_unit_id == unit.pk],
    )


def _unit_may_do(user: User) -> list[tuple[Unit, list[str]]]:
    """What ``user``'s unit seats let them do, per unit (a query only if they hold one)."""
    codes_by_unit = permissions.unit_perms(user)
    if not codes_by_unit:
        return []
    units = Unit.objects.in_bulk(list(codes_by_unit))
    return [
        (units[unit_id], sorted(str(UNIT_PERMISSION_LABELS[c]) for c in codes))
        for unit_id, codes in sorted(codes_by_unit.items())
        if unit_id in units
    ]


def _unit_seat_for_manager(request: SignedInRequest, code: str, seat_id: int) -> Seat:
    seat = permissions.get_unit_seat_for_user_or_404(request.user, code, seat_id)
    if not permissions.can_manage_unit_seats(request.user):
        raise PermissionDenied
    return seat


@login_required
@require_POST
def unit_seat_add(request: SignedInRequest, code: str) -> HttpResponse:
    unit = permissions.get_unit_for_user_or_404(request.user, code)
    if not permissions.can_manage_unit_seats(request.user):
        raise PermissionDenied
    return post_step(
        request,
        partial(services.add_seat, actor=request.user, unit=unit),
        success=_("Seat added."),
        then=unit,
        form=AddUnitSeatForm(request.POST),
    )


@login_required
@require_POST
def unit_seat_fill(request: SignedInRequest, code: str, seat_id: int) -> HttpResponse:
    seat = _unit_seat_for_manager(request, code, seat_id)
    return post_step(
        request,
        partial(services.fill_seat, actor=request.user, seat=seat),
        success=_("Seat filled."),
        then=seat.owner,
        form=FillSeatForm(request.POST),
    )


@login_required
@require_POST
def unit_seat_vacate(request: SignedInRequest, code: str, seat_id: int) -> HttpResponse:
    seat = _unit_seat_for_manager(request, code, seat_id)
    return post_step(
        request,
        # The form's "I confirm" box is for the person, not the service.
        lambda confirmed, **fields: services.vacate_seat(actor=request.user, seat=seat, **fields),
        success=_("Seat vacated."),
        then=seat.owner,
        form=VacateSeatForm(request.POST),
    )
