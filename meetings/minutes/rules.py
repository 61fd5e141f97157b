"""The minutes' state machine (Art. 15, R-MIN-1 to R-MIN-3) as data. No ORM, no request.

The Office writes a draft and submits it; the leader returns it with comments or signs it
(R-MIN-3: giving the password again); the background worker then numbers, renders and signs
it and issues it, or, failing, puts it back before the leader. Issued minutes never change: a
correction is new minutes that name the document they correct (R-MIN-2).

Services check every step through :func:`may`; views hand templates :func:`steps_from` the
status, so that no template compares a status.
"""

from enum import StrEnum


class Status(StrEnum):
    """Where minutes stand (``Minutes.Status`` gives each its label)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    SIGNING = "signing"
    ISSUED = "issued"


class Step(StrEnum):
    EDIT = "edit"  # the Office writes the title, narrative and distribution
    SUBMIT = "submit"  # the Office submits the draft to the leader
    WITHDRAW = "withdraw"  # the Office takes a submission back before it is signed
    RETURN = "return"  # the leader sends it back with comments
    SIGN = "sign"  # the leader authorises the signature, password again (R-MIN-3)
    ISSUE = "issue"  # the worker numbers, renders, signs and issues (R-MIN-1)
    FAIL = "fail"  # the worker could not: back before the leader, saying why
    CORRECT = "correct"  # the Office starts a correction of issued minutes (R-MIN-2)


ALLOWED_STEPS: dict[Step, frozenset[Status]] = {
    Step.EDIT: frozenset({Status.DRAFT, Status.RETURNED}),
    Step.SUBMIT: frozenset({Status.DRAFT, Status.RETURNED}),
    Step.WITHDRAW: frozenset({Status.SUBMITTED}),
    Step.RETURN: frozenset({Status.SUBMITTED}),
    Step.SIGN: frozenset({Status.SUBMITTED}),
    Step.ISSUE: frozenset({Status.SIGNING}),
    Step.FAIL: frozenset({Status.SIGNING}),
    Step.CORRECT: frozenset({Status.ISSUED}),
}


def may(step: Step | str, status: str) -> bool:
    """Return whether ``step`` may start from minutes in ``status``; an unknown step is a
    ValueError (a typo must not read as "not now")."""
    return status in ALLOWED_STEPS[Step(step)]


def steps_from(status: str) -> dict[str, bool]:
    """Every step by name, True where it may start from ``status``: what a template asks."""
    return {step.value: status in statuses for step, statuses in ALLOWED_STEPS.items()}
