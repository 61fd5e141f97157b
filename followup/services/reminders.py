"""催办 from cron (R-EXEC-2): 3 working days before the due date, and on the day an item
becomes overdue; at most once per item, kind and day, which the database guarantees."""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from followup import rules
from followup.models import Item, Reminder
from followup.services._common import recipients, tell
from followup.workdays import WorkCalendar, load_calendar
from infogov import audit


@dataclass(frozen=True)
class Sent:
    due_soon: int
    overdue: int

    @property
    def total(self) -> int:
        return self.due_soon + self.overdue


def _remind(item: Item, kind: str, today: dt.date, text: str, *, extra=()) -> bool:
    """Record the reminder and tell the unit (and ``extra`` people); False if it was already
    sent today (by a run alongside this one)."""
    people = recipients(item)
    people += [p for p in extra if p.is_active and p.pk not in {q.pk for q in people}]
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(item=item, kind=kind, on_date=today)
            reminder.recipients = tell(people, text)
            reminder.save(update_fields=["recipients"])
            audit.record(actor=None, action="followup.reminded", obj=item, after={"kind": kind})
    except IntegrityError:
        return False
    return True


def send_reminders(*, today: dt.date, calendar: WorkCalendar | None = None) -> Sent:
    """Remind every running item that reaches 3 working days before its due date (due_soon)
    or became overdue (overdue; the supervising leader is told too), once per item and kind:
    a day cron missed is caught up the next day, never sent twice."""
    calendar = calendar or load_calendar()
    # The due dates whose "3 working days before" is today or has passed: up to (not
    # including) the 4th working day after today.
    last = rules.yellow_before(today=today, calendar=calendar) - dt.timedelta(days=1)
    rows = Item.objects.running().select_related("lead_unit", "responsible", "supervisor")
    soon = overdue = 0
    due_soon = rows.filter(due_date__gte=today, due_date__lte=last).exclude(
        reminders__kind=Reminder.Kind.DUE_SOON
    )
    for item in due_soon:
        text = _("Due soon: %(title)s (due %(due)s).") % {
            "title": item.title,
            "due": f"{item.due_date:%Y-%m-%d}",
        }
        soon += _remind(item, Reminder.Kind.DUE_SOON, today, text)
    late = rows.filter(due_date__lt=today).exclude(reminders__kind=Reminder.Kind.OVERDUE)
    for item in late:
        text = _("Overdue: %(title)s (due %(due)s).") % {
            "title": item.title,
            "due": f"{item.due_date:%Y-%m-%d}",
        }
        extra = [item.supervisor] if item.supervisor_id else []
        overdue += _remind(item, Reminder.Kind.OVERDUE, today, text, extra=extra)
    return Sent(due_soon=soon, overdue=overdue)
