"""The minutes' state machine (meetings.minutes.rules): which step starts from which status."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from meetings.minutes import rules
from meetings.minutes.models import Minutes
from meetings.minutes.rules import ALLOWED_STEPS, Status, Step, may, steps_from


@pytest.mark.parametrize(
    ("step", "allowed"),
    [
        (Step.EDIT, {"draft", "returned"}),
        (Step.SUBMIT, {"draft", "returned"}),
        (Step.WITHDRAW, {"submitted"}),  # issue 13: taken back before it is signed
        (Step.RETURN, {"submitted"}),
        (Step.SIGN, {"submitted"}),
        (Step.ISSUE, {"signing"}),
        (Step.FAIL, {"signing"}),
        (Step.CORRECT, {"issued"}),
    ],
)
def test_each_step_starts_from_exactly_these_statuses(step, allowed):
    assert {status for status in Status if may(step, status)} == allowed


def test_issued_minutes_only_take_a_correction():
    assert {step for step, possible in steps_from(Status.ISSUED).items() if possible} == {"correct"}


def test_while_signing_only_the_worker_acts():
    assert {step for step, possible in steps_from(Status.SIGNING).items() if possible} == {
        "issue",
        "fail",
    }


def test_an_unknown_status_allows_nothing():
    assert not any(steps_from("taken-back").values())
    assert may(Step.EDIT, "") is False


def test_an_unknown_step_is_an_error_not_a_no():
    with pytest.raises(ValueError, match="'take_back' is not a valid Step"):
        may("take_back", Status.DRAFT)


def test_the_models_statuses_are_the_machines():
    assert list(Minutes.Status.values) == list(Status)
    assert set(ALLOWED_STEPS) == set(Step)


@given(step=st.sampled_from(Step), status=st.sampled_from(Status))
def test_may_and_steps_from_agree_with_the_table(step, status):
    assert may(step, status) is (status in ALLOWED_STEPS[step])
    assert steps_from(status)[step] is may(step.value, status.value)


@given(status=st.sampled_from(Status))
def test_every_status_allows_a_step_and_only_issued_minutes_wait_for_a_correction(status):
    possible = {step for step, ok in steps_from(status).items() if ok}
    assert possible
    assert (status == Status.ISSUED) is (possible == {"correct"})


def test_no_minutes_template_compares_a_status():
    folder = Path(settings.BASE_DIR) / "templates" / "meetings"
    names = "|".join(rules.Status)
    compared = re.compile(rf"status\s*(==|!=|\bin\b)|(==|!=)\s*\"({names})\"")
    offending = [
        f"{path.name}:{number}"
        for path in sorted(folder.glob("minutes_*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if compared.search(line)
    ]
    assert offending == []
