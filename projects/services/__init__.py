"""Every change of state in the project cycle. Keyword-only, atomic, audited.

Each service checks its step against the state table (projects.rules.ALLOWED_STEPS) and that
the actor is the one the regulation names for it (projects.rules.WHO, from seats through
projects.permissions), so that no path around the views can take a step. No service
approves: a proposal is approved only by apply_motion_result, from the counted motion of the
agenda item it was put on (Art. 7 (3)), which meetings announces (meetings.signals).

By concern:

- calls.py: the year's call and its windows (Art. 8 (3));
- proposals.py: drafting, budget lines, submitting, the Office's return (Art. 8 (3));
- review.py: expert review with recusal (回避), declarations, sheets, closing (Art. 11);
- recommendation.py: ranking, recommending or not, the Leading Group's agenda (Art. 8 (3));
- approval.py: apply_motion_result and its receiver, from the counted motion (Art. 7 (3));
- delivery.py: funding, tender, acceptance, go-live, milestones and overdue follow-ups
  (Art. 10);
- _common.py: what they share (ProjectError, locking, the step check, yuan).

Callers import this package: ``from projects import services; services.submit_proposal(...)``.
"""

from projects.rules import Step
from projects.services._common import ProjectError, _check, yuan
from projects.services.approval import apply_motion_result, on_motion_counted
from projects.services.calls import _window, open_call
from projects.services.delivery import (
    add_milestone,
    open_overdue_followups,
    record_acceptance,
    record_allocation,
    record_go_live,
    record_tender,
    report_progress,
)
from projects.services.proposals import (
    PROPOSAL_FIELDS,
    add_budget_line,
    create_proposal,
    remove_budget_line,
    requested_fen,
    return_proposal,
    submit_proposal,
    update_proposal,
)
from projects.services.recommendation import put_on_agenda, recommend, reject
from projects.services.review import (
    assign_experts,
    close_review,
    declare_interest,
    review_summary,
    seated_experts,
    submit_sheet,
)

# Step, _check and _window were names of the one module services.py, and callers still read
# them here: the tests (services.Step, services._check) and the call page (services._window).
__all__ = [
    "PROPOSAL_FIELDS",
    "ProjectError",
    "Step",
    "_check",
    "_window",
    "add_budget_line",
    "add_milestone",
    "apply_motion_result",
    "assign_experts",
    "close_review",
    "create_proposal",
    "declare_interest",
    "on_motion_counted",
    "open_call",
    "open_overdue_followups",
    "put_on_agenda",
    "recommend",
    "record_acceptance",
    "record_allocation",
    "record_go_live",
    "record_tender",
    "reject",
    "remove_budget_line",
    "report_progress",
    "requested_fen",
    "return_proposal",
    "review_summary",
    "seated_experts",
    "submit_proposal",
    "submit_sheet",
    "update_proposal",
    "yuan",
]
