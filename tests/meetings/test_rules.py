"""The rules of procedure of Art. 12-13 (R-MEET-2, R-MEET-3, R-VOTE-3), against exact fractions."""

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meetings import rules
from meetings.rules import (
    Attendance,
    Basis,
    Choice,
    Tally,
    Threshold,
    has_quorum,
    passes,
    quorum_needed,
    required_before_vote,
    required_yes,
    tally,
)

# --- Art. 12: quorum (R-MEET-2, R-MEET-3) -------------------------------------------------------


@pytest.mark.parametrize(
    ("expected", "needed"), [(9, 7), (10, 7), (12, 9), (15, 11), (16, 11), (3, 3), (1, 1)]
)
def test_quorum_needed_is_more_than_two_thirds(expected, needed):
    assert quorum_needed(expected) == needed


@pytest.mark.parametrize(
    ("present", "expected", "quorate"),
    [
        (10, 15, False),  # exactly two-thirds is not more than two-thirds
        (11, 15, True),
        (10, 16, False),
        (11, 16, True),
        (6, 9, False),  # exactly two-thirds
        (7, 9, True),
        (6, 10, False),
        (7, 10, True),
        (8, 12, False),  # exactly two-thirds
        (9, 12, True),
        (0, 0, False),  # nobody expected: "more than two-thirds of nobody" is not met by nobody
        (1, 0, True),
        (0, 1, False),
        (1, 1, True),
        (2, 3, False),
        (3, 3, True),
    ],
)
def test_has_quorum_at_the_boundary(present, expected, quorate):
    assert has_quorum(present=present, expected=expected) is quorate


@given(st.integers(1, 200).flatmap(lambda e: st.tuples(st.just(e), st.integers(0, e))))
def test_has_quorum_agrees_with_exact_fractions(expected_present):
    expected, present = expected_present
    assert has_quorum(present=present, expected=expected) == (
        Fraction(present, expected) > Fraction(2, 3)
    )


def test_quorum_needed_is_the_least_quorate_attendance_for_every_size_to_200():
    for expected in range(201):
        needed = quorum_needed(expected)
        assert has_quorum(present=needed, expected=expected)
        assert not has_quorum(present=needed - 1, expected=expected)


@given(st.integers(1, 200))
def test_quorum_needed_is_the_least_n_with_quorum(expected):
    least = next(n for n in range(expected + 1) if has_quorum(present=n, expected=expected))
    assert quorum_needed(expected) == least


def test_attendance_counts_leave_and_absence_within_expected():
    numbers = Attendance(expected=16, present=11, on_leave=3)
    assert numbers.absent == 2
    assert numbers.needed == 11
    assert numbers.quorate is True
    assert numbers.short_by == 0


def test_attendance_short_by_the_missing_members():
    numbers = Attendance(expected=16, present=8, on_leave=6)
    assert numbers.absent == 2
    assert numbers.quorate is False
    assert numbers.short_by == 3


@given(
    st.integers(1, 200).flatmap(
        lambda e: st.tuples(st.just(e), st.integers(0, e)).flatmap(
            lambda ep: st.tuples(st.just(ep[0]), st.just(ep[1]), st.integers(0, ep[0] - ep[1]))
        )
    )
)
def test_attendance_absent_is_expected_minus_present_minus_on_leave(numbers):
    expected, present, on_leave = numbers
    attendance = Attendance(expected=expected, present=present, on_leave=on_leave)
    assert attendance.absent == expected - present - on_leave
    assert attendance.quorate == (Fraction(present, expected) > Fraction(2, 3))
    assert attendance.short_by == max(0, quorum_needed(expected) - present)


# --- Art. 13: passing rule (R-VOTE-3) ------------------------------------------------------------


@pytest.mark.parametrize(("base", "required"), [(9, 5), (10, 6), (12, 7), (15, 8), (16, 9)])
def test_more_than_half_needs_strictly_more_than_half(base, required):
    assert required_yes(base=base, threshold=Threshold.MORE_THAN_HALF) == required


@pytest.mark.parametrize(
    ("base", "required"),
    [(9, 6), (16, 11), (3, 2), (0, 1), (1, 1), (2, 2), (6, 4), (12, 8), (15, 10)],
)
def test_two_thirds_includes_the_number_itself(base, required):
    # 三分之二以上: "以上" includes two-thirds exactly (9 → 6, 3 → 2); zero votes never pass.
    assert required_yes(base=base, threshold=Threshold.TWO_THIRDS) == required


def test_more_than_half_of_nobody_still_needs_one_yes():
    assert required_yes(base=0, threshold=Threshold.MORE_THAN_HALF) == 1


def test_an_unknown_threshold_is_refused():
    with pytest.raises(ValueError, match="unknown threshold 'unanimous'"):
        required_yes(base=16, threshold="unanimous")


@given(st.integers(1, 200).flatmap(lambda b: st.tuples(st.integers(0, b), st.just(b))))
def test_more_than_half_agrees_with_exact_fractions(yes_base):
    yes, base = yes_base
    assert passes(yes=yes, base=base, threshold=Threshold.MORE_THAN_HALF) == (
        Fraction(yes, base) > Fraction(1, 2)
    )


@given(st.integers(1, 200).flatmap(lambda b: st.tuples(st.integers(0, b), st.just(b))))
def test_two_thirds_agrees_with_exact_fractions(yes_base):
    yes, base = yes_base
    assert passes(yes=yes, base=base, threshold=Threshold.TWO_THIRDS) == (
        Fraction(yes, base) >= Fraction(2, 3)
    )


def test_a_tie_fails():
    result = tally(
        {"yes": 8, "no": 8},
        basis=Basis.EXPECTED,
        threshold=Threshold.MORE_THAN_HALF,
        expected=16,
        present=16,
    )
    assert result == Tally(
        yes=8,
        no=8,
        abstain=0,
        basis=Basis.EXPECTED,
        threshold=Threshold.MORE_THAN_HALF,
        base=16,
        required=9,
    )
    assert result.passed is False


@pytest.mark.parametrize("basis", list(Basis))
def test_zero_votes_fail_on_every_basis(basis):
    result = tally([], basis=basis, threshold=Threshold.MORE_THAN_HALF, expected=16, present=16)
    assert result.cast == 0
    assert result.required == (1 if basis == Basis.CAST else 9)
    assert result.passed is False


def test_zero_votes_fail_under_two_thirds_of_votes_cast():
    result = tally([], basis=Basis.CAST, threshold=Threshold.TWO_THIRDS, expected=9, present=9)
    assert (result.base, result.required, result.passed) == (0, 1, False)


def test_all_abstentions_fail_even_on_votes_cast():
    result = tally(
        ["abstain"] * 12,
        basis=Basis.CAST,
        threshold=Threshold.MORE_THAN_HALF,
        expected=16,
        present=12,
    )
    assert (result.yes, result.abstain, result.cast, result.base, result.required) == (
        0,
        12,
        12,
        12,
        7,
    )
    assert result.passed is False


def test_abstentions_are_not_yes():
    result = tally(
        ["yes"] * 8 + ["abstain"] * 8,
        basis=Basis.EXPECTED,
        threshold=Threshold.MORE_THAN_HALF,
        expected=16,
        present=16,
    )
    assert (result.yes, result.no, result.abstain, result.required) == (8, 0, 8, 9)
    assert result.passed is False


@pytest.mark.parametrize(("yes", "passed"), [(9, True), (8, False)])
def test_more_than_half_of_the_expected_passes_exactly_at_nine_of_sixteen(yes, passed):
    result = tally(
        ["yes"] * yes + ["no"] * (16 - yes),
        basis=Basis.EXPECTED,
        threshold=Threshold.MORE_THAN_HALF,
        expected=16,
        present=16,
    )
    assert result.required == 9
    assert result.passed is passed


def test_the_expected_basis_counts_members_who_did_not_vote():
    # 11 present of 16 expected: 8 yes is a majority of those present, not of those expected.
    result = tally(
        {Choice.YES: 8, Choice.NO: 3},
        basis=Basis.EXPECTED,
        threshold=Threshold.MORE_THAN_HALF,
        expected=16,
        present=11,
    )
    assert (result.base, result.required, result.passed) == (16, 9, False)


@pytest.mark.parametrize(("yes", "passed"), [(6, True), (5, False)])
def test_the_present_basis_takes_those_present(yes, passed):
    result = tally(
        {"yes": yes, "no": 11 - yes},
        basis=Basis.PRESENT,
        threshold=Threshold.MORE_THAN_HALF,
        expected=16,
        present=11,
    )
    assert (result.base, result.required, result.passed) == (11, 6, passed)


@pytest.mark.parametrize(
    ("votes", "base", "required", "passed"),
    [
        ({"yes": 5, "no": 4}, 9, 5, True),
        ({"yes": 5, "no": 4, "abstain": 1}, 10, 6, False),
        ({"yes": 5, "no": 5}, 10, 6, False),
        ({"yes": 1}, 1, 1, True),
    ],
)
def test_the_cast_basis_takes_the_votes_cast_abstentions_included(votes, base, required, passed):
    result = tally(
        votes, basis=Basis.CAST, threshold=Threshold.MORE_THAN_HALF, expected=16, present=12
    )
    assert (result.base, result.required, result.passed) == (base, required, passed)


@pytest.mark.parametrize(("yes", "passed"), [(11, True), (10, False)])
def test_two_thirds_of_sixteen_expected_passes_at_eleven(yes, passed):
    result = tally(
        {"yes": yes, "no": 16 - yes},
        basis=Basis.EXPECTED,
        threshold=Threshold.TWO_THIRDS,
        expected=16,
        present=16,
    )
    assert (result.required, result.passed) == (11, passed)


def test_an_unknown_choice_is_not_counted():
    with pytest.raises(ValueError, match="'maybe' is not a valid Choice"):
        tally(
            ["yes", "maybe"],
            basis=Basis.EXPECTED,
            threshold=Threshold.MORE_THAN_HALF,
            expected=16,
            present=16,
        )


@pytest.mark.parametrize(
    ("basis", "threshold", "expected", "present", "required"),
    [
        (Basis.EXPECTED, Threshold.MORE_THAN_HALF, 16, 11, 9),
        (Basis.EXPECTED, Threshold.TWO_THIRDS, 16, 11, 11),
        (Basis.PRESENT, Threshold.MORE_THAN_HALF, 16, 11, 6),
        (Basis.PRESENT, Threshold.TWO_THIRDS, 16, 12, 8),
        (Basis.CAST, Threshold.MORE_THAN_HALF, 16, 11, None),
        (Basis.CAST, Threshold.TWO_THIRDS, 16, 11, None),
    ],
)
def test_required_before_vote_is_shown_except_for_votes_cast(
    basis, threshold, expected, present, required
):
    assert (
        required_before_vote(basis=basis, threshold=threshold, expected=expected, present=present)
        == required
    )


def test_the_kinds_of_meeting_each_body_holds_match_the_models():
    from meetings.models import Meeting
    from members.models import Body

    assert {
        Body.Kind.LEADING_GROUP: {Meeting.Kind.LG_PLENARY, Meeting.Kind.LG_SPECIAL},
        Body.Kind.WORK_GROUP: {Meeting.Kind.WG_SPECIAL},
    } == rules.KINDS_BY_BODY


@pytest.mark.parametrize(
    ("body_kind", "kind", "held"),
    [
        ("leading_group", "lg_plenary", True),
        ("leading_group", "lg_special", True),
        ("leading_group", "wg_special", False),
        ("work_group", "wg_special", True),
        ("work_group", "lg_plenary", False),
        ("office", "lg_special", False),
        ("expert_panel", "wg_special", False),
    ],
)
def test_which_body_holds_which_meetings(body_kind, kind, held):
    assert rules.holds_meetings_of_kind(body_kind=body_kind, kind=kind) is held


@pytest.mark.parametrize(
    ("role", "convenes"),
    [
        ("leader", True),
        ("deputy", True),
        ("member", False),
        ("office_director", False),
        ("office_staff", False),
        ("expert", False),
        (None, False),
    ],
)
def test_only_the_leader_or_a_deputy_convenes(role, convenes):
    from members.models import Role

    assert role is None or role in Role.values
    assert rules.may_convene(role) is convenes


# --- Art. 12: who chairs, when a meeting ends; Art. 13: who votes ---------------------------------


@pytest.mark.parametrize(
    ("codenames", "chairs"),
    [
        ({"convene_meeting"}, True),  # the leader or a deputy
        ({"manage_meetings"}, True),  # the Office, on their behalf
        ({"convene_meeting", "sign_minutes", "vote"}, True),
        ({"vote"}, False),  # a member
        ({"sign_minutes"}, False),
        ({"manage_seats", "review_projects"}, False),
        (set(), False),
    ],
)
def test_the_convenors_and_the_office_chair(codenames, chairs):
    assert rules.may_chair(frozenset(codenames)) is chairs


CODENAMES = ["convene_meeting", "sign_minutes", "vote", "manage_meetings", "manage_seats"]


@given(st.sets(st.sampled_from(CODENAMES)), st.sets(st.sampled_from(CODENAMES)))
def test_more_permissions_never_take_the_chair_away(codenames, more):
    assert rules.may_chair(codenames) <= rules.may_chair(codenames | more)
    assert rules.may_chair(codenames) == bool({"convene_meeting", "manage_meetings"} & codenames)


@pytest.mark.parametrize(
    ("expected", "present", "votes"),
    [(True, True, True), (True, False, False), (False, True, False), (False, False, False)],
)
def test_only_a_present_expected_member_votes(expected, present, votes):
    # R-VOTE-4: a non-voting attendee (列席) is never expected, present or not.
    assert rules.may_vote(expected=expected, present=present) is votes


@given(st.booleans(), st.booleans())
def test_voting_needs_both_a_seat_and_presence(expected, present):
    assert rules.may_vote(expected=expected, present=present) == (expected and present)


START = dt.datetime(2026, 3, 5, 14, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("ends_at", "valid"),
    [
        (None, True),  # no end given
        (START + dt.timedelta(microseconds=1), True),
        (START + dt.timedelta(hours=2), True),
        (START, False),  # ends as it starts
        (START - dt.timedelta(minutes=1), False),
    ],
)
def test_a_meeting_ends_after_it_starts(ends_at, valid):
    assert rules.ends_after_start(starts_at=START, ends_at=ends_at) is valid


@given(
    st.datetimes(timezones=st.just(dt.UTC)),
    st.timedeltas(min_value=dt.timedelta(days=-3), max_value=dt.timedelta(days=3)),
)
def test_the_end_is_valid_exactly_when_it_is_later(starts_at, length):
    try:
        ends_at = starts_at + length
    except OverflowError:
        return
    assert rules.ends_after_start(starts_at=starts_at, ends_at=ends_at) == (length > dt.timedelta())


# --- Art. 13-14: decisions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("is_major", "motion_passed", "asked", "outcome"),
    [
        (True, True, "", rules.Outcome.APPROVED),
        (True, False, "", rules.Outcome.NOT_ADOPTED),
        (True, False, "approved", None),
        (True, None, "approved", None),
        (True, True, "not_adopted", rules.Outcome.NOT_ADOPTED),
        (False, None, "", rules.Outcome.APPROVED),
        (False, False, "", rules.Outcome.NOT_ADOPTED),
        (False, False, "approved", None),
        (False, None, "not_adopted", rules.Outcome.NOT_ADOPTED),
    ],
)
def test_art13_decision_outcome(is_major, motion_passed, asked, outcome):
    assert (
        rules.art13_decision_outcome(is_major=is_major, motion_passed=motion_passed, asked=asked)
        == outcome
    )


@given(st.booleans(), st.sampled_from([True, False, None]))
def test_art13_only_a_passed_vote_approves_a_major_matter(is_major, motion_passed):
    may = rules.art13_decision_may_approve(is_major=is_major, motion_passed=motion_passed)
    assert may == (motion_passed is True or (not is_major and motion_passed is None))
    outcome = rules.art13_decision_outcome(is_major=is_major, motion_passed=motion_passed)
    assert rules.art14_may_forward(outcome) == may


def test_art14_only_an_approved_decision_is_forwarded():
    assert rules.art14_may_forward(rules.Outcome.APPROVED)
    assert not rules.art14_may_forward(rules.Outcome.NOT_ADOPTED)


# --- Issue 13: convening, show of hands -------------------------------------------------------

_NOW = dt.datetime(2026, 3, 5, 9, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("starts_in", "items", "why"),
    [
        (dt.timedelta(minutes=1), 1, None),
        (dt.timedelta(seconds=1), 3, None),
        (dt.timedelta(0), 1, "past"),  # the start is now: it has passed
        (-dt.timedelta(days=1), 1, "past"),
        (dt.timedelta(days=7), 0, "no_agenda"),
        (-dt.timedelta(days=1), 0, "past"),  # the date is said first
    ],
)
def test_art12_may_convene_at_the_boundaries(starts_in, items, why):
    assert rules.art12_may_convene(starts_at=_NOW + starts_in, now=_NOW, agenda_items=items) == why


@given(st.integers(-10_000, 10_000), st.integers(0, 5))
def test_art12_a_meeting_convenes_only_ahead_and_with_an_agenda(seconds, items):
    starts_at = _NOW + dt.timedelta(seconds=seconds)
    why = rules.art12_may_convene(starts_at=starts_at, now=_NOW, agenda_items=items)
    assert (why is None) == (seconds > 0 and items > 0)
    assert (why == "past") == rules.art12_start_has_passed(starts_at=starts_at, now=_NOW)


@pytest.mark.parametrize(
    ("recorded", "why"),
    [
        ({1: "yes", 2: "no", 3: "abstain"}, None),
        ({}, "empty"),
        ({1: "maybe"}, "choice"),
        ({9: "yes"}, "absent"),  # not present
        ({4: "yes"}, "twice"),  # voted from the phone already
        ({1: "yes", 4: "no"}, "twice"),
    ],
)
def test_art13_show_of_hands(recorded, why):
    assert (
        rules.art13_show_of_hands(present={1, 2, 3, 4}, already_voted={4}, recorded=recorded) == why
    )


@given(
    st.sets(st.integers(1, 20)),
    st.sets(st.integers(1, 20)),
    st.dictionaries(st.integers(1, 20), st.sampled_from(["yes", "no", "abstain"])),
)
def test_art13_show_of_hands_accepts_exactly_present_members_not_yet_voted(present, voted, rec):
    ok = rules.art13_show_of_hands(present=present, already_voted=voted, recorded=rec) is None
    assert ok == (bool(rec) and set(rec) <= present and not set(rec) & voted)
