"""Art. 12 / R-MEET-4: whether this academic year has had its Leading Group plenary meeting.

Read here, decided by meetings.rules.plenary_status, shown on the meeting list and, through
the panel that MeetingsConfig.ready() registers, on the dashboard of members.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from infogov.academic_year import AcademicYear
from meetings import permissions, rules
from meetings.models import Meeting
from meetings.rules import PlenaryStatus, plenary_status
from members.http import SignedInRequest
from members.models import Body, User
from members.panels import Panel
from members.permissions import body_perms

# A plenary has taken place once it was opened; a convened one is still a plan. Drafts,
# postponed and cancelled meetings are neither.
HELD = (Meeting.Status.IN_SESSION, Meeting.Status.CLOSED)
SCHEDULED = (Meeting.Status.CONVENED,)

TEMPLATE = "meetings/_plenary_flag.html"


@dataclass(frozen=True)
class PlenaryFlag:
    status: PlenaryStatus
    can_draft: bool  # Art. 9, 12: the Office drafts the meeting that the leader convenes


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def plenary_status_on(today: dt.date | None = None) -> PlenaryStatus:
    """Return how the academic year of ``today`` (by default today) stands, in one query."""
    today = today or timezone.localdate()
    year = AcademicYear.of(today)
    rows = Meeting.objects.filter(
        # Art. 12: only the Leading Group holds plenaries (rules.KINDS_BY_BODY).
        kind=Meeting.Kind.LG_PLENARY,
        status__in=[*HELD, *SCHEDULED],
        # The year's bounds in local time: the database holds UTC.
        starts_at__gte=_local_midnight(year.starts_on),
        starts_at__lt=_local_midnight(year.ends_on + dt.timedelta(days=1)),
    ).values_list("starts_at", "status")
    held: list[dt.date] = []
    scheduled: list[dt.date] = []
    for starts_at, status in rows:
        (held if status in HELD else scheduled).append(timezone.localdate(starts_at))
    return plenary_status(year=year, held_dates=held, scheduled_dates=scheduled, today=today)


def _leading_group_chaired_by(user: User) -> Body | None:
    """The Leading Group if ``user`` convenes or organises its meetings; no query for others."""
    if not any(rules.may_chair(codes) for codes in body_perms(user).values()):
        return None
    body = Body.objects.filter(kind=Body.Kind.LEADING_GROUP).first()
    return body if body is not None and permissions.can_chair(user, body) else None


def plenary_flag(user: User, today: dt.date | None = None) -> PlenaryFlag | None:
    """Return the flag of this year for ``user``, or None if nothing is to be shown to them.

    Shown to those who convene or organise the Leading Group's meetings (leader, deputies,
    Office), who can act on it; at most two queries, none for anyone else.
    """
    body = _leading_group_chaired_by(user)
    if body is None:
        return None
    status = plenary_status_on(today)
    if not status.flagged:
        return None
    return PlenaryFlag(status=status, can_draft=permissions.can_manage(user, body))


def dashboard_panel(request: SignedInRequest) -> Panel | None:
    """The dashboard's panel (members.panels): the flag, with links to act on it."""
    flag = plenary_flag(request.user)
    if flag is None:
        return None
    return Panel(TEMPLATE, {"plenary_flag": flag, "plenary_links": True})
