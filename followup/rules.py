"""Rules of 督办 (Art. 8 (1)(4)(5), 9 (1), 14, 16): an item's states and steps, who takes each
step, the traffic light, extensions and the roll-up of sub-items. Pure: no ORM, no request.
"""

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from followup.workdays import WorkCalendar


class ItemStatus(TextChoices):
    """R-EXEC-2: an item's states. Overdue is never a state: it is computed (art16_overdue)."""

    DRAFT = "draft", _("Draft")
    ASSIGNED = "assigned", _("Assigned")  # 交办
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")  # 签收
    IN_PROGRESS = "in_progress", _("In progress")  # 办理中
    COMPLETION_REQUESTED = "completion_requested", _("Completion requested")  # 申请办结
    CLOSED = "closed", pgettext_lazy("follow-up", "Closed")  # 办结
    RETURNED = "returned", _("Returned")  # 退办
    CANCELLED = "cancelled", pgettext_lazy("follow-up", "Cancelled")  # 撤销


class Source(TextChoices):
    """Where an item comes from."""

    DECISION = "decision", _("Decision")  # Art. 16
    FORWARDING = "forwarding", _("Forwarded matter")  # Art. 14
    INSTRUCTION = "instruction", _("Leader's instruction")  # 批示
    INSPECTION = "inspection", _("Inspection finding")  # Art. 8 (4)(5): 整改
    PROJECT = "project", _("Project milestone")  # 项目节点, through followup.hooks


class ItemStep(StrEnum):
    """What can be done with an item: by whom is STEP_ACTORS', in which state ALLOWED_STEPS'."""

    ASSIGN = "assign"  # 交办
    ACKNOWLEDGE = "acknowledge"  # 签收
    REPORT = "report"  # 进展
    REQUEST_COMPLETION = "request_completion"  # 申请办结
    CLOSE = "close"  # 办结
    RETURN = "return"  # 退办
    CANCEL = "cancel"  # 撤销
    REQUEST_EXTENSION = "request_extension"  # 申请延期
    DECIDE_EXTENSION = "decide_extension"  # 审批延期
    REMIND = "remind"  # 催办 by hand


class Actor(StrEnum):
    """In which capacity a person acts on an item (followup.permissions says who is what)."""

    OFFICE = "office"  # Art. 9 (1): the Office follows up and supervises
    WG_LEADER = "wg_leader"  # the Work Group's leader (Art. 4, 8 (1))
    WG_DEPUTY = "wg_deputy"  # a deputy leader of the Work Group
    LEAD_UNIT = "lead_unit"  # the head or a liaison of the item's lead unit (Art. 10, 16)
    VIEWER = "viewer"  # a leader, a co-unit: sees, takes no step


_S = ItemStatus
# Where the unit works on the item: reports, asks for completion or for more time.
WORKING: frozenset[ItemStatus] = frozenset({_S.ACKNOWLEDGED, _S.IN_PROGRESS, _S.RETURNED})
# Running: assigned and not yet closed or cancelled; the light and the reminders look at these.
RUNNING: frozenset[ItemStatus] = WORKING | {_S.ASSIGNED, _S.COMPLETION_REQUESTED}
FINISHED: frozenset[ItemStatus] = frozenset({_S.CLOSED, _S.CANCELLED})

# The item's state machine: each step and the states it may be taken in. Where it leads is
# NEXT_STATUS (None: the state does not change).
ALLOWED_STEPS: Mapping[ItemStep, frozenset[ItemStatus]] = {
    ItemStep.ASSIGN: frozenset({_S.DRAFT}),
    ItemStep.ACKNOWLEDGE: frozenset({_S.ASSIGNED}),
    ItemStep.REPORT: WORKING,
    ItemStep.REQUEST_COMPLETION: WORKING,
    ItemStep.CLOSE: frozenset({_S.COMPLETION_REQUESTED}),
    ItemStep.RETURN: frozenset({_S.COMPLETION_REQUESTED}),
    ItemStep.CANCEL: frozenset({_S.DRAFT, *RUNNING}),
    ItemStep.REQUEST_EXTENSION: frozenset({_S.ASSIGNED, *WORKING}),
    ItemStep.DECIDE_EXTENSION: frozenset({_S.ASSIGNED, *WORKING, _S.COMPLETION_REQUESTED}),
    ItemStep.REMIND: RUNNING,
}
NEXT_STATUS: Mapping[ItemStep, ItemStatus | None] = {
    ItemStep.ASSIGN: _S.ASSIGNED,
    ItemStep.ACKNOWLEDGE: _S.ACKNOWLEDGED,
    ItemStep.REPORT: _S.IN_PROGRESS,
    ItemStep.REQUEST_COMPLETION: _S.COMPLETION_REQUESTED,
    ItemStep.CLOSE: _S.CLOSED,
    ItemStep.RETURN: _S.RETURNED,
    ItemStep.CANCEL: _S.CANCELLED,
    ItemStep.REQUEST_EXTENSION: None,
    ItemStep.DECIDE_EXTENSION: None,
    ItemStep.REMIND: None,
}
# R-DUTY-1: who takes each step. Art. 9 (1): the Office assigns, closes, returns, cancels and
# reminds; the Work Group's leader may close too, the lead unit never; the unit acknowledges
# and reports for itself; an extension is approved by the Work Group's leader or a deputy.
STEP_ACTORS: Mapping[ItemStep, frozenset[Actor]] = {
    ItemStep.ASSIGN: frozenset({Actor.OFFICE}),
    ItemStep.ACKNOWLEDGE: frozenset({Actor.LEAD_UNIT}),
    ItemStep.REPORT: frozenset({Actor.LEAD_UNIT}),
    ItemStep.REQUEST_COMPLETION: frozenset({Actor.LEAD_UNIT}),
    ItemStep.CLOSE: frozenset({Actor.OFFICE, Actor.WG_LEADER}),
    ItemStep.RETURN: frozenset({Actor.OFFICE, Actor.WG_LEADER}),
    ItemStep.CANCEL: frozenset({Actor.OFFICE}),
    ItemStep.REQUEST_EXTENSION: frozenset({Actor.LEAD_UNIT}),
    ItemStep.DECIDE_EXTENSION: frozenset({Actor.WG_LEADER, Actor.WG_DEPUTY}),
    ItemStep.REMIND: frozenset({Actor.OFFICE}),
}


def may(step: ItemStep, status: str) -> bool:
    """Return whether ``step`` may be taken while the item is in ``status``."""
    return status in ALLOWED_STEPS[step]


def may_take(step: ItemStep, actors: Collection[str]) -> bool:
    """R-DUTY-1: return whether someone acting as any of ``actors`` takes ``step``."""
    return not STEP_ACTORS[step].isdisjoint(actors)


def steps_now(status: str, actors: Collection[str]) -> dict[str, bool]:
    """Return {step: whether it can be taken now} for a person acting as ``actors``."""
    return {step.value: may(step, status) and may_take(step, actors) for step in ItemStep}


def art16_needs_reason(step: ItemStep) -> bool:
    """R-EXEC-2: returning and cancelling an item need a reason; closing needs none."""
    return step in (ItemStep.RETURN, ItemStep.CANCEL)


# --- Overdue, the traffic light -------------------------------------------------------------


class Light(TextChoices):
    GREEN = "green", _("On track")
    YELLOW = "yellow", _("Due soon")
    RED = "red", _("Overdue")
    GREY = "grey", pgettext_lazy("follow-up", "Closed")


# Yellow when this many working days or fewer are left (R-EXEC-2).
YELLOW_WORKING_DAYS = 3


def art16_overdue(*, status: str, due: dt.date, today: dt.date) -> bool:
    """R-EXEC-2: overdue when the due date has passed and the item is still running."""
    return status in RUNNING and today > due


def art16_closed_late(*, closed_on: dt.date, due: dt.date) -> bool:
    """逾期办结: closed after its (possibly extended) due date."""
    return closed_on > due


def art16_light(
    *,
    status: str,
    due: dt.date,
    today: dt.date,
    calendar: WorkCalendar,
    milestone_behind: bool = False,
) -> Light:
    """R-EXEC-2: grey when not running (closed, cancelled, draft); red when overdue; yellow
    when 3 working days or fewer are left or a milestone is behind; green otherwise."""
    if status not in RUNNING:
        return Light.GREY
    if art16_overdue(status=status, due=due, today=today):
        return Light.RED
    if milestone_behind or calendar.working_days_between(today, due) <= YELLOW_WORKING_DAYS:
        return Light.YELLOW
    return Light.GREEN


def yellow_before(*, today: dt.date, calendar: WorkCalendar) -> dt.date:
    """The first due date that is green today: a due date before it has 3 working days or
    fewer left. Lets a database filter by light without computing it row by row."""
    return calendar.add_working_days(today, YELLOW_WORKING_DAYS + 1)


def reminder_day(*, due: dt.date, calendar: WorkCalendar) -> dt.date:
    """R-EXEC-2: the day of the "due soon" reminder, 3 working days before the due date."""
    return calendar.add_working_days(due, -YELLOW_WORKING_DAYS)


# --- Extensions -----------------------------------------------------------------------------


def art16_extension_refusal(
    *, asked_on: dt.date, due: dt.date, new_due: dt.date, reason: str
) -> str | None:
    """Why an extension cannot be asked for, or None: asked before the due date (on it at
    the latest), with a reason, for a later date."""
    if asked_on > due:
        return str(_("An extension is asked for before the due date."))
    if not reason.strip():
        return str(_("Give the reason for the extension."))
    if new_due <= due:
        return str(_("The new due date must be after the current one."))
    return None


def art16_may_approve_extension(*, applicant_id: int, approver_id: int) -> bool:
    """An extension is approved by someone other than the one who asked for it."""
    return applicant_id != approver_id


# --- Sub-items, reports ---------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    weight: int
    percent: int


def rolled_up_percent(parts: Iterable[Part]) -> int | None:
    """The weighted progress of the sub-items (floor, integers only), or None without any;
    shown beside what the parent's own unit entered, never written over it."""
    parts = list(parts)
    total = sum(part.weight for part in parts)
    if not parts or total == 0:
        return None
    return sum(part.weight * part.percent for part in parts) // total


@dataclass(frozen=True)
class UnitMonth:
    """One row of the monthly report (督办月报): the items of a unit due in a month."""

    unit: str
    due: int
    closed: int
    overdue: int  # still open after the due date, or closed late
    days_to_close: tuple[int, ...]

    @property
    def completion_percent(self) -> int:
        return 100 * self.closed // self.due if self.due else 0

    @property
    def overdue_percent(self) -> int:
        return 100 * self.overdue // self.due if self.due else 0

    @property
    def average_days_to_close(self) -> float | None:
        if not self.days_to_close:
            return None
        return round(sum(self.days_to_close) / len(self.days_to_close), 1)
