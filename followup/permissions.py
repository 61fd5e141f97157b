"""Who sees which follow-up items and in which capacity they act (R-DUTY-1). Reads seats
only through members.permissions: the Office creates, assigns and closes; the head and the
liaisons of a unit act for their own unit; leaders see everything; anyone else sees nothing.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from followup.models import Inspection, Item
from followup.rules import Actor, ItemStep, may_take
from members.models import Body, User
from members.permissions import PERMISSIONS_TIMEOUT, body_perms, units_acting_for

_ATTR = "_followup_capacity"


@dataclass(frozen=True)
class Capacity:
    """What a person is for 督办, read once per request."""

    office: bool  # Art. 9 (1): staff or director of the Office
    wg_leader: bool  # the Work Group's leader: may close, approves extensions
    wg_deputy: bool  # a deputy leader of the Work Group: approves extensions
    leader: bool  # leader or deputy of the Leading Group or the Work Group: sees everything
    units: frozenset[int]  # the units they act for, as head or liaison

    @property
    def sees_all(self) -> bool:
        return self.office or self.leader

    @property
    def sees_any(self) -> bool:
        return self.sees_all or bool(self.units)

    def actors(self, item: Item) -> frozenset[Actor]:
        """The capacities in which this person acts on ``item``."""
        found = set()
        if self.office:
            found.add(Actor.OFFICE)
        if self.wg_leader:
            found.add(Actor.WG_LEADER)
        if self.wg_deputy:
            found.add(Actor.WG_DEPUTY)
        if item.lead_unit_id in self.units:
            found.add(Actor.LEAD_UNIT)
        if self.sees_all or found:
            found.add(Actor.VIEWER)
        return frozenset(found)


_BODY_IDS_KEY = "followup-body-ids"


def _body_ids() -> dict[str, int]:
    """{kind: id} of the Office, the Work Group and the Leading Group: bodies are loaded once
    from the annex and never renumbered, so the answer is cached (one query a day at most)."""
    ids = cache.get(_BODY_IDS_KEY)
    if ids is None:
        kinds = [Body.Kind.OFFICE, Body.Kind.WORK_GROUP, Body.Kind.LEADING_GROUP]
        ids = dict(Body.objects.filter(kind__in=kinds).values_list("kind", "pk"))
        cache.set(_BODY_IDS_KEY, ids, 24 * 3600)
    return ids


def capacity(user: User) -> Capacity:
    """Return the person's capacity: read once per request, and kept in the cache under the
    person's permissions revision, as members.permissions keeps the permissions it is made of
    (the services move the revision on with every grant and revocation)."""
    found = getattr(user, _ATTR, None)
    if found is not None:
        return found
    if not user.is_authenticated:
        return _read_capacity(user)
    key = f"followup-capacity:{user.pk}:{user.permissions_revision}:{int(user.is_active)}"
    found = cache.get(key)
    if found is None:
        found = _read_capacity(user)
        cache.set(key, found, PERMISSIONS_TIMEOUT)
    setattr(user, _ATTR, found)
    return found


def _read_capacity(user: User) -> Capacity:
    """The capacity from the permissions of members and the ids of the bodies."""
    perms = body_perms(user)
    units = frozenset(units_acting_for(user)) if user.is_authenticated else frozenset()
    ids = _body_ids() if perms else {}

    def has(kind: str, codename: str) -> bool:
        return kind in ids and codename in perms.get(ids[kind], frozenset())

    wg_convenes = has(Body.Kind.WORK_GROUP, "convene_meeting")
    wg_leader = has(Body.Kind.WORK_GROUP, "sign_minutes")
    return Capacity(
        office=has(Body.Kind.OFFICE, "manage_meetings"),
        wg_leader=wg_leader,
        wg_deputy=wg_convenes and not wg_leader,
        leader=wg_convenes or has(Body.Kind.LEADING_GROUP, "convene_meeting"),
        units=units,
    )


def forget(user: User) -> None:
    if hasattr(user, _ATTR):
        delattr(user, _ATTR)


def can_view_ledger(user: User) -> bool:
    return capacity(user).sees_any


def can_create(user: User) -> bool:
    """Art. 9 (1): the Office opens items and assigns them."""
    return capacity(user).office


def can_record_inspection(user: User) -> bool:
    """Art. 8 (4)(5): the Work Group inspects; its leaders or the Office record it."""
    cap = capacity(user)
    return cap.office or cap.wg_leader or cap.wg_deputy


def visible_items(user: User) -> QuerySet[Item]:
    """The items ``user`` sees: all for leaders and the Office, their units' for a unit's head
    or liaison (lead or co-unit), none for anyone else."""
    cap = capacity(user)
    if cap.sees_all:
        return Item.objects.all()
    if not cap.units:
        return Item.objects.none()
    co = Item.co_units.through.objects.filter(unit_id__in=cap.units).values("item_id")
    return Item.objects.filter(Q(lead_unit_id__in=cap.units) | Q(pk__in=co))


def get_item_for_user_or_404(user: User, pk: int) -> Item:
    try:
        return visible_items(user).select_related("lead_unit", "responsible").get(pk=pk)
    except Item.DoesNotExist:
        raise Http404 from None


def actors(user: User, item: Item) -> frozenset[Actor]:
    return capacity(user).actors(item)


def may(user: User, step: ItemStep, item: Item) -> bool:
    """Whether ``user`` acts in a capacity that takes ``step`` on ``item`` (any state)."""
    return may_take(step, actors(user, item))


def require(user: User, step: ItemStep, item: Item) -> None:
    """403 unless ``user`` may take ``step`` on ``item`` (which they can already see)."""
    if not may(user, step, item):
        raise PermissionDenied


def require_office(user: User) -> None:
    """404 for who sees no 督办 at all, 403 for who sees but is not the Office."""
    if not can_view_ledger(user):
        raise Http404
    if not can_create(user):
        raise PermissionDenied


def get_inspection_for_user_or_404(user: User, pk: int) -> Inspection:
    if not capacity(user).sees_all:
        raise Http404
    try:
        return Inspection.objects.get(pk=pk)
    except Inspection.DoesNotExist:
        raise Http404 from None
