"""The pure rules of 督办: the traffic light, overdue, extensions, the roll-up, the tables."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followup import rules
from followup.rules import ItemStatus, ItemStep, Light, Part
from followup.workdays import WorkCalendar

D = dt.date
CAL = WorkCalendar(holidays=frozenset({D(2025, 10, 1)}))
MONDAY = D(2025, 9, 22)


@pytest.mark.parametrize(
    ("status", "due", "behind", "light"),
    [
        (ItemStatus.IN_PROGRESS, D(2025, 9, 29), False, Light.GREEN),  # 5 working days left
        (ItemStatus.IN_PROGRESS, D(2025, 9, 26), False, Light.GREEN),  # Fri: 4 left
        (ItemStatus.IN_PROGRESS, D(2025, 9, 25), False, Light.YELLOW),  # Thu: 3 left
        (ItemStatus.IN_PROGRESS, MONDAY, False, Light.YELLOW),  # due today
        (ItemStatus.IN_PROGRESS, D(2025, 9, 21), False, Light.RED),  # due yesterday
        (ItemStatus.IN_PROGRESS, D(2025, 10, 30), True, Light.YELLOW),  # a milestone behind
        (ItemStatus.ASSIGNED, D(2025, 9, 21), False, Light.RED),
        (ItemStatus.COMPLETION_REQUESTED, D(2025, 9, 21), False, Light.RED),
        (ItemStatus.CLOSED, D(2025, 9, 21), False, Light.GREY),
        (ItemStatus.CANCELLED, D(2025, 9, 21), False, Light.GREY),
        (ItemStatus.DRAFT, D(2025, 9, 21), False, Light.GREY),
    ],
)
def test_art16_light(status, due, behind, light):
    got = rules.art16_light(
        status=status, due=due, today=MONDAY, calendar=CAL, milestone_behind=behind
    )
    assert got == light


def test_sunday_due_date_counts_the_working_days_before_it():
    # Due Sunday 28 Sep from Monday 22: Tue, Wed, Thu, Fri = 4 working days: green.
    assert CAL.working_days_between(MONDAY, D(2025, 9, 28)) == 4
    assert (
        rules.art16_light(
            status=ItemStatus.ASSIGNED, due=D(2025, 9, 28), today=MONDAY, calendar=CAL
        )
        == Light.GREEN
    )


@given(
    due=st.dates(min_value=D(2025, 9, 1), max_value=D(2025, 12, 31)),
    today=st.dates(min_value=D(2025, 9, 1), max_value=D(2025, 12, 31)),
)
def test_the_sql_threshold_agrees_with_the_light(due, today):
    """ledger.with_light says "yellow" as due < yellow_before(today): the same as the rule."""
    light = rules.art16_light(status=ItemStatus.IN_PROGRESS, due=due, today=today, calendar=CAL)
    threshold = rules.yellow_before(today=today, calendar=CAL)
    if due < today:
        assert light == Light.RED
    elif due < threshold:
        assert light == Light.YELLOW
    else:
        assert light == Light.GREEN


@pytest.mark.parametrize(
    ("status", "today", "overdue"),
    [
        (ItemStatus.IN_PROGRESS, D(2025, 9, 22), False),  # on the due date
        (ItemStatus.IN_PROGRESS, D(2025, 9, 23), True),
        (ItemStatus.CLOSED, D(2025, 9, 23), False),
        (ItemStatus.DRAFT, D(2025, 9, 23), False),
    ],
)
def test_art16_overdue_is_computed(status, today, overdue):
    assert rules.art16_overdue(status=status, due=D(2025, 9, 22), today=today) is overdue


@pytest.mark.parametrize(
    ("asked_on", "new_due", "reason", "refused"),
    [
        (D(2025, 9, 21), D(2025, 10, 1), "经费未到位", None),
        (D(2025, 9, 22), D(2025, 10, 1), "经费未到位", None),  # on the due date: still before
        (
            D(2025, 9, 23),
            D(2025, 10, 1),
            "经费未到位",
            "An extension is asked for before the due date.",
        ),
        (D(2025, 9, 21), D(2025, 10, 1), "  ", "Give the reason for the extension."),
        (
            D(2025, 9, 21),
            D(2025, 9, 22),
            "经费未到位",
            "The new due date must be after the current one.",
        ),
    ],
)
def test_art16_extension_refusal(english, asked_on, new_due, reason, refused):
    got = rules.art16_extension_refusal(
        asked_on=asked_on, due=D(2025, 9, 22), new_due=new_due, reason=reason
    )
    assert got == refused


def test_an_extension_is_approved_by_someone_else():
    assert rules.art16_may_approve_extension(applicant_id=1, approver_id=2)
    assert not rules.art16_may_approve_extension(applicant_id=1, approver_id=1)


@pytest.mark.parametrize(
    ("parts", "percent"),
    [
        ([], None),
        ([Part(1, 100), Part(1, 0)], 50),
        ([Part(3, 100), Part(1, 0)], 75),
        ([Part(1, 33), Part(2, 34)], 33),  # 101 // 3, floored
    ],
)
def test_rolled_up_percent(parts, percent):
    assert rules.rolled_up_percent(parts) == percent


@given(st.lists(st.tuples(st.integers(1, 10), st.integers(0, 100)), min_size=1, max_size=20))
def test_the_roll_up_lies_between_its_parts(pairs):
    got = rules.rolled_up_percent(Part(w, p) for w, p in pairs)
    assert min(p for _, p in pairs) <= got <= max(p for _, p in pairs)


def test_every_step_has_its_states_actors_and_next_state():
    assert set(rules.ALLOWED_STEPS) == set(ItemStep)
    assert set(rules.STEP_ACTORS) == set(ItemStep)
    assert set(rules.NEXT_STATUS) == set(ItemStep)


def test_the_lead_unit_never_closes_its_own_item():
    assert not rules.may_take(ItemStep.CLOSE, {rules.Actor.LEAD_UNIT})
    assert rules.may_take(ItemStep.CLOSE, {rules.Actor.WG_LEADER})
    assert not rules.may_take(ItemStep.CLOSE, {rules.Actor.WG_DEPUTY})
