"""Seats and who holds them: seats added, filled and vacated, a unit head's ex officio seats
passed on (R-ORG-1, R-ORG-4); what an appointment confers follows through grants.py."""

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from infogov import audit
from infogov.steps import StepRefused
from members import rules
from members.models import Appointment, Body, Role, Seat, Unit, UnitRole, User
from members.services.grants import sync_user_permissions


class RosterError(StepRefused):
    """A roster change that the regulation or the record does not allow; message is for users."""


@transaction.atomic
def add_seat(
    *,
    actor: User | None,
    body: Body | None = None,
    unit: Unit | None = None,
    role: str,
    ex_officio: str = "",
    ex_officio_unit: Unit | None = None,
) -> Seat:
    """Create an empty seat in ``body``, or of ``unit`` (its head, a liaison)."""
    if role not in Role.values and role not in UnitRole.values:
        raise RosterError(_("Unknown role."))
    if (body is None) == (unit is None) or rules.is_unit_role(role) != (unit is not None):
        raise RosterError(
            _("A seat belongs to a body or to a unit: a unit's seats are its head and liaisons.")
        )
    if unit is not None:
        return _add_unit_seat(actor=actor, unit=unit, role=role)
    assert body is not None  # one of the two, as checked above
    _check_administrator(actor, role)
    Body.objects.select_for_update().get(pk=body.pk)
    # R-ORG-4: one leader's seat per body (the database says so too: seat_one_leader_per_body).
    if role == Role.LEADER and body.seats.filter(role=Role.LEADER).exists():
        raise RosterError(_("%(body)s already has a leader's seat.") % {"body": body})
    # Art. 6 / R-ORG-2: five to seven experts; an eighth seat is refused.
    if body.kind == Body.Kind.EXPERT_PANEL and not rules.may_add_expert(seated=body.seats.count()):
        raise RosterError(
            _("The Expert Panel already has %(max)d seats; Art. 6 allows 5 to 7 experts.")
            % {"max": rules.EXPERT_PANEL_MAX}
        )
    order = (body.seats.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    seat = Seat.objects.create(
        body=body, role=role, ex_officio=ex_officio, ex_officio_unit=ex_officio_unit, order=order
    )
    audit.record(
        actor=actor, action="seat.added", obj=seat, after={"body": body.code, "role": role}
    )
    return seat


def _add_unit_seat(*, actor: User | None, unit: Unit, role: str) -> Seat:
    Unit.objects.select_for_update().get(pk=unit.pk)
    # One head per unit (the database says so too: seat_one_head_per_unit).
    if role == UnitRole.HEAD and unit.seats.filter(role=UnitRole.HEAD).exists():
        raise RosterError(_("%(unit)s already has a head's seat.") % {"unit": unit})
    order = (unit.seats.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    seat = Seat.objects.create(unit=unit, role=role, order=order)
    audit.record(
        actor=actor, action="seat.added", obj=seat, after={"unit": unit.code, "role": role}
    )
    return seat


@transaction.atomic
def fill_seat(
    *,
    actor: User | None,
    seat: Seat,
    person: User,
    started_on: dt.date | None = None,
    note: str = "",
    document_number: str = "",
    document_date: dt.date | None = None,
    from_annex: bool = False,
) -> Appointment:
    """Seat ``person`` from ``started_on`` (today) and grant what the seat confers; a leader's
    or deputy's seat needs an administrator and the appointment document (R-ORG-4), unless
    ``from_annex``: the roster loader seats whom the regulation's annex names."""
    started_on = started_on or timezone.localdate()
    # of=("self",): the body and unit are outer joins, which PostgreSQL does not lock.
    seat = (
        Seat.objects.select_for_update(of=("self",)).select_related("body", "unit").get(pk=seat.pk)
    )
    _check_not_for_themselves(seat, actor, person, _("Nobody fills a seat for themselves."))
    document_number = document_number.strip()
    _check_administrator(actor, seat.role)
    # One holder at a time: an appointment that has not ended by ``started_on`` still holds it.
    holder = (
        seat.appointments.filter(Q(ended_on__isnull=True) | Q(ended_on__gt=started_on))
        .select_related("person")
        .order_by("-started_on")
        .first()
    )
    if holder is not None and holder.ended_on is None:
        raise RosterError(
            _("This seat is held by %(name)s; vacate it first.") % {"name": holder.person}
        )
    if holder is not None and holder.ended_on is not None:  # (the only case left)
        raise RosterError(
            _("This seat is held by %(name)s until %(date)s; it can be filled from that day.")
            % {"name": holder.person, "date": holder.ended_on.isoformat()}
        )
    same_owner = (
        Q(seat__body=seat.body_id) if seat.body_id is not None else Q(seat__unit=seat.unit_id)
    )
    if Appointment.objects.filter(same_owner, person=person, ended_on__isnull=True).exists():
        raise RosterError(
            _("%(name)s already holds a seat in %(body)s.") % {"name": person, "body": seat.owner}
        )
    if seat.body is not None and seat.body.kind == Body.Kind.EXPERT_PANEL:
        # Count every expert not gone by ``started_on``, those seated later included: the new
        # appointment is open-ended, so it would sit beside each of them.
        seated = (
            Appointment.objects.filter(seat__body=seat.body)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=started_on))
            .count()
        )
        # Art. 6 / R-ORG-2: an eighth expert is refused.
        if not rules.may_add_expert(seated=seated):
            raise RosterError(
                _("The Expert Panel already has %(max)d experts; Art. 6 allows 5 to 7.")
                % {"max": rules.EXPERT_PANEL_MAX}
            )
    if not from_annex:
        _check_document(actor, seat.role, document_number, document_date, started_on)
    appointment = Appointment.objects.create(
        seat=seat,
        person=person,
        started_on=started_on,
        note=note,
        document_number=document_number,
        document_date=document_date,
    )
    changes = sync_user_permissions(person)
    document = _document(document_number, document_date)
    audit.record(
        actor=actor,
        action="seat.filled",
        obj=seat,
        before=None,
        after={
            "person": person.pk,
            "started_on": started_on.isoformat(),
            **document,
            **changes.as_dict(),
        },
    )
    return appointment


@transaction.atomic
def vacate_seat(
    *,
    actor: User | None,
    seat: Seat,
    ended_on: dt.date | None = None,
    document_number: str = "",
    document_date: dt.date | None = None,
) -> Appointment:
    """End the current holder's appointment on ``ended_on`` (today) and revoke what it gave; a
    leader's or deputy's seat needs an administrator and the removal document (R-ORG-4)."""
    ended_on = ended_on or timezone.localdate()
    seat = Seat.objects.select_for_update().get(pk=seat.pk)
    appointment = seat.appointments.filter(ended_on__isnull=True).select_related("person").first()
    if appointment is None:
        raise RosterError(_("This seat is already vacant."))
    _check_not_for_themselves(seat, actor, appointment.person, _("Nobody vacates their own seat."))
    document_number = document_number.strip()
    _check_administrator(actor, seat.role)
    _check_document(actor, seat.role, document_number, document_date, ended_on)
    if ended_on < appointment.started_on:
        raise RosterError(_("An appointment cannot end before it started."))
    appointment.ended_on = ended_on
    appointment.end_document_number = document_number
    appointment.end_document_date = document_date
    appointment.save(update_fields=["ended_on", "end_document_number", "end_document_date"])
    changes = sync_user_permissions(appointment.person)
    audit.record(
        actor=actor,
        action="seat.vacated",
        obj=seat,
        before={"person": appointment.person_id, "started_on": appointment.started_on.isoformat()},
        after={
            "ended_on": ended_on.isoformat(),
            **_document(document_number, document_date),
            **changes.as_dict(),
        },
    )
    return appointment


def _check_not_for_themselves(seat: Seat, actor: User | None, person: User, message: str) -> None:
    # R-ORG-4: nobody fills or vacates a seat for themselves, of a body or of a unit.
    if not rules.may_appoint(actor_id=actor.pk if actor is not None else None, person_id=person.pk):
        raise RosterError(message)


def is_administrator(actor: User | None) -> bool:
    """An active superuser, or no actor: the roster loader and commands run by hand."""
    return actor is None or (actor.is_active and actor.is_superuser)


def _check_administrator(actor: User | None, role: str) -> None:
    if not rules.art3_may_change_seat(role=role, by_administrator=is_administrator(actor)):
        raise RosterError(
            _(
                "Leader and deputy seats follow university appointments: only an "
                "administrator records them, citing the appointment document."
            )
        )


def _check_document(
    actor: User | None, role: str, number: str, date: dt.date | None, day: dt.date
) -> None:
    # R-ORG-4: an administrator cites the document; the roster loader cites the annex.
    if actor is None or not rules.art3_seat_needs_administrator(role):
        return
    if not number or date is None:
        raise RosterError(
            _("Give the appointment document's number (文号) and date for this seat.")
        )
    if date > day:
        raise RosterError(_("The document is dated after the day it takes effect."))


def _document(number: str, date: dt.date | None) -> dict[str, str]:
    if not number:
        return {}
    return {"document_number": number, "document_date": date.isoformat() if date else ""}


@transaction.atomic
def transfer_ex_officio_seats(
    *,
    actor: User | None,
    unit: Unit,
    new_head: User,
    on: dt.date | None = None,
    document_number: str = "",
    document_date: dt.date | None = None,
) -> list[Appointment]:
    """R-ORG-1: when a unit's head changes, the unit's head seat and every seat held as its head
    move to the new head (a deputy's seat among them needs the document, R-ORG-4)."""
    on = on or timezone.localdate()
    moved = []
    seats = Seat.objects.filter(Q(ex_officio_unit=unit) | Q(unit=unit, role=UnitRole.HEAD))
    for seat in seats.order_by("id"):
        if seat.appointments.filter(ended_on__isnull=True, person=new_head).exists():
            continue
        if seat.appointments.filter(ended_on__isnull=True).exists():
            vacate_seat(
                actor=actor,
                seat=seat,
                ended_on=on,
                document_number=document_number,
                document_date=document_date,
            )
        moved.append(
            fill_seat(
                actor=actor,
                seat=seat,
                person=new_head,
                started_on=on,
                document_number=document_number,
                document_date=document_date,
            )
        )
    if new_head.unit_id != unit.pk:
        before = {"unit": new_head.unit_id}
        new_head.unit = unit
        new_head.save(update_fields=["unit"])
        audit.record(
            actor=actor,
            action="person.unit_changed",
            obj=new_head,
            before=before,
            after={"unit": unit.pk},
        )
    return moved
