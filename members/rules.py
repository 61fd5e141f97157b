"""Rules of the regulation about the bodies and their seats. Pure: no ORM, no request."""

from collections.abc import Iterable
from dataclasses import dataclass

from members.models import Body, Role

# Art. 12-13: who may vote. Office director and staff serve meetings but never vote (R-MEET-3).
VOTING_ROLES: frozenset[str] = frozenset({Role.LEADER, Role.DEPUTY, Role.MEMBER, Role.EXPERT})

# Art. 6 / R-ORG-2: the Expert Panel has five to seven experts.
EXPERT_PANEL_MIN = 5
EXPERT_PANEL_MAX = 7


def is_voting_role(role: str) -> bool:
    """Return whether a seat with this role votes (Art. 12-13)."""
    return role in VOTING_ROLES


@dataclass(frozen=True)
class Grant:
    """Permission ``codename`` on the bodies of ``scope``: "own" or one Body.Kind."""

    codename: str
    scope: str = "own"


# R-DUTY-1: what each seat may do, and on which bodies.
# Art. 12: the leader or a deputy convenes; Art. 15: only the leader signs minutes;
# Art. 13: seated voting members vote; Art. 9: the Office organises the meetings of the
# Leading Group and the Work Group and keeps the roster; Art. 11: experts review projects.
_OFFICE_SERVES = (
    Body.Kind.LEADING_GROUP,
    Body.Kind.WORK_GROUP,
    Body.Kind.OFFICE,
    Body.Kind.EXPERT_PANEL,
)
ROLE_GRANTS: dict[str, tuple[Grant, ...]] = {
    Role.LEADER: (Grant("convene_meeting"), Grant("sign_minutes"), Grant("vote")),
    Role.DEPUTY: (Grant("convene_meeting"), Grant("vote")),
    Role.MEMBER: (Grant("vote"),),
    Role.OFFICE_DIRECTOR: tuple(
        grant
        for kind in _OFFICE_SERVES
        for grant in (Grant("manage_meetings", kind), Grant("manage_seats", kind))
    ),
    Role.OFFICE_STAFF: tuple(
        grant
        for kind in _OFFICE_SERVES
        for grant in (Grant("manage_meetings", kind), Grant("manage_seats", kind))
    ),
    Role.EXPERT: (Grant("review_projects"), Grant("vote")),
}


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
