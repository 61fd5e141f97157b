"""members.rules: who votes, what a seat grants, and the Expert Panel's size (Art. 6, 12-13)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from members import roster
from members.models import Body, Role, Unit, UnitRole
from members.rules import (
    ART10_DUTY_UNITS,
    ON_BODY,
    ON_UNIT,
    ROLE_GRANTS,
    PanelSize,
    grants_for,
    is_unit_role,
    is_voting_role,
    may_add_expert,
    may_appoint,
    may_convene,
    may_sign_minutes,
    unit_for_duty,
)

KNOWN_CODENAMES = {codename for codename, _label in Body._meta.permissions}
KNOWN_UNIT_CODENAMES = {codename for codename, _label in Unit._meta.permissions}
ALL_ROLES = [*Role.values, *UnitRole.values]
BODY_IDS = {
    Body.Kind.LEADING_GROUP: 1,
    Body.Kind.WORK_GROUP: 2,
    Body.Kind.OFFICE: 3,
    Body.Kind.EXPERT_PANEL: 4,
}
OFFICE_GRANTS = {
    (codename, ON_BODY, body)
    for codename in ("manage_meetings", "manage_seats")
    for body in (1, 2, 3, 4)
}


@pytest.mark.parametrize(
    ("role", "votes"),
    [
        (Role.LEADER, True),
        (Role.DEPUTY, True),
        (Role.MEMBER, True),
        (Role.EXPERT, True),
        # R-MEET-3: the Office serves meetings but never votes.
        (Role.OFFICE_DIRECTOR, False),
        (Role.OFFICE_STAFF, False),
        # A unit's head and liaisons act for their unit; they never vote.
        (UnitRole.HEAD, False),
        (UnitRole.LIAISON, False),
    ],
)
def test_only_members_of_the_body_vote(role, votes):
    assert is_voting_role(role) is votes


@pytest.mark.parametrize(
    ("seated", "allowed"),
    [(0, True), (4, True), (6, True), (7, False), (8, False)],
)
def test_an_eighth_expert_is_refused(seated, allowed):
    assert may_add_expert(seated=seated) is allowed


@pytest.mark.parametrize(
    ("seated", "too_small", "full"),
    [(0, True, False), (4, True, False), (5, False, False), (6, False, False), (7, False, True)],
)
def test_panel_size_against_five_to_seven(seated, too_small, full):
    size = PanelSize(seated=seated)

    assert (size.too_small, size.full) == (too_small, full)


@pytest.mark.parametrize(
    ("role", "body_id", "expected"),
    [
        (
            Role.LEADER,
            1,
            {("convene_meeting", ON_BODY, 1), ("sign_minutes", ON_BODY, 1), ("vote", ON_BODY, 1)},
        ),
        (Role.DEPUTY, 1, {("convene_meeting", ON_BODY, 1), ("vote", ON_BODY, 1)}),
        (Role.MEMBER, 2, {("vote", ON_BODY, 2)}),
        (Role.EXPERT, 4, {("review_projects", ON_BODY, 4), ("vote", ON_BODY, 4)}),
        (Role.OFFICE_DIRECTOR, 3, OFFICE_GRANTS),
        (Role.OFFICE_STAFF, 3, OFFICE_GRANTS),
    ],
)
def test_grants_for_each_role(role, body_id, expected):
    assert grants_for(role=role, body_id=body_id, body_ids_by_kind=BODY_IDS) == expected


def test_office_grants_skip_bodies_that_do_not_exist():
    only_lg_and_office = {Body.Kind.LEADING_GROUP: 1, Body.Kind.OFFICE: 3}

    grants = grants_for(role=Role.OFFICE_STAFF, body_id=3, body_ids_by_kind=only_lg_and_office)

    assert grants == {
        ("manage_meetings", ON_BODY, 1),
        ("manage_seats", ON_BODY, 1),
        ("manage_meetings", ON_BODY, 3),
        ("manage_seats", ON_BODY, 3),
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (UnitRole.HEAD, {("act_for_unit", ON_UNIT, 9), ("head_unit", ON_UNIT, 9)}),
        (UnitRole.LIAISON, {("act_for_unit", ON_UNIT, 9)}),
    ],
)
def test_a_units_seat_grants_on_its_own_unit_only(role, expected):
    assert grants_for(role=role, unit_id=9, body_ids_by_kind=BODY_IDS) == expected


@pytest.mark.parametrize(
    ("role", "body_id", "unit_id"),
    [
        (UnitRole.LIAISON, 3, None),  # a unit's role in a body
        (UnitRole.HEAD, None, None),
        (Role.MEMBER, None, 9),  # a body's role in a unit
        (Role.OFFICE_STAFF, None, None),
    ],
)
def test_grants_for_a_seat_without_its_owner_is_an_error(role, body_id, unit_id):
    with pytest.raises(ValueError, match="belongs to a"):
        grants_for(role=role, body_id=body_id, unit_id=unit_id, body_ids_by_kind=BODY_IDS)


@pytest.mark.parametrize(
    ("role", "unit_role"),
    [*[(role, False) for role in Role.values], (UnitRole.HEAD, True), (UnitRole.LIAISON, True)],
)
def test_only_head_and_liaison_are_unit_roles(role, unit_role):
    assert is_unit_role(role) is unit_role


@pytest.mark.parametrize(
    ("actor_id", "person_id", "allowed"),
    [
        (1, 2, True),
        (2, 1, True),
        (1, 1, False),  # R-ORG-4: nobody appoints themselves
        (None, 1, True),  # the roster loader
    ],
)
def test_nobody_appoints_themselves(actor_id, person_id, allowed):
    assert may_appoint(actor_id=actor_id, person_id=person_id) is allowed


@given(actor_id=st.none() | st.integers(min_value=1), person_id=st.integers(min_value=1))
def test_may_appoint_refuses_exactly_oneself(actor_id, person_id):
    assert may_appoint(actor_id=actor_id, person_id=person_id) == (actor_id != person_id)


@pytest.mark.parametrize(
    ("duty", "unit"),
    [
        ("e_government", "president-office"),
        ("websites", "publicity"),
        ("funding", "finance"),
        ("tender", "state-assets"),
        ("acceptance", "state-assets"),
        ("assets", "state-assets"),
        ("operations", "netc"),
    ],
)
def test_art_10_names_the_unit_of_each_duty(duty, unit):
    assert unit_for_duty(duty) == unit


@pytest.mark.parametrize("duty", ["", "vote", "Funding", "review_projects"])
def test_a_duty_art_10_does_not_name_is_an_error(duty):
    with pytest.raises(ValueError, match=r"^Art\. 10 names no unit for the duty"):
        unit_for_duty(duty)


def test_art_10_duties_belong_to_the_five_units_that_carry_duties_in_the_annex():
    assert set(ART10_DUTY_UNITS.values()) == set(roster.UNIT_DUTIES)


@given(st.integers(min_value=0, max_value=100))
def test_may_add_expert_while_fewer_than_seven(n):
    assert may_add_expert(seated=n) == (n < 7)
    assert PanelSize(seated=n).too_small == (n < 5)
    assert PanelSize(seated=n).full == (n >= 7)


@given(
    role=st.sampled_from(ALL_ROLES),
    owner_id=st.integers(min_value=1, max_value=10_000),
    ids=st.lists(st.integers(min_value=1, max_value=10_000), min_size=4, max_size=4, unique=True),
    present=st.sets(st.sampled_from(Body.Kind.values)),
)
def test_grants_are_known_codenames_on_the_right_targets(role, owner_id, ids, present):
    by_kind = {kind: i for kind, i in zip(Body.Kind.values, ids, strict=True) if kind in present}
    own = (ON_UNIT, owner_id) if is_unit_role(role) else (ON_BODY, owner_id)
    owner = {"unit_id": owner_id} if is_unit_role(role) else {"body_id": owner_id}

    grants = grants_for(role=role, body_ids_by_kind=by_kind, **owner)

    assert {c for c, on, _ in grants if on == ON_BODY} <= KNOWN_CODENAMES
    assert {c for c, on, _ in grants if on == ON_UNIT} <= KNOWN_UNIT_CODENAMES
    assert {(on, target) for _, on, target in grants} <= {
        own,
        *((ON_BODY, i) for i in by_kind.values()),
    }
    for grant in ROLE_GRANTS[role]:
        if grant.scope == "own":
            assert (grant.codename, *own) in grants
        elif grant.scope in by_kind:
            assert (grant.codename, ON_BODY, by_kind[grant.scope]) in grants
    # A unit's seat grants on its own unit and nothing else; a body's seat on no unit.
    assert {on for _, on, _t in grants} <= ({ON_UNIT} if is_unit_role(role) else {ON_BODY})
    # Art. 13: a seat grants "vote" exactly when its role votes.
    assert (("vote", *own) in grants) == is_voting_role(role)


@pytest.mark.parametrize(
    ("role", "convenes", "signs"),
    [
        (Role.LEADER, True, True),
        (Role.DEPUTY, True, False),  # R-MIN-1: a deputy convenes but never signs
        (Role.MEMBER, False, False),
        (Role.EXPERT, False, False),
        (Role.OFFICE_DIRECTOR, False, False),
        (Role.OFFICE_STAFF, False, False),
        (None, False, False),
    ],
)
def test_who_convenes_and_who_signs(role, convenes, signs):
    assert (may_convene(role), may_sign_minutes(role)) == (convenes, signs)


@given(role=st.sampled_from(Role.values), body_id=st.integers(min_value=1, max_value=10_000))
def test_a_seat_grants_convening_and_signing_exactly_by_the_rules(role, body_id):
    # Art. 12, 15: the permissions are the rules' own answer, not a second list.
    grants = grants_for(role=role, body_id=body_id, body_ids_by_kind=BODY_IDS)

    assert (("convene_meeting", ON_BODY, body_id) in grants) == may_convene(role)
    assert (("sign_minutes", ON_BODY, body_id) in grants) == may_sign_minutes(role)
    assert may_sign_minutes(role) <= may_convene(role)  # whoever signs also convenes
