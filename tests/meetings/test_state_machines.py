"""The meeting's and the motion's state machines (meetings.rules.ALLOWED_STEPS): the statuses
each step may be taken in, at every boundary."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from meetings import rules
from meetings.rules import MeetingStatus, MeetingStep, MotionStatus, MotionStep

D, C, S, X, P, Z = "draft", "convened", "in_session", "closed", "postponed", "cancelled"
# Each step and the meeting statuses that allow it, written out: the regulation's order of a
# meeting (Art. 12-14) as the services enforced it before the table existed.
MEETING = {
    MeetingStep.RESCHEDULE: {D, C, P},
    MeetingStep.CONVENE: {D},
    MeetingStep.POSTPONE: {D, C},
    MeetingStep.CANCEL: {D, C, P},
    MeetingStep.ADD_ITEM: {D, C, P, S},
    MeetingStep.INVITE_ATTENDEE: {D, C, S},
    MeetingStep.ADD_MATERIAL: {D, C, P, S},  # a closed meeting is frozen (issue 13)
    MeetingStep.EDIT_AGENDA: {D, C, P},
    MeetingStep.ANSWER: {C, S, P},
    MeetingStep.CHECK_IN: {C, S},
    MeetingStep.OPEN_MEETING: {C},
    MeetingStep.CLOSE_MEETING: {S},
    MeetingStep.PUT_MOTION: {D, C, S},
    MeetingStep.OPEN_VOTE: {S},
    MeetingStep.DECIDE: {S, X},
}
MOTION = {
    MotionStep.OPEN: {"draft"},
    MotionStep.CAST: {"open"},
    MotionStep.CLOSE: {"open"},
    MotionStep.RECORD_HANDS: {"open"},
    MotionStep.DEFER: {"draft", "open"},
}


@pytest.mark.parametrize("status", MeetingStatus.values)
@pytest.mark.parametrize("step", list(MeetingStep))
def test_each_meeting_step_in_each_status(step, status):
    assert rules.may(step, status) is (status in MEETING[step])


@pytest.mark.parametrize("status", MotionStatus.values)
@pytest.mark.parametrize("step", list(MotionStep))
def test_each_motion_step_in_each_status(step, status):
    assert rules.may(step, status) is (status in MOTION[step])


def test_every_step_has_its_row_and_no_step_shares_a_name():
    assert set(rules.MEETING_STEPS) == set(MeetingStep)
    assert set(rules.MOTION_STEPS) == set(MotionStep)
    assert len(rules.ALLOWED_STEPS) == len(MeetingStep) + len(MotionStep)


def test_pending_motions_are_those_not_yet_decided():
    assert {MotionStatus.DRAFT, MotionStatus.OPEN} == rules.PENDING_MOTION


def test_the_steps_possible_now_are_named_for_templates():
    steps = rules.steps_in(MeetingStatus.CONVENED, [MeetingStep.CONVENE, MeetingStep.CHECK_IN])

    assert steps == {"convene": False, "check_in": True}


@given(st.sampled_from(list(MeetingStep)))
def test_a_cancelled_meeting_allows_nothing(step):
    assert not rules.may(step, MeetingStatus.CANCELLED)


@given(st.sampled_from(list(MotionStep)), st.sampled_from([MotionStatus.CLOSED, "deferred"]))
def test_a_closed_or_deferred_vote_allows_nothing(step, status):
    assert not rules.may(step, status)


@given(st.sampled_from(list(MeetingStep) + list(MotionStep)), st.text(max_size=12))
def test_an_unknown_status_allows_nothing(step, status):
    known = set(MeetingStatus.values) | set(MotionStatus.values)
    if status not in known:
        assert not rules.may(step, status)


@given(st.sampled_from(MeetingStatus.values))
def test_votes_open_only_where_the_session_runs(status):
    # Art. 12 / R-MEET-2: a vote opens (and the meeting closes) only in session.
    assert rules.may(MeetingStep.OPEN_VOTE, status) == rules.may(MeetingStep.CLOSE_MEETING, status)
    assert rules.may(MeetingStep.OPEN_VOTE, status) == (status == MeetingStatus.IN_SESSION)


@given(st.sampled_from(list(MeetingStep)))
def test_a_closed_meeting_takes_no_upload_and_no_edit(step):
    # Issue 13: closed meetings are frozen; only the decisions still to be written go in.
    assert rules.may(step, MeetingStatus.CLOSED) is (step == MeetingStep.DECIDE)
