"""What a person may do with a body or for a unit. The only module that reads
django-guardian's rows.

Permissions come from seats alone: a superuser administers the site through Django admin but
does not convene, vote or sign by virtue of being a superuser (Art. 12, 15).
"""

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.http import Http404
from django.utils import timezone

from members import rules
from members.models import (
    Appointment,
    Body,
    BodyUserObjectPermission,
    Seat,
    Unit,
    UnitRole,
    UnitUserObjectPermission,
    User,
)

_CACHE_ATTR = "_infogov_body_perms"
_UNIT_CACHE_ATTR = "_infogov_unit_perms"
# Bounds what a guardian row changed outside members.services (by hand, in the database) may
# keep granting, until `manage.py sync_permissions` repairs it and moves the revision on.
PERMISSIONS_TIMEOUT = 600


def _read_perms(
    user: User,
    *,
    attr: str,
    prefix: str,
    table: type[BodyUserObjectPermission] | type[UnitUserObjectPermission],
) -> dict[int, frozenset[str]]:
    if not user.is_authenticated or not user.is_active:
        return {}
    found = getattr(user, attr, None)
    if found is None:
        key = f"{prefix}:{user.pk}:{user.permissions_revision}"
        found = cache.get(key)
        if found is None:
            grouped: dict[int, set[str]] = {}
            rows = table.objects.filter(user=user).values_list(
                "content_object_id", "permission__codename"
            )
            for target_id, codename in rows:
                grouped.setdefault(target_id, set()).add(codename)
            found = {target_id: frozenset(codes) for target_id, codes in grouped.items()}
            cache.set(key, found, PERMISSIONS_TIMEOUT)
        setattr(user, attr, found)
    return found


def body_perms(user: User) -> dict[int, frozenset[str]]:
    """Return {body id: codenames} for ``user``: read once per user object, and kept in the
    cache under the user's permissions revision, which the services move on with every grant
    and revocation (so a cached entry is never older than the user row just read)."""
    return _read_perms(user, attr=_CACHE_ATTR, prefix="body-perms", table=BodyUserObjectPermission)


def unit_perms(user: User) -> dict[int, frozenset[str]]:
    """Return {unit id: codenames} for ``user``, read and cached as ``body_perms`` is."""
    return _read_perms(
        user, attr=_UNIT_CACHE_ATTR, prefix="unit-perms", table=UnitUserObjectPermission
    )


def forget(user: User) -> None:
    """Drop the permissions read for ``user`` after a change within the same request."""
    for attr in (_CACHE_ATTR, _UNIT_CACHE_ATTR):
        if hasattr(user, attr):
            delattr(user, attr)
    if user.pk is not None:
        user.refresh_from_db(fields=["permissions_revision"])


def has_body_perm(user: User, codename: str, body: Body | int) -> bool:
    """Whether ``user`` holds ``codename`` on ``body`` (a Body or its id: a page that read
    only the id asks without loading the body)."""
    body_id = body if isinstance(body, int) else body.pk
    return codename in body_perms(user).get(body_id, frozenset())


def can_manage_seats(user: User, body: Body) -> bool:
    """Art. 9: the Office keeps the roster."""
    return has_body_perm(user, "manage_seats", body)


def is_administrator(user: User) -> bool:
    """An active superuser: administers the site, and records university appointments."""
    return user.is_authenticated and user.is_active and user.is_superuser


def can_keep_seat(user: User, seat: Seat) -> bool:
    """R-ORG-4: an administrator fills and vacates leader and deputy seats; the Office the
    others (Art. 9), and an administrator may too."""
    if is_administrator(user):
        return True
    return (
        seat.body is not None
        and not rules.art3_seat_needs_administrator(seat.role)
        and can_manage_seats(user, seat.body)
    )


def can_keep_any_seat(user: User, body: Body) -> bool:
    """Whether ``user`` may fill, vacate or add some seat of ``body`` (the Office, an
    administrator)."""
    return is_administrator(user) or can_manage_seats(user, body)


def is_seated_leader(person: User, day: dt.date | None = None) -> bool:
    """Art. 15 / R-MIN-1: whether ``person`` (active) holds a body's leader seat on ``day``
    (today): the only people a signing key is issued to."""
    if person.pk is None or not person.is_active:
        return False
    return (
        Appointment.objects.on(day or timezone.localdate())
        .filter(person=person, seat__role=rules.Role.LEADER)
        .exists()
    )


def can_view_roster(user: User) -> bool:
    """The roster is open to every signed-in person of the university."""
    return user.is_authenticated and user.is_active


def get_body_for_user_or_404(user: User, code: str) -> Body:
    if not can_view_roster(user):
        raise Http404
    try:
        return Body.objects.select_related("parent", "host_unit").get(code=code)
    except Body.DoesNotExist:
        raise Http404 from None


# --- Units ----------------------------------------------------------------------------------


def has_unit_perm(user: User, codename: str, unit: Unit | int) -> bool:
    """Whether ``user`` holds ``codename`` on ``unit`` (a Unit or its id)."""
    unit_id = unit if isinstance(unit, int) else unit.pk
    return codename in unit_perms(user).get(unit_id, frozenset())


def units_acting_for(user: User) -> set[int]:
    """The ids of the units ``user`` acknowledges and reports for: as its head or a liaison."""
    return {unit_id for unit_id, codes in unit_perms(user).items() if "act_for_unit" in codes}


def may_act_for_duty(user: User, duty: str) -> bool:
    """R-DUTY-1: whether ``user`` acts for the unit that Art. 10 gives ``duty`` (e.g. only
    Finance records "funding"). A duty Art. 10 does not name is a ValueError."""
    code = rules.unit_for_duty(duty)
    units = units_acting_for(user)
    return bool(units) and Unit.objects.filter(pk__in=units, code=code).exists()


def can_manage_unit_seats(user: User) -> bool:
    """Art. 9: the Office keeps the roster, and so fills and vacates the units' seats."""
    managed = [body_id for body_id, codes in body_perms(user).items() if "manage_seats" in codes]
    return (
        bool(managed)
        and Body.objects.filter(pk__in=managed, kind=rules.UNIT_SEATS_KEPT_BY).exists()
    )


def get_unit_for_user_or_404(user: User, code: str) -> Unit:
    if not can_view_roster(user):
        raise Http404
    try:
        return Unit.objects.get(code=code)
    except Unit.DoesNotExist:
        raise Http404 from None


def get_unit_seat_for_user_or_404(user: User, code: str, seat_id: int) -> Seat:
    """A seat of the unit ``code``; a body's seat or another unit's is not found here."""
    if not can_view_roster(user):
        raise Http404
    try:
        return Seat.objects.select_related("unit").get(pk=seat_id, unit__code=code)
    except Seat.DoesNotExist:
        raise Http404 from None


@dataclass(frozen=True)
class UnitContacts:
    """Who speaks for a unit on a day: its head (if seated) and its liaisons, in seat order."""

    head: User | None
    liaisons: tuple[User, ...]

    @property
    def people(self) -> tuple[User, ...]:
        """The head first, then the liaisons: everyone to notify."""
        return ((self.head,) if self.head is not None else ()) + self.liaisons


def unit_contacts(unit: Unit | int, day: dt.date | None = None) -> UnitContacts:
    """The seated, active head and liaisons of ``unit`` on ``day`` (today): one query."""
    appointments = (
        Appointment.objects.seated_in_unit(unit, day)
        .filter(person__is_active=True)
        .select_related("person", "seat")
        .order_by("seat__order", "seat_id")
    )
    head = None
    liaisons = []
    for appointment in appointments:
        if appointment.seat.role == UnitRole.HEAD:
            head = appointment.person
        else:
            liaisons.append(appointment.person)
    return UnitContacts(head=head, liaisons=tuple(liaisons))
