"""Who may see and do what in the project cycle, from seats alone (members.permissions).

R-DUTY-1: the Office screens and assigns experts (Art. 9 (2)); the Work Group (its leader and
deputies, and the Office as its secretariat, Art. 9 (3)) runs the call and recommends
(Art. 8 (3)); experts review (Art. 11); a unit's head and liaisons propose and report for
their own unit; Finance funds, State Assets tenders and accepts, NETC records go-live
(Art. 10). Nobody approves: the Leading Group's vote does (Art. 7 (3)).

An object a person may not see answers 404; one they may see but not act on answers 403.
"""

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Q, QuerySet
from django.http import Http404

from members import permissions as seats
from members.models import Body, Unit, User
from members.rules import ART10_DUTY_UNITS, BodyKind
from projects.models import Assignment, Call, Proposal
from projects.rules import APPROVED_STATUSES, Actor, ProposalStatus

_BEFORE_THE_LEADING_GROUP = frozenset(
    {ProposalStatus.ON_AGENDA, ProposalStatus.NOT_APPROVED, *APPROVED_STATUSES}
)


@dataclass(frozen=True)
class Who:
    """What a person's seats make of them in the project cycle; read once per request."""

    user_id: int | None
    office: bool = False
    work_group: bool = False
    expert: bool = False
    leading_group: bool = False
    units: frozenset[int] = frozenset()
    duties: frozenset[Actor] = frozenset()  # FINANCE, STATE_ASSETS, NETC

    @property
    def sees_every_proposal(self) -> bool:
        return self.office or self.work_group

    @property
    def sees_approved(self) -> bool:
        """The Leading Group decided them; Art. 10's units carry them out."""
        return self.sees_every_proposal or self.leading_group or bool(self.duties)

    @property
    def any_role(self) -> bool:
        return self.sees_approved or self.expert or bool(self.units)

    def actors(self, proposal: Proposal | None = None) -> frozenset[Actor]:
        """The actors (projects.rules.Actor) this person is for ``proposal``."""
        held = set(self.duties)
        if self.office:
            held.add(Actor.OFFICE)
        if self.work_group:
            held.add(Actor.WORK_GROUP)
        if self.expert:
            held.add(Actor.EXPERT)
        unit_id = None if proposal is None else proposal.unit_id
        if (unit_id is None and self.units) or unit_id in self.units:
            held.add(Actor.UNIT)
        return frozenset(held)


_DUTY_ACTORS = {
    ART10_DUTY_UNITS["funding"]: Actor.FINANCE,
    ART10_DUTY_UNITS["tender"]: Actor.STATE_ASSETS,
    ART10_DUTY_UNITS["operations"]: Actor.NETC,
}


# The four bodies and the units change only with the roster; every page that asks who() (the
# dashboard's panel among them) reads them from the cache rather than the database.
KINDS_TIMEOUT = 600


def _body_kinds() -> dict[int, str]:
    return cache.get_or_set(
        "projects:body-kinds",
        lambda: dict(Body.objects.values_list("pk", "kind")),
        KINDS_TIMEOUT,
    )


def _unit_codes() -> dict[int, str]:
    return cache.get_or_set(
        "projects:unit-codes",
        lambda: dict(Unit.objects.values_list("pk", "code")),
        KINDS_TIMEOUT,
    )


def who(user: User) -> Who:
    """Return what ``user``'s seats make of them (kept on the user object); no query once the
    person's permissions and the bodies and units are cached."""
    if not user.is_authenticated or not user.is_active:
        return Who(user_id=None)
    cached = getattr(user, "_infogov_projects_who", None)
    if cached is not None:
        return cached
    body_perms = seats.body_perms(user)
    kinds = _body_kinds()

    def holds(kind: str, *codenames: str) -> bool:
        return any(
            kinds.get(body_id) == kind and not codes.isdisjoint(codenames)
            for body_id, codes in body_perms.items()
        )

    units = frozenset(seats.units_acting_for(user))
    unit_codes = _unit_codes() if units else {}
    codes = [unit_codes.get(unit_id) for unit_id in units]
    found = Who(
        user_id=user.pk,
        office=holds(BodyKind.OFFICE, "manage_meetings"),
        work_group=holds(BodyKind.WORK_GROUP, "manage_meetings", "convene_meeting"),
        expert=holds(BodyKind.EXPERT_PANEL, "review_projects"),
        leading_group=holds(BodyKind.LEADING_GROUP, "vote"),
        units=units,
        duties=frozenset(_DUTY_ACTORS[code] for code in codes if code in _DUTY_ACTORS),
    )
    user._infogov_projects_who = found
    return found


def forget(user: User) -> None:
    """Drop what ``who`` read for ``user`` (after a change of seats in the same request)."""
    if hasattr(user, "_infogov_projects_who"):
        del user._infogov_projects_who


def visible_proposals(user: User, queryset: QuerySet[Proposal] | None = None) -> QuerySet:
    """The proposals ``user`` may see: all for the Office and Work Group; approved ones for the
    Leading Group and Art. 10's units; their own unit's; those they were assigned to review."""
    found = who(user)
    queryset = Proposal.objects.all() if queryset is None else queryset
    if found.user_id is None:
        return queryset.none()
    if found.sees_every_proposal:
        return queryset
    condition = Q(unit__in=found.units)
    if found.sees_approved:
        condition |= Q(status__in=sorted(_BEFORE_THE_LEADING_GROUP))
    if found.expert:
        condition |= Q(
            pk__in=Assignment.objects.filter(expert_id=found.user_id)
            .exclude(state=Assignment.State.WITHDRAWN)
            .values("proposal_id")
        )
    return queryset.filter(condition)


def can_view_projects(user: User) -> bool:
    """The project pages are for people with a part in the cycle (404 for anybody else)."""
    return who(user).any_role


def can_open_call(user: User) -> bool:
    """Art. 8 (3): the Work Group calls for projects."""
    return who(user).work_group


def can_see_overview(user: User) -> bool:
    return who(user).sees_approved


def get_call_for_user_or_404(user: User, pk: int) -> Call:
    if not can_view_projects(user):
        raise Http404
    try:
        return Call.objects.get(pk=pk)
    except Call.DoesNotExist:
        raise Http404 from None


def get_proposal_for_user_or_404(user: User, pk: int) -> Proposal:
    try:
        return visible_proposals(user).select_related("call", "unit").get(pk=pk)
    except Proposal.DoesNotExist:
        raise Http404 from None


def get_assignment_for_user_or_404(user: User, pk: int) -> Assignment:
    """An expert sees only their own assignments (Art. 11)."""
    if not user.is_authenticated:
        raise Http404
    try:
        return Assignment.objects.select_related("proposal__call", "proposal__unit").get(
            pk=pk, expert=user
        )
    except Assignment.DoesNotExist:
        raise Http404 from None
