"""The ledger (督办台账): the items a person sees, filtered and with their light computed by
the database, so that a page's queries do not grow with its rows."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, CharField, Count, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from followup import permissions, rules
from followup.models import Item
from followup.rules import RUNNING, Light, UnitMonth
from followup.workdays import WorkCalendar, load_calendar
from members.models import User


def with_light(items: QuerySet[Item], *, today: dt.date, calendar: WorkCalendar) -> QuerySet:
    """Annotate ``light`` (rules.art16_light, said in SQL) and ``milestone_behind``."""
    green_from = rules.yellow_before(today=today, calendar=calendar)
    return items.with_milestone_behind(today).annotate(
        light=Case(
            When(~Q(status__in=RUNNING), then=Value(Light.GREY)),
            When(due_date__lt=today, then=Value(Light.RED)),
            When(Q(due_date__lt=green_from) | Q(milestone_behind=True), then=Value(Light.YELLOW)),
            default=Value(Light.GREEN),
            output_field=CharField(),
        )
    )


@dataclass(frozen=True)
class Filters:
    unit: int | None = None
    status: str = ""
    light: str = ""
    source: str = ""
    month: dt.date | None = None  # the first day of the due month


def ledger(
    user: User,
    filters: Filters,
    *,
    today: dt.date | None = None,
    calendar: WorkCalendar | None = None,
) -> QuerySet[Item]:
    """The filtered items ``user`` sees, with lead unit, responsible person and light."""
    today = today or timezone.localdate()
    items = with_light(
        permissions.visible_items(user).for_ledger(),
        today=today,
        calendar=calendar or load_calendar(),
    )
    if filters.unit:
        items = items.filter(lead_unit_id=filters.unit)
    if filters.status:
        items = items.filter(status=filters.status)
    if filters.source:
        items = items.filter(source=filters.source)
    if filters.month:
        items = items.filter(due_date__year=filters.month.year, due_date__month=filters.month.month)
    if filters.light:
        items = items.filter(light=filters.light)
    return items.order_by("due_date", "id")


def revision(user: User, *, today: dt.date, calendar: WorkCalendar) -> str:
    """What the ledger's rows are cached under for ``user``: whose items they are (all, or
    those of their units), how many and the sum of their revisions, which every change to
    one of them moves on (services._common.lock_item), and the days the lights are reckoned
    from. One query, whatever the number of items."""
    cap = permissions.capacity(user)
    scope = "all" if cap.sees_all else ",".join(str(unit) for unit in sorted(cap.units))
    found = permissions.visible_items(user).aggregate(n=Count("*"), total=Sum("revision"))
    green_from = rules.yellow_before(today=today, calendar=calendar)
    return f"{scope}:{found['n']}:{found['total'] or 0}:{today}:{green_from}"


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of ``month`` and the first day of the next."""
    first = month.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following


def monthly_report(user: User, month: dt.date, *, today: dt.date | None = None) -> list[UnitMonth]:
    """Per lead unit, the items due in ``month`` (original due date, for the statistics):
    how many, closed, overdue (open past the due date, or closed late), days to close. One
    query."""
    today = today or timezone.localdate()
    first, following = month_bounds(month)
    rows = (
        permissions.visible_items(user)
        .filter(original_due_date__gte=first, original_due_date__lt=following)
        .exclude(status__in=[Item.Status.CANCELLED, Item.Status.DRAFT])
        .values_list(
            "lead_unit__name", "lead_unit__order", "status", "due_date", "closed_late",
            "assigned_at", "closed_at",
        )
        .order_by("lead_unit__order", "lead_unit__name")
    )  # fmt: skip
    by_unit: dict[str, dict] = {}
    for name, _order, status, due, closed_late, assigned_at, closed_at in rows:
        unit = by_unit.setdefault(name, {"due": 0, "closed": 0, "overdue": 0, "days": []})
        unit["due"] += 1
        if status == Item.Status.CLOSED:
            unit["closed"] += 1
            if assigned_at and closed_at:
                unit["days"].append(
                    (timezone.localdate(closed_at) - timezone.localdate(assigned_at)).days
                )
        if closed_late or rules.art16_overdue(status=status, due=due, today=today):
            unit["overdue"] += 1
    return [
        UnitMonth(
            unit=name,
            due=v["due"],
            closed=v["closed"],
            overdue=v["overdue"],
            days_to_close=tuple(v["days"]),
        )
        for name, v in by_unit.items()
    ]
