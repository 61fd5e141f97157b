"""members.rules: who votes, what a seat grants, and the Expert Panel's size (Art. 6, 12-13)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from members.models import Body, Role
from members.rules import (
    ROLE_GRANTS,
    PanelSize,
    grants_for,
    is_voting_role,
    may_add_expert,
    may_convene,
    may_sign_minutes,
)

KNOWN_CODENAMES = {codename for codename, _label in Body._meta.permissions}
BODY_IDS = {
    Body.Kind.LEADING_GROUP: 1,
    Body.Kind.WORK_GROUP: 2,
    Body.Kind.OFFICE: 3,
    Body.Kind.EXPERT_PANEL: 4,
}
OFFICE_GRANTS = {
    (codename, body) for codename in ("manage_meetings", "manage_seats") for body in (1, 2, 3, 4)
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
        (Role.LEADER, 1, {("convene_meeting", 1), ("sign_minutes", 1), ("vote", 1)}),
        (Role.DEPUTY, 1, {("convene_meeting", 1), ("vote", 1)}),
        (Role.MEMBER, 2, {("vote", 2)}),
        (Role.EXPERT, 4, {("review_projects", 4), ("vote", 4)}),
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
        ("manage_meetings", 1),
        ("manage_seats", 1),
        ("manage_meetings", 3),
        ("manage_seats", 3),
    }


@given(st.integers(min_value=0, max_value=100))
def test_may_add_expert_while_fewer_than_seven(n):
    assert may_add_expert(seated=n) == (n < 7)
    assert PanelSize(seated=n).too_small == (n < 5)
    assert PanelSize(seated=n).full == (n >= 7)


@given(
    role=st.sampled_from(Role.values),
    body_id=st.integers(min_value=1, max_value=10_000),
    ids=st.lists(st.integers(min_value=1, max_value=10_000), min_size=4, max_size=4, unique=True),
    present=st.sets(st.sampled_from(Body.Kind.values)),
)
def test_grants_are_known_codenames_on_the_right_bodies(role, body_id, ids, present):
    by_kind = {kind: i for kind, i in zip(Body.Kind.values, ids, strict=True) if kind in present}

    grants = grants_for(role=role, body_id=body_id, body_ids_by_kind=by_kind)

    assert {codename for codename, _ in grants} <= KNOWN_CODENAMES
    assert {target for _, target in grants} <= {body_id, *by_kind.values()}
    for grant in ROLE_GRANTS[role]:
        if grant.scope == "own":
            assert (grant.codename, body_id) in grants
        elif grant.scope in by_kind:
            assert (grant.codename, by_kind[grant.scope]) in grants
    # Art. 13: a seat grants "vote" exactly when its role votes.
    assert (("vote", body_id) in grants) == is_voting_role(role)


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

    assert (("convene_meeting", body_id) in grants) == may_convene(role)
    assert (("sign_minutes", body_id) in grants) == may_sign_minutes(role)
    assert may_sign_minutes(role) <= may_convene(role)  # whoever signs also convenes
