"""The annex loaded into the roster (R-ORG-3): units, bodies, duties, people and their seats."""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from infogov import audit
from members import roster, rules
from members.models import Body, Duty, Seat, Unit, UnitRole, User
from members.services.seats import fill_seat


@dataclass
class RosterLoad:
    created: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.created)


@transaction.atomic
def load_roster(*, actor: User | None = None, on: dt.date | None = None) -> RosterLoad:
    """R-ORG-3: load the annex. Creates only what is missing, so a second run changes nothing,
    and never re-seats anyone in a seat that has had a holder (the Office's changes stand)."""
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
