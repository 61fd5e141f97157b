"""The project cycle's rules: the state machine as a table (every step × actor × status), the
recusal rule, the score aggregation against exact fractions, the budget arithmetic."""

import datetime as dt
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from projects import rules
from projects.rules import Actor, ProposalStatus, Step

S = ProposalStatus
# Every step, the statuses it may be taken in and where it leads; everything else is refused.
TABLE = {
    Step.EDIT: {S.DRAFT: S.DRAFT, S.RETURNED: S.RETURNED},
    Step.SUBMIT: {S.DRAFT: S.SUBMITTED, S.RETURNED: S.SUBMITTED},
    Step.RETURN: {S.SUBMITTED: S.RETURNED},
    Step.ASSIGN_EXPERTS: {S.SUBMITTED: S.IN_REVIEW, S.IN_REVIEW: S.IN_REVIEW},
    Step.CLOSE_REVIEW: {S.IN_REVIEW: S.REVIEWED},
    Step.RECOMMEND: {S.REVIEWED: S.RECOMMENDED},
    Step.REJECT: {S.REVIEWED: S.REJECTED},
    Step.PUT_ON_AGENDA: {S.RECOMMENDED: S.ON_AGENDA},
    Step.APPROVE: {S.ON_AGENDA: S.APPROVED},
    Step.DECLINE: {S.ON_AGENDA: S.NOT_APPROVED},
    Step.FUND: {s: s for s in (S.APPROVED, S.CONTRACTED, S.FIRST_ACCEPTED, S.LIVE)},
    Step.TENDER: {S.APPROVED: S.CONTRACTED},
    Step.FIRST_ACCEPTANCE: {S.CONTRACTED: S.FIRST_ACCEPTED},
    Step.GO_LIVE: {S.FIRST_ACCEPTED: S.LIVE},
    Step.FINAL_ACCEPTANCE: {S.LIVE: S.COMPLETED},
    Step.REPORT_PROGRESS: {s: s for s in (S.APPROVED, S.CONTRACTED, S.FIRST_ACCEPTED, S.LIVE)},
}
OWNER = {
    Step.EDIT: Actor.UNIT,
    Step.SUBMIT: Actor.UNIT,
    Step.RETURN: Actor.OFFICE,
    Step.ASSIGN_EXPERTS: Actor.OFFICE,
    Step.CLOSE_REVIEW: Actor.OFFICE,
    Step.RECOMMEND: Actor.WORK_GROUP,
    Step.REJECT: Actor.WORK_GROUP,
    Step.PUT_ON_AGENDA: Actor.WORK_GROUP,
    Step.APPROVE: Actor.VOTE,
    Step.DECLINE: Actor.VOTE,
    Step.FUND: Actor.FINANCE,
    Step.TENDER: Actor.STATE_ASSETS,
    Step.FIRST_ACCEPTANCE: Actor.STATE_ASSETS,
    Step.GO_LIVE: Actor.NETC,
    Step.FINAL_ACCEPTANCE: Actor.STATE_ASSETS,
    Step.REPORT_PROGRESS: Actor.UNIT,
}


@pytest.mark.parametrize("step", list(Step))
@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("actor", list(Actor))
def test_state_machine_every_step_status_and_actor(step, status, actor):
    allowed = status in TABLE[step] and OWNER[step] == actor
    assert rules.may(step, status, actor) is allowed
    if status in TABLE[step]:
        assert rules.next_status(step, status) == TABLE[step][status]
    else:
        with pytest.raises(KeyError):
            rules.next_status(step, status)


def test_only_the_vote_leads_to_approved():
    leading_to_approved = {
        (step, actor)
        for step, moves in rules.ALLOWED_STEPS.items()
        for before, after in moves.items()
        if after == S.APPROVED and before != S.APPROVED
        for actor in Actor
        if rules.may(step, before, actor)
    }
    assert leading_to_approved == {(Step.APPROVE, Actor.VOTE)}


def test_steps_in_for_a_person_never_include_the_vote():
    people = set(Actor) - {Actor.VOTE}
    assert rules.steps_in(S.ON_AGENDA, people)["approve"] is False
    assert rules.steps_in(S.ON_AGENDA, people)["decline"] is False


@pytest.mark.parametrize(
    ("day", "open_"),
    [
        (dt.date(2026, 2, 28), False),
        (dt.date(2026, 3, 1), True),
        (dt.date(2026, 3, 31), True),
        (dt.date(2026, 4, 1), False),
    ],
)
def test_art8_call_is_open_from_first_to_last_day_included(day, open_):
    opens, closes = dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    assert rules.art8_call_is_open(opens_on=opens, closes_on=closes, day=day) is open_


@pytest.mark.parametrize(
    ("requested", "already", "cap", "ok"),
    [(0, 0, 0, True), (1, 0, 0, False), (50, 50, 100, True), (51, 50, 100, False)],
)
def test_art8_within_topup_cap(requested, already, cap, ok):
    assert (
        rules.art8_within_topup_cap(requested_fen=requested, already_fen=already, cap_fen=cap) is ok
    )


@pytest.mark.parametrize(
    ("quantity", "price", "amount"),
    [(1, 0, 0), (1, 1, 1), (3, 33_333, 99_999), (7, 1_999_999_99, 13_999_999_93)],
)
def test_art8_line_amount_is_exact(quantity, price, amount):
    assert rules.art8_line_amount(quantity=quantity, unit_price_fen=price) == amount


@pytest.mark.parametrize(("quantity", "price"), [(0, 100), (-1, 100), (1, -1)])
def test_art8_line_amount_refuses_nonsense(quantity, price):
    with pytest.raises(ValueError):
        rules.art8_line_amount(quantity=quantity, unit_price_fen=price)


@given(st.lists(st.tuples(st.integers(1, 10_000), st.integers(0, 10**10)), max_size=40))
def test_art8_budget_total_agrees_with_decimal_yuan(lines):
    from decimal import Decimal

    total = rules.art8_budget_total(lines)
    yuan = sum((Decimal(q) * (Decimal(p) / 100) for q, p in lines), Decimal(0))
    assert Decimal(total) / 100 == yuan


@pytest.mark.parametrize(
    ("requested", "recommended", "reason", "ok"),
    [
        (100, 100, "", True),
        (100, 99, "", False),
        (100, 99, "  ", False),
        (100, 99, "压缩硬件", True),
        (100, 0, "全部削减", True),
        (100, 101, "more", False),
    ],
)
def test_art8_a_cut_needs_a_reason(requested, recommended, reason, ok):
    assert (
        rules.art8_cut_needs_reason(
            requested_fen=requested, recommended_fen=recommended, reason=reason
        )
        is ok
    )


@pytest.mark.parametrize(
    ("amounts", "envelope", "ok"), [([], 0, True), ([50, 50], 100, True), ([50, 51], 100, False)]
)
def test_art8_within_envelope(amounts, envelope, ok):
    assert rules.art8_within_envelope(recommended_fen=amounts, envelope_fen=envelope) is ok


@pytest.mark.parametrize(
    ("expert_unit", "proposal_unit", "ok"), [(None, 1, True), (2, 1, True), (1, 1, False)]
)
def test_art11_an_expert_never_reviews_their_own_unit(expert_unit, proposal_unit, ok):
    assert rules.art11_may_review(expert_unit_id=expert_unit, proposal_unit_id=proposal_unit) is ok


@given(st.integers(1, 1000), st.integers(1, 1000) | st.none())
def test_art11_recusal_property(proposal_unit, expert_unit):
    assert rules.art11_may_review(expert_unit_id=expert_unit, proposal_unit_id=proposal_unit) == (
        expert_unit != proposal_unit
    )


SHEET = {"necessity": 10, "feasibility": 10, "technical": 10, "budget": 10, "results": 10}


@pytest.mark.parametrize(
    ("scores", "total"),
    [
        (SHEET, 100),
        (dict.fromkeys(SHEET, 0), 0),
        ({**dict.fromkeys(SHEET, 0), "necessity": 1}, 3),
        ({**dict.fromkeys(SHEET, 0), "results": 1}, 1),
        ({"necessity": 8, "feasibility": 7, "technical": 6, "budget": 9, "results": 5}, 73),
    ],
)
def test_art11_sheet_total_is_weighted(scores, total):
    assert rules.art11_sheet_total(scores) == total


@pytest.mark.parametrize("bad", [-1, 11])
def test_art11_sheet_scores_are_0_to_10(bad):
    with pytest.raises(ValueError):
        rules.art11_sheet_total({**SHEET, "budget": bad})


@pytest.mark.parametrize(
    ("totals", "aggregate"),
    [
        ([], None),
        ([80], Fraction(80)),
        ([80, 81, 83], Fraction(244, 3)),
        ([70, 80, 90, 100], Fraction(85)),
        ([0, 80, 81, 83, 100], Fraction(244, 3)),  # 5: highest and lowest dropped
        ([50, 50, 50, 50, 50, 99], Fraction(50)),
    ],
)
def test_art11_aggregate_is_the_trimmed_mean(totals, aggregate):
    assert rules.art11_aggregate(totals) == aggregate


@given(st.lists(st.integers(0, 100), min_size=1, max_size=30))
def test_art11_aggregate_agrees_with_exact_fractions(totals):
    kept = sorted(totals)[1:-1] if len(totals) >= 5 else totals
    assert rules.art11_aggregate(totals) == Fraction(sum(kept), len(kept))
    assert min(totals) <= rules.art11_aggregate(totals) <= max(totals)


@pytest.mark.parametrize(
    ("totals", "flag"), [([80], False), ([70, 90], False), ([69, 90], True), ([0, 100], True)]
)
def test_art11_high_spread_is_more_than_20_points(totals, flag):
    assert rules.art11_high_spread(totals) is flag


@pytest.mark.parametrize(
    ("submitted", "pending", "ok"), [(2, 0, False), (3, 0, True), (3, 1, False), (5, 0, True)]
)
def test_art11_review_closes_with_three_sheets_and_none_pending(submitted, pending, ok):
    assert rules.art11_review_may_close(submitted=submitted, pending=pending) is ok


@pytest.mark.parametrize(
    ("closed", "passed", "outcome"),
    [
        (False, None, None),
        (False, True, None),
        (True, None, None),
        (True, True, S.APPROVED),
        (True, False, S.NOT_APPROVED),
    ],
)
def test_art7_the_outcome_follows_the_counted_motion(closed, passed, outcome):
    assert rules.art7_outcome(motion_closed=closed, motion_passed=passed) == outcome


@pytest.mark.parametrize(
    ("contract", "approved", "ok"),
    [(0, 100, False), (1, 100, True), (100, 100, True), (101, 100, False)],
)
def test_art10_contract_within_the_approved_budget(contract, approved, ok):
    assert rules.art10_contract_within_budget(contract_fen=contract, approved_fen=approved) is ok


@pytest.mark.parametrize(
    ("allocated", "new", "approved", "ok"),
    [(0, 0, 100, False), (0, 100, 100, True), (60, 40, 100, True), (60, 41, 100, False)],
)
def test_art10_funding_within_the_approved_budget(allocated, new, approved, ok):
    assert (
        rules.art10_funding_within_budget(
            allocated_fen=allocated, new_fen=new, approved_fen=approved
        )
        is ok
    )


@pytest.mark.parametrize(("level", "needs"), [(1, False), (2, True), (3, True), (4, True)])
def test_art10_filing_from_level_two(level, needs):
    assert rules.art10_needs_filing(level) is needs


@pytest.mark.parametrize(
    ("done", "day", "overdue"),
    [
        (None, dt.date(2026, 6, 30), False),
        (None, dt.date(2026, 7, 1), True),
        (dt.date(2026, 6, 29), dt.date(2026, 7, 9), False),
    ],
)
def test_art10_milestone_overdue_the_day_after(done, day, overdue):
    assert (
        rules.art10_milestone_overdue(due_on=dt.date(2026, 6, 30), done_on=done, day=day) is overdue
    )
