"""Every change of state in the roster, and the only code that grants object permissions."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from infogov import audit
from infogov.steps import StepRefused
from members import rules
from members.models import (
    Appointment,
    Body,
    BodyUserObjectPermission,
    Role,
    Seat,
    Unit,
    UnitRole,
    UnitUserObjectPermission,
    User,
)

MANAGED_CODENAMES: frozenset[str] = frozenset(
    grant.codename for grants in rules.ROLE_GRANTS.values() for grant in grants
)


class RosterError(StepRefused):
    """A roster change that the regulation or the record does not allow; message is for users."""


# --- Seats ----------------------------------------------------------------------------------


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


# --- Object permissions ---------------------------------------------------------------------


# The guardian table of each kind of target (members.rules.ON_BODY, ON_UNIT).
_TABLES: dict[str, type[BodyUserObjectPermission] | type[UnitUserObjectPermission]] = {
    rules.ON_BODY: BodyUserObjectPermission,
    rules.ON_UNIT: UnitUserObjectPermission,
}

Granted = tuple[int, str, str, int]  # (user id, codename, rules.ON_BODY or ON_UNIT, target id)


def _label(codename: str, on: str, target: int) -> str:
    # Body permissions are written as they always were: codename@body id.
    return f"{codename}@{target}" if on == rules.ON_BODY else f"{codename}@{on}:{target}"


@dataclass
class PermissionChanges:
    added: set[Granted] = field(default_factory=set)
    removed: set[Granted] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)

    def as_dict(self) -> dict[str, list[str]]:
        return {
            "granted": sorted(_label(c, on, t) for _u, c, on, t in self.added),
            "revoked": sorted(_label(c, on, t) for _u, c, on, t in self.removed),
        }


def _expected_grants(user_ids: list[int] | None, day: dt.date) -> set[Granted]:
    body_ids_by_kind = dict(Body.objects.values_list("kind", "id"))
    appointments = Appointment.objects.on(day).values_list(
        "person_id", "seat__role", "seat__body_id", "seat__unit_id"
    )
    if user_ids is not None:
        appointments = appointments.filter(person_id__in=user_ids)
    expected = set()
    for person_id, role, body_id, unit_id in appointments:
        for codename, on, target in rules.grants_for(
            role=role, body_id=body_id, unit_id=unit_id, body_ids_by_kind=body_ids_by_kind
        ):
            expected.add((person_id, codename, on, target))
    return expected


def _sync(user_ids: list[int] | None) -> PermissionChanges:
    expected = _expected_grants(user_ids, timezone.localdate())
    actual: dict[Granted, int] = {}
    for on, table in _TABLES.items():
        rows = table.objects.filter(permission__codename__in=MANAGED_CODENAMES)
        if user_ids is not None:
            rows = rows.filter(user_id__in=user_ids)
        for pk, user_id, codename, target in rows.values_list(
            "pk", "user_id", "permission__codename", "content_object_id"
        ):
            actual[(user_id, codename, on, target)] = pk
    changes = PermissionChanges(added=expected - actual.keys(), removed=actual.keys() - expected)
    if changes.removed:
        for on, table in _TABLES.items():
            gone = [actual[key] for key in changes.removed if key[2] == on]
            if gone:
                table.objects.filter(pk__in=gone).delete()
    if changes.added:
        # The model a table's rows point at is named like the target kind: body, unit.
        permission_ids = {
            (model, codename): pk
            for pk, model, codename in Permission.objects.filter(
                content_type__app_label="members", codename__in=MANAGED_CODENAMES
            ).values_list("pk", "content_type__model", "codename")
        }
        for on, table in _TABLES.items():
            # The rows are of the table's own model; mypy does not tie the two to one member
            # of the union, so it checks each model against rows of either.
            table.objects.bulk_create(
                table(user_id=u, permission_id=permission_ids[(on, c)], content_object_id=t)  # type: ignore[misc]
                for u, c, kind, t in sorted(changes.added)
                if kind == on
            )
    changed = {user_id for user_id, *_rest in changes.added | changes.removed}
    if changed:
        # No permissions cached under the old revision are read again.
        User.objects.filter(pk__in=changed).update(
            permissions_revision=F("permissions_revision") + 1
        )
    return changes


def sync_user_permissions(person: User) -> PermissionChanges:
    """Make ``person``'s body and unit permissions exactly what their seats confer today."""
    return _sync([person.pk])


@transaction.atomic
def sync_permissions(*, actor: User | None = None) -> PermissionChanges:
    """Repair drift for everyone: grant what seats confer today, revoke everything else."""
    changes = _sync(None)
    if changes:
        by_user: dict[int, list[str]] = defaultdict(list)
        for user_id, codename, on, target in sorted(changes.added):
            by_user[user_id].append("+" + _label(codename, on, target))
        for user_id, codename, on, target in sorted(changes.removed):
            by_user[user_id].append("-" + _label(codename, on, target))
        for person in User.objects.filter(pk__in=by_user):
            audit.record(
                actor=actor,
                action="permissions.repaired",
                obj=person,
                after={"changes": by_user[person.pk]},
            )
    return changes


# --- The annex ------------------------------------------------------------------------------


@dataclass
class RosterLoad:
    created: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.created)


@transaction.atomic
def load_roster(*, actor: User | None = None, on: dt.date | None = None) -> RosterLoad:
    """R-ORG-3: load the annex. Creates only what is missing, so a second run changes nothing,
    and never re-seats anyone in a seat that has had a holder (the Office's changes stand)."""
    from members import roster
    from members.models import Duty

    on = on or timezone.localdate()
    result = RosterLoad()

    units = {}
    for order, (code, name, short_name, name_en) in enumerate(roster.UNITS, start=1):
        units[code], created = Unit.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "short_name": short_name,
                "name_en": name_en,
                "is_member_unit": True,
                "order": order,
            },
        )
        if created:
            result.created.append(f"unit {code}")
    for code, duties in roster.UNIT_DUTIES.items():
        for item, text, text_en in duties:
            _, created = Duty.objects.get_or_create(
                unit=units[code], article=10, item=item, defaults={"text": text, "text_en": text_en}
            )
            if created:
                result.created.append(f"duty 10.{item}")

    bodies: dict[str, Body] = {}
    for order, (code, kind, name, name_en, parent, host, article) in enumerate(roster.BODIES, 1):
        bodies[code], created = Body.objects.get_or_create(
            code=code,
            defaults={
                "kind": kind,
                "name": name,
                "name_en": name_en,
                "article": article,
                "parent": bodies.get(parent) if parent else None,
                "host_unit": units[host] if host else None,
                "order": order,
                "minutes_mark": roster.MINUTES.get(code, ("", ""))[0],
                "minutes_prefix": roster.MINUTES.get(code, ("", ""))[1],
            },
        )
        if created:
            result.created.append(f"body {code}")
    for code, (article, body_duties) in roster.BODY_DUTIES.items():
        for item, (text, text_en) in enumerate(body_duties, start=1):
            _, created = Duty.objects.get_or_create(
                body=bodies[code],
                article=article,
                item=item,
                defaults={"text": text, "text_en": text_en},
            )
            if created:
                result.created.append(f"duty {article}.{item}")

    people = {}
    for username, full_name, unit_code, title in roster.PEOPLE:
        person = User.objects.filter(username=username).first()
        if person is None:
            person = User(
                username=username,
                full_name=full_name,
                title=title,
                unit=units[unit_code] if unit_code else None,
            )
            person.set_unusable_password()
            person.save()
            result.created.append(f"person {full_name}")
        people[username] = person

    for body_code, seats in roster.SEATS.items():
        for order, (role, username, ex_officio, head_of) in enumerate(seats, start=1):
            seat, created = Seat.objects.get_or_create(
                body=bodies[body_code],
                order=order,
                defaults={
                    "role": role,
                    "ex_officio": ex_officio,
                    "ex_officio_unit": units[head_of] if head_of else None,
                },
            )
            if created:
                result.created.append(f"seat {body_code}#{order}")
            if not seat.appointments.exists():
                fill_seat(
                    actor=actor,
                    seat=seat,
                    person=people[username],
                    started_on=on,
                    note="附件名单",
                    document_number=roster.ANNEX_DOCUMENT
                    if role in rules.APPOINTED_BY_UNIVERSITY
                    else "",
                    from_annex=True,
                )
                result.created.append(f"appointment {body_code}#{order}")

    # R-ORG-1: every member unit has its head's seat, filled where the annex names the head.
    # Liaisons are the Office's to appoint.
    for code, unit in units.items():
        seat, created = Seat.objects.get_or_create(
            unit=unit, role=UnitRole.HEAD, defaults={"order": 1}
        )
        if created:
            result.created.append(f"seat {code}#head")
        head = roster.UNIT_HEADS.get(code)
        if head is not None and not seat.appointments.exists():
            fill_seat(actor=actor, seat=seat, person=people[head], started_on=on, note="附件名单")
            result.created.append(f"appointment {code}#head")

    if result:
        audit.record(
            actor=actor,
            action="roster.loaded",
            obj=bodies["leading-group"],
            after={"created": result.created},
        )
    return result
