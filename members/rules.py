"""Rules of the regulation about the bodies and their seats. Pure: no ORM, no request.

The kinds of body and the roles of a seat are defined here, as Django's enumeration types
(labels for forms and the admin, no database), so that members.models builds on the rules and
not the other way round.
"""

from dataclasses import dataclass

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
    """Permission ``codename`` on the bodies of ``scope``: "own" or one BodyKind."""

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


def grants_for(
    *, role: str, body_id: int, body_ids_by_kind: dict[str, int]
) -> set[tuple[str, int]]:
    """Return the (codename, body id) pairs that a seat of ``role`` in a body confers."""
    pairs: set[tuple[str, int]] = set()
    for grant in ROLE_GRANTS[role]:
        if grant.scope == "own":
            pairs.add((grant.codename, body_id))
        elif grant.scope in body_ids_by_kind:
            pairs.add((grant.codename, body_ids_by_kind[grant.scope]))
    return pairs


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
