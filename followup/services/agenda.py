"""Into the next meeting: a "follow-up report" agenda item listing the open and overdue items
of the body's decisions."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from followup import permissions
from followup.models import Item
from followup.services.errors import FollowupError
from meetings import services as meeting_services
from meetings.models import AgendaItem, Meeting
from members.models import User


def report_lines(meeting: Meeting) -> list[str]:
    """One line per running item from decisions of ``meeting``'s body, overdue ones first."""
    today = timezone.localdate()
    items = (
        Item.objects.running()
        .filter(decision__item__meeting__body_id=meeting.body_id)
        .select_related("lead_unit")
        .order_by("due_date", "id")
    )
    overdue = [i for i in items if i.due_date < today]
    running = [i for i in items if i.due_date >= today]
    lines = []
    for item in overdue:
        lines.append(
            _("[Overdue] %(title)s — %(unit)s, due %(due)s, %(percent)s%%")
            % {"title": item.title, "unit": item.lead_unit, "due": f"{item.due_date:%Y-%m-%d}",
               "percent": item.percent}
        )  # fmt: skip
    for item in running:
        lines.append(
            _("%(title)s — %(unit)s, due %(due)s, %(percent)s%%")
            % {"title": item.title, "unit": item.lead_unit, "due": f"{item.due_date:%Y-%m-%d}",
               "percent": item.percent}
        )  # fmt: skip
    return lines


@transaction.atomic
def add_followup_report(*, actor: User, meeting: Meeting) -> AgendaItem:
    """The Office adds the report as the meeting's last agenda item."""
    if not permissions.can_create(actor):
        raise FollowupError(_("Only the Office adds the follow-up report."))
    lines = report_lines(meeting)
    description = "\n".join(lines) if lines else _("No open follow-up items.")
    return meeting_services.add_agenda_item(
        actor=actor, meeting=meeting, title=_("Follow-up report"), description=description
    )
