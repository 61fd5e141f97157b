"""Art. 13 / R-VOTE-1: who may be a secret ballot's scrutineers, and when it may be counted."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meetings import rules


@pytest.mark.parametrize(
    ("named", "distinct", "all_present", "ok"),
    [
        (1, 1, True, False),
        (2, 2, True, True),
        (3, 3, True, True),
        (4, 4, True, False),
        (2, 1, True, False),  # the same person twice
        (3, 3, False, False),  # one not present
        (0, 0, True, False),
    ],
)
def test_art13_scrutineers_ok(named, distinct, all_present, ok):
    assert rules.art13_scrutineers_ok(named=named, distinct=distinct, all_present=all_present) is ok


@pytest.mark.parametrize(("confirmed", "ok"), [(0, False), (1, False), (2, True), (3, True)])
def test_art13_may_count(confirmed, ok):
    assert rules.art13_may_count(confirmed=confirmed) is ok


@given(st.integers(0, 10), st.integers(0, 10), st.booleans())
def test_scrutineers_are_two_or_three_different_present_members(named, distinct, present):
    ok = rules.art13_scrutineers_ok(named=named, distinct=distinct, all_present=present)
    assert ok == (present and distinct == named and 2 <= named <= 3)
    # Whoever may be named can count: any two of them suffice.
    if ok:
        assert rules.art13_may_count(confirmed=rules.SCRUTINEERS_TO_COUNT)
        assert named >= rules.SCRUTINEERS_TO_COUNT
