"""Rules of the annual project cycle (Art. 7 (3), 8 (3), 10, 11). Pure: no ORM, no request.

Money is integer fen (分) throughout: never a float. Scores are integers; their aggregate is
an exact ``Fraction``.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProposalStatus(TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    IN_REVIEW = "in_review", _("In expert review")
    REVIEWED = "reviewed", _("Reviewed")
    RECOMMENDED = "recommended", _("Recommended")
    REJECTED = "rejected", _("Not recommended")
    ON_AGENDA = "on_agenda", _("Before the Leading Group")
    APPROVED = "approved", pgettext_lazy("project", "Approved")
    NOT_APPROVED = "not_approved", _("Not approved")
    CONTRACTED = "contracted", _("Contracted")
    FIRST_ACCEPTED = "first_accepted", _("First acceptance passed")
    LIVE = "live", _("Live")
    COMPLETED = "completed", _("Finally accepted")


class Actor(StrEnum):
    """Who takes a step (R-DUTY-1); projects.permissions says who holds each."""

    UNIT = "unit"  # the proposing unit's head or liaison (Art. 10)
    OFFICE = "office"  # 初审, assigning experts (Art. 9 (2))
    WORK_GROUP = "work_group"  # the call, the recommendation, the budget (Art. 8 (3))
    EXPERT = "expert"  # 论证 (Art. 11 (1))
    VOTE = "vote"  # the Leading Group's passed motion (Art. 7 (3)): no person
    FINANCE = "finance"  # funding (Art. 10 (3))
    STATE_ASSETS = "state_assets"  # tender and acceptance (Art. 10 (4))
    NETC = "netc"  # go-live and 等保 filing (Art. 10 (5))


class Step(StrEnum):
    EDIT = "edit"
    SUBMIT = "submit"
    RETURN = "return"
    ASSIGN_EXPERTS = "assign_experts"
    CLOSE_REVIEW = "close_review"
    RECOMMEND = "recommend"
    REJECT = "reject"
    PUT_ON_AGENDA = "put_on_agenda"
    APPROVE = "approve"
    DECLINE = "decline"
    FUND = "fund"
    TENDER = "tender"
    FIRST_ACCEPTANCE = "first_acceptance"
    GO_LIVE = "go_live"
    FINAL_ACCEPTANCE = "final_acceptance"
    REPORT_PROGRESS = "report_progress"


_S = ProposalStatus
_EXECUTING = (_S.APPROVED, _S.CONTRACTED, _S.FIRST_ACCEPTED, _S.LIVE)
# The state machine: step -> {status it may be taken in: status it leads to}. A step that
# leaves the status as it is maps a status to itself.
ALLOWED_STEPS: Mapping[Step, Mapping[ProposalStatus, ProposalStatus]] = {
    Step.EDIT: {_S.DRAFT: _S.DRAFT, _S.RETURNED: _S.RETURNED},
    Step.SUBMIT: {_S.DRAFT: _S.SUBMITTED, _S.RETURNED: _S.SUBMITTED},
    Step.RETURN: {_S.SUBMITTED: _S.RETURNED},
    Step.ASSIGN_EXPERTS: {_S.SUBMITTED: _S.IN_REVIEW, _S.IN_REVIEW: _S.IN_REVIEW},
    Step.CLOSE_REVIEW: {_S.IN_REVIEW: _S.REVIEWED},
    Step.RECOMMEND: {_S.REVIEWED: _S.RECOMMENDED},
    Step.REJECT: {_S.REVIEWED: _S.REJECTED},
    Step.PUT_ON_AGENDA: {_S.RECOMMENDED: _S.ON_AGENDA},
    Step.APPROVE: {_S.ON_AGENDA: _S.APPROVED},
    Step.DECLINE: {_S.ON_AGENDA: _S.NOT_APPROVED},
    Step.FUND: {status: status for status in _EXECUTING},
    Step.TENDER: {_S.APPROVED: _S.CONTRACTED},
    Step.FIRST_ACCEPTANCE: {_S.CONTRACTED: _S.FIRST_ACCEPTED},
    Step.GO_LIVE: {_S.FIRST_ACCEPTED: _S.LIVE},
    Step.FINAL_ACCEPTANCE: {_S.LIVE: _S.COMPLETED},
    Step.REPORT_PROGRESS: {status: status for status in _EXECUTING},
}
# R-DUTY-1: who takes each step. APPROVE and DECLINE are the vote's alone (Art. 7 (3)).
WHO: Mapping[Step, Actor] = {
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
# Statuses that only a passed motion leads to (Art. 7 (3)).
APPROVED_STATUSES: frozenset[str] = frozenset({_S.APPROVED, *_EXECUTING, _S.COMPLETED})


def may(step: Step, status: str, actor: Actor | None = None) -> bool:
    """Return whether ``step`` may be taken in ``status`` (by ``actor``, when given)."""
    if actor is not None and WHO[step] != actor:
        return False
    return status in ALLOWED_STEPS[step]


def next_status(step: Step, status: str) -> ProposalStatus:
    """Return the status ``step`` leads to from ``status``; a KeyError when it may not."""
    return ALLOWED_STEPS[step][ProposalStatus(status)]


def steps_in(status: str, actors: Iterable[Actor]) -> dict[str, bool]:
    """Return {step: whether one of ``actors`` may take it in ``status``} for every step."""
    held = set(actors)
    return {step.value: WHO[step] in held and may(step, status) for step in Step}


# --- Art. 8 (3): the call ---------------------------------------------------------------------


def art8_call_is_open(*, opens_on: dt.date, closes_on: dt.date, day: dt.date) -> bool:
    """Art. 8 (3): a call (or its top-up window) accepts proposals from ``opens_on`` to
    ``closes_on``, both included."""
    return opens_on <= day <= closes_on


def art8_within_topup_cap(*, requested_fen: int, already_fen: int, cap_fen: int) -> bool:
    """Art. 8 (3): a top-up window's proposals together ask for no more than its cap."""
    return already_fen + requested_fen <= cap_fen


# --- Art. 8 (3): the budget -------------------------------------------------------------------


def art8_line_amount(*, quantity: int, unit_price_fen: int) -> int:
    """Art. 8 (3) 经费预算: a budget line's amount in fen, exactly quantity × unit price."""
    if quantity < 1 or unit_price_fen < 0:
        raise ValueError("a budget line has a quantity of at least 1 and a price of 0 or more")
    return quantity * unit_price_fen


def art8_budget_total(lines: Iterable[tuple[int, int]]) -> int:
    """Art. 8 (3): the total in fen of (quantity, unit price in fen) lines."""
    return sum(art8_line_amount(quantity=q, unit_price_fen=p) for q, p in lines)


def art8_cut_needs_reason(*, requested_fen: int, recommended_fen: int, reason: str) -> bool:
    """Art. 8 (3): a recommended amount is at most the request; less needs a reason."""
    if recommended_fen < 0 or recommended_fen > requested_fen:
        return False
    return recommended_fen == requested_fen or bool(reason.strip())


def art8_within_envelope(*, recommended_fen: Iterable[int], envelope_fen: int) -> bool:
    """Art. 8 (3): the recommended projects together stay within the call's envelope."""
    return sum(recommended_fen) <= envelope_fen


# --- Art. 11: expert review -------------------------------------------------------------------

ART11_MIN_EXPERTS = 3
ART11_TRIM_FROM = 5  # with 5 or more sheets the highest and the lowest are dropped
ART11_SPREAD_FLAG = 20  # points out of 100 between the highest and lowest sheet


# The scoring sheet's criteria and their weights (they add up to 10).
CRITERIA: tuple[tuple[str, int], ...] = (
    ("necessity", 3),
    ("feasibility", 2),
    ("technical", 2),
    ("budget", 2),
    ("results", 1),
)
CRITERIA_LABELS = {
    "necessity": _("Necessity"),
    "feasibility": _("Feasibility"),
    "technical": _("Technical approach"),
    "budget": _("Budget reasonableness"),
    "results": _("Expected results"),
}
SCORE_MAX = 10  # each criterion is scored 0-10; the weighted sheet is out of 100


def art11_may_review(*, expert_unit_id: int | None, proposal_unit_id: int) -> bool:
    """Art. 11 回避: an expert never reviews a proposal of their own unit (an external expert,
    with no unit, may review any)."""
    return expert_unit_id is None or expert_unit_id != proposal_unit_id


def art11_sheet_total(scores: Mapping[str, int]) -> int:
    """Art. 11: the weighted total (0-100) of one scoring sheet of integer scores 0-10."""
    total = 0
    for name, weight in CRITERIA:
        score = scores[name]
        if not 0 <= score <= SCORE_MAX:
            raise ValueError(f"{name} is scored from 0 to {SCORE_MAX}")
        total += weight * score
    return total


def art11_aggregate(totals: Sequence[int]) -> Fraction | None:
    """Art. 11: the mean of the sheets' totals, trimmed of one highest and one lowest when
    there are 5 or more; None without sheets."""
    if not totals:
        return None
    kept = sorted(totals)
    if len(kept) >= ART11_TRIM_FROM:
        kept = kept[1:-1]
    return Fraction(sum(kept), len(kept))


def art11_high_spread(totals: Sequence[int]) -> bool:
    """Art. 11: the sheets disagree by more than ART11_SPREAD_FLAG points (flag it)."""
    return len(totals) >= 2 and max(totals) - min(totals) > ART11_SPREAD_FLAG


def art11_review_may_close(*, submitted: int, pending: int) -> bool:
    """Art. 11: a review closes with at least three submitted sheets and none outstanding."""
    return submitted >= ART11_MIN_EXPERTS and pending == 0


# --- Art. 7 (3): approval only by the Leading Group's vote ------------------------------------


def art7_outcome(*, motion_closed: bool, motion_passed: bool | None) -> ProposalStatus | None:
    """Art. 7 (3): the status a listed proposal takes from its agenda item's motion: APPROVED
    when it closed and passed, NOT_APPROVED when it closed and failed; None while not counted."""
    if not motion_closed or motion_passed is None:
        return None
    return ProposalStatus.APPROVED if motion_passed else ProposalStatus.NOT_APPROVED


# --- Art. 10: funding, tender, acceptance, go-live ---------------------------------------------


class TenderMethod(TextChoices):
    OPEN = "open", _("Open tender")
    INVITED = "invited", _("Invited tender")
    COMPETITIVE = "competitive", _("Competitive negotiation")
    SINGLE = "single", _("Single source")
    INQUIRY = "inquiry", _("Request for quotation")


def art10_contract_within_budget(*, contract_fen: int, approved_fen: int) -> bool:
    """Art. 10 (4): the contract amount is no more than the approved budget."""
    return 0 < contract_fen <= approved_fen


def art10_funding_within_budget(*, allocated_fen: int, new_fen: int, approved_fen: int) -> bool:
    """Art. 10 (3): Finance allocates no more in all than the approved amount."""
    return new_fen > 0 and allocated_fen + new_fen <= approved_fen


def art10_needs_filing(security_level: int) -> bool:
    """Art. 10 (5): a system of 等保 level 2 or above goes live only with its filing (备案)."""
    return security_level >= 2


def art10_milestone_overdue(*, due_on: dt.date, done_on: dt.date | None, day: dt.date) -> bool:
    """Art. 8 (3) 督办: a milestone not done by its due date is overdue the day after."""
    return done_on is None and day > due_on


@dataclass(frozen=True)
class ReviewSummary:
    """The aggregate of a proposal's submitted sheets (Art. 11)."""

    totals: tuple[int, ...]

    @property
    def score(self) -> Fraction | None:
        return art11_aggregate(self.totals)

    @property
    def high_spread(self) -> bool:
        return art11_high_spread(self.totals)

    @property
    def display(self) -> str:
        score = self.score
        return "—" if score is None else f"{float(score):.1f}"
