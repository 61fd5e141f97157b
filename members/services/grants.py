"""The only code that grants object permissions: a person's body and unit permissions (the
django-guardian rows) made exactly what their seats confer today (members.rules.grants_for)."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from infogov import audit
from members import rules
from members.models import (
    Appointment,
    Body,
    BodyUserObjectPermission,
    UnitUserObjectPermission,
    User,
)

MANAGED_CODENAMES: frozenset[str] = frozenset(
    grant.codename for grants in rules.ROLE_GRANTS.values() for grant in grants
)


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
