from functools import partial

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import F, Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from infogov.steps import post_step
from members import permissions, services
from members.forms import AddSeatForm, AddUnitSeatForm, FillSeatForm, VacateSeatForm
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


def _panel_size() -> PanelSize | None:
    panel = Body.objects.filter(kind=Body.Kind.EXPERT_PANEL).first()
    if panel is None:
        return None
    return PanelSize(seated=Appointment.objects.seated_in(panel).count())


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    my_appointments = (
        Appointment.objects.current()
        .filter(person=request.user)
        .select_related("seat__body", "seat__unit")
        # Bodies' seats first, then units': NULLs sort first on SQLite and last on PostgreSQL.
        .order_by(F("seat__body__order").asc(nulls_last=True), "seat__unit__order", "seat__order")
    )
    bodies = {body.pk: body for body in Body.objects.all()}
    may_do = [
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
            "panel_size": _panel_size(),
            "panel_min": EXPERT_PANEL_MIN,
            "panel_max": EXPERT_PANEL_MAX,
            # What other apps add (members.panels), e.g. the plenary flag of R-MEET-4.
            "panels": render_panels(request),
        },
    )


@login_required
def body_list(request: HttpRequest) -> HttpResponse:
    bodies = Body.objects.select_related("parent", "host_unit")
    return render(request, "members/body_list.html", {"bodies": bodies})


@login_required
def body_detail(request: HttpRequest, code: str) -> HttpResponse:
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
    can_manage = permissions.can_manage_seats(request.user, body)
    fill_form = FillSeatForm() if can_manage else None
    if fill_form is not None:
        # The person select is rendered in every vacant seat's row: read its choices once,
        # not once per row (a comprehension, because list() would also ask for a count).
        person = fill_form.fields["person"]
        person.choices = [choice for choice in person.choices]
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
def unit_list(request: HttpRequest) -> HttpResponse:
    return render(request, "members/unit_list.html", {"units": Unit.objects.all()})


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
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
        person = fill_form.fields["person"]
        person.choices = [choice for choice in person.choices]
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


@login_required
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User.objects.select_related("unit"), pk=pk, is_active=True)
    appointments = person.appointments.select_related("seat__body", "seat__unit").order_by(
        "-started_on"
    )
    today = timezone.localdate()
    return render(
        request,
        "members/person_detail.html",
        {
            "person": person,
            "current": [a for a in appointments if a.is_current(today)],
            "past": [a for a in appointments if not a.is_current(today)],
        },
    )


def _seat_for_manager(request: HttpRequest, seat_id: int) -> Seat:
    if not permissions.can_view_roster(request.user):
        raise Http404
    # A unit's seat is kept on the unit's page (unit_seat_fill, unit_seat_vacate).
    seat = get_object_or_404(Seat.objects.select_related("body"), pk=seat_id, body__isnull=False)
    if not permissions.can_manage_seats(request.user, seat.body):
        raise PermissionDenied
    return seat


@login_required
@require_POST
def seat_fill(request: HttpRequest, seat_id: int) -> HttpResponse:
    seat = _seat_for_manager(request, seat_id)
    return post_step(
        request,
        partial(services.fill_seat, actor=request.user, seat=seat),
        success=_("Seat filled."),
        then=seat.body,
        form=FillSeatForm(request.POST),
    )


@login_required
@require_POST
def seat_vacate(request: HttpRequest, seat_id: int) -> HttpResponse:
    seat = _seat_for_manager(request, seat_id)
    return post_step(
        request,
        lambda ended_on, confirmed: services.vacate_seat(
            actor=request.user, seat=seat, ended_on=ended_on
        ),
        success=_("Seat vacated."),
        then=seat.body,
        form=VacateSeatForm(request.POST),
    )


@login_required
@require_POST
def seat_add(request: HttpRequest, code: str) -> HttpResponse:
    body = permissions.get_body_for_user_or_404(request.user, code)
    if not permissions.can_manage_seats(request.user, body):
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
    seats = list(
        Seat.objects.filter(Q(unit=unit) | Q(ex_officio_unit=unit))
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


def _unit_seat_for_manager(request: HttpRequest, code: str, seat_id: int) -> Seat:
    seat = permissions.get_unit_seat_for_user_or_404(request.user, code, seat_id)
    if not permissions.can_manage_unit_seats(request.user):
        raise PermissionDenied
    return seat


@login_required
@require_POST
def unit_seat_add(request: HttpRequest, code: str) -> HttpResponse:
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
def unit_seat_fill(request: HttpRequest, code: str, seat_id: int) -> HttpResponse:
    seat = _unit_seat_for_manager(request, code, seat_id)
    return post_step(
        request,
        partial(services.fill_seat, actor=request.user, seat=seat),
        success=_("Seat filled."),
        then=seat.unit,
        form=FillSeatForm(request.POST),
    )


@login_required
@require_POST
def unit_seat_vacate(request: HttpRequest, code: str, seat_id: int) -> HttpResponse:
    seat = _unit_seat_for_manager(request, code, seat_id)
    return post_step(
        request,
        lambda ended_on, confirmed: services.vacate_seat(
            actor=request.user, seat=seat, ended_on=ended_on
        ),
        success=_("Seat vacated."),
        then=seat.unit,
        form=VacateSeatForm(request.POST),
    )
