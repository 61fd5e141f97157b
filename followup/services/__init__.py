"""Every change of state of followup, by concern (items, reminders, forwarding,
inspections, agenda); import them from here."""

from followup.services.agenda import add_followup_report, report_lines
from followup.services.errors import FollowupError
from followup.services.forwarding import track_forwarding, update_forwarding
from followup.services.inspections import add_finding, record_inspection
from followup.services.items import (
    acknowledge_item,
    add_milestone,
    assign_item,
    cancel_item,
    close_item,
    create_item,
    decide_extension,
    remind_item,
    report_progress,
    request_completion,
    request_extension,
    return_item,
)
from followup.services.reminders import Sent, send_reminders

__all__ = [
    "FollowupError",
    "Sent",
    "acknowledge_item",
    "add_finding",
    "add_followup_report",
    "add_milestone",
    "assign_item",
    "cancel_item",
    "close_item",
    "create_item",
    "decide_extension",
    "record_inspection",
    "remind_item",
    "report_lines",
    "report_progress",
    "request_completion",
    "request_extension",
    "return_item",
    "send_reminders",
    "track_forwarding",
    "update_forwarding",
]
