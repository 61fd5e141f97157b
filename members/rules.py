"""Rules of the regulation about the bodies, the units and their seats. Pure: no ORM, no
request.

The kinds of body and the roles of a seat are defined here, as Django's enumeration types
(labels for forms and the admin, no database), so that members.models builds on the rules and
not the other way round.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _


class BodyKind(TextChoices):
    """The four bodies of Art. 3-6 (members.models.Body.Kind)."""

    LEADING_GROUP = "leading_group", _("Leading Group")
    WORK_GROUP = "work_group", _("Work Group")
    OFFICE = "office", _("Office")
    EXPERT_PANEL = "expert_panel", _("Expert Panel")


class Role(TextChoices):
    """What a seat is; whether it votes and what it may do follows from the functions below."""

    LEADER = "leader", _("Leader")
    DEPUTY = "deputy", _("Deputy leader")
    MEMBER = "member", _("Member")
    OFFICE_DIRECTOR = "office_director", _("Office director")
    OFFICE_STAFF = "office_staff", _("Office staff")
    EXPERT = "expert", _("Expert")


class UnitRole(TextChoices):
    """What a seat of a unit is: its head or one of its liaisons. Never a vote.

    Kept apart from Role, whose choices meetings copies for the members a meeting expects:
    a unit's seat is never expected at a meeting."""

    HEAD = "unit_head", _("Head of unit")
    LIAISON = "unit_liaison", _("Unit liaison")


# Art. 12-13: who may vote. Office director and staff serve meetings but never vote (R-MEET-3).
VOTING_ROLES: frozenset[str] = frozenset({Role.LEADER, Role.DEPUTY, Role.MEMBER, Role.EXPERT})
# Art. 12 / R-MEET-1: meetings are convened by the leader or a deputy leader.
CONVENING_ROLES: frozenset[str] = frozenset({Role.LEADER, Role.DEPUTY})

# Art. 6 / R-ORG-2: the Expert Panel has five to seven experts.
EXPERT_PANEL_MIN = 5
EXPERT_PANEL_MAX = 7


def is_voting_role(role: str) -> bool:
    """Return whether a seat with this role votes (Art. 12-13)."""
    return role in VOTING_ROLES


def may_convene(role: str | None) -> bool:
    """Art. 12 / R-MEET-1: return whether a seat of ``role`` convenes its body's meetings."""
    return role in CONVENING_ROLES


def may_sign_minutes(role: str | None) -> bool:
    """Art. 15 / R-MIN-1: only the body's leader signs its minutes (not a deputy, not an admin)."""
    return role == Role.LEADER


@dataclass(frozen=True)
class Grant:
    """Permission ``codename`` on ``scope``: "own" (the seat's own body, or its own unit for a
    unit's seat) or one BodyKind (that body)."""

    codename: str
    scope: str = "own"


# Art. 9: the Office organises the meetings of the Leading Group and the Work Group and keeps
# the roster (of every body); Art. 11: experts review projects.
_OFFICE_SERVES = (
    BodyKind.LEADING_GROUP,
    BodyKind.WORK_GROUP,
    BodyKind.OFFICE,
    BodyKind.EXPERT_PANEL,
)
_OFFICE_GRANTS = tuple(
    grant
    for kind in _OFFICE_SERVES
    for grant in (Grant("manage_meetings", kind), Grant("manage_seats", kind))
)


def _grants_of(role: Role) -> tuple[Grant, ...]:
    """R-DUTY-1: what a seat of ``role`` may do, from the rules above."""
    grants = []
    if may_convene(role):  # Art. 12
        grants.append(Grant("convene_meeting"))
    if may_sign_minutes(role):  # Art. 15
        grants.append(Grant("sign_minutes"))
    if role in (Role.OFFICE_DIRECTOR, Role.OFFICE_STAFF):  # Art. 9
        grants.extend(_OFFICE_GRANTS)
    if role == Role.EXPERT:  # Art. 11
        grants.append(Grant("review_projects"))
    if is_voting_role(role):  # Art. 13
        grants.append(Grant("vote"))
    return tuple(grants)


# R-DUTY-1: what each seat may do, and on which bodies.
ROLE_GRANTS: dict[str, tuple[Grant, ...]] = {role: _grants_of(role) for role in Role}

# R-ORG-1, R-DUTY-1: a unit's seats are its head (单位负责人, one) and its liaisons (联络员).
# Both act for their own unit (acknowledge and report, Art. 10, 16); the head alone heads it.
# They never vote: VOTING_ROLES does not name them.
UNIT_ROLES: frozenset[str] = frozenset(UnitRole.values)
ROLE_GRANTS |= {
    UnitRole.HEAD: (Grant("act_for_unit"), Grant("head_unit")),
    UnitRole.LIAISON: (Grant("act_for_unit"),),
}

# What a grant is on: a body (BodyUserObjectPermission) or a unit (UnitUserObjectPermission).
ON_BODY: Literal["body"] = "body"
ON_UNIT: Literal["unit"] = "unit"
Target = tuple[str, str, int]  # (codename, ON_BODY or ON_UNIT, id)


def is_unit_role(role: str) -> bool:
    """Return whether a seat with this role is a unit's seat (its head or a liaison)."""
    return role in UNIT_ROLES


def grants_for(
    *,
    role: str,
    body_id: int | None = None,
    unit_id: int | None = None,
    body_ids_by_kind: dict[str, int],
) -> set[Target]:
    """Return the (codename, ON_BODY or ON_UNIT, id) that a seat of ``role`` confers: a seat
    in the body ``body_id``, or of the unit ``unit_id`` for a unit's role."""
    if is_unit_role(role):
        if unit_id is None:
            raise ValueError(f"a seat of role {role!r} belongs to a unit")
        own: tuple[str, int] = (ON_UNIT, unit_id)
    else:
        if body_id is None:
            raise ValueError(f"a seat of role {role!r} belongs to a body")
        own = (ON_BODY, body_id)
    targets: set[Target] = set()
    for grant in ROLE_GRANTS[role]:
        if grant.scope == "own":
            targets.add((grant.codename, *own))
        elif grant.scope in body_ids_by_kind:
            targets.add((grant.codename, ON_BODY, body_ids_by_kind[grant.scope]))
    return targets


@dataclass(frozen=True)
class PanelSize:
    """Art. 6 / R-ORG-2: how the Expert Panel's size stands against five to seven."""

    seated: int

    @property
    def too_small(self) -> bool:
        return self.seated < EXPERT_PANEL_MIN

    @property
    def full(self) -> bool:
        return self.seated >= EXPERT_PANEL_MAX


def may_add_expert(*, seated: int) -> bool:
    """Art. 6: an eighth expert is refused."""
    return seated < EXPERT_PANEL_MAX


# Art. 9: the Office keeps the roster, the units' seats included: whoever may fill the
# Office's own seats fills and vacates those of every unit.
UNIT_SEATS_KEPT_BY: str = BodyKind.OFFICE


# Art. 3-4 / R-ORG-4: the leader and the deputies hold their seats by university appointment
# (the president; the university leader in charge; the directors Art. 4 names).
APPOINTED_BY_UNIVERSITY: frozenset[str] = frozenset({Role.LEADER, Role.DEPUTY})


def art3_seat_needs_administrator(role: str) -> bool:
    """Art. 3-4 / R-ORG-4: return whether seats of ``role`` are added, filled and vacated only
    by an administrator, citing the appointment document (文号 and date)."""
    return role in APPOINTED_BY_UNIVERSITY


def art3_may_change_seat(*, role: str, by_administrator: bool) -> bool:
    """Art. 3-4 / R-ORG-4: return whether the actor may add, fill or vacate a seat of ``role``:
    the Office keeps member, Office and expert seats; leader and deputy seats are an
    administrator's alone."""
    return by_administrator or not art3_seat_needs_administrator(role)


def may_appoint(*, actor_id: int | None, person_id: int) -> bool:
    """R-ORG-4: nobody fills or vacates a seat for themselves. No actor is the roster loader
    (or a command run by hand), which fills what the annex says."""
    return actor_id is None or actor_id != person_id


# Art. 10 / R-DUTY-1: the member unit that owns each duty, by its code (members.roster).
ART10_DUTY_UNITS: dict[str, str] = {
    "e_government": "president-office",  # (1) coordinates e-government
    "websites": "publicity",  # (2) website content and website security
    "funding": "finance",  # (3) project funding and the oversight of its use
    "tender": "state-assets",  # (4) tendering of projects
    "acceptance": "state-assets",  # (4) acceptance of projects
    "assets": "state-assets",  # (4) asset management of projects
    "operations": "netc",  # (5) operation and security of systems: go-live, 等保 filing
}


def unit_for_duty(duty: str) -> str:
    """Art. 10: return the code of the unit that owns ``duty`` (a key of ART10_DUTY_UNITS)."""
    try:
        return ART10_DUTY_UNITS[duty]
    except KeyError:
        raise ValueError(f"Art. 10 names no unit for the duty {duty!r}") from None


# Not an article of the regulation but what its Art. 15 asks of the portal: minutes signed by
# the leader carry the force of university documents, so whoever convenes, signs, keeps the
# roster or administers the site signs in with a second factor.
SECOND_FACTOR_ROLES: frozenset[str] = frozenset(
    {Role.LEADER, Role.DEPUTY, Role.OFFICE_DIRECTOR, Role.OFFICE_STAFF}
)


def requires_second_factor(*, roles: Iterable[str], is_staff: bool) -> bool:
    """Return whether a person with seats of these ``roles`` must sign in with a second factor
    (administrators, ``is_staff``, must too)."""
    return is_staff or not SECOND_FACTOR_ROLES.isdisjoint(roles)
