"""The member's to-do list on the dashboard (members.panels): attendance to answer, votes open
now, minutes to write or to sign, and the meetings coming up. A fixed number of queries,
whatever the number of meetings."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest
from django.utils import timezone

from meetings import permissions
from meetings.minutes.models import Minutes
from meetings.models import BallotReceipt, ExpectedMember, Meeting, Motion, NamedVote
from meetings.rules import MeetingStatus, MotionStatus
from members.models import User
from members.panels import Panel
from members.permissions import body_perms

TEMPLATE = "meetings/_todo_panel.html"
UPCOMING_LIMIT = 5
CURRENT = (MeetingStatus.CONVENED, MeetingStatus.IN_SESSION)


@dataclass(frozen=True)
class ToDo:
    attendance: list[ExpectedMember]  # convened meetings I have not answered yet
    votes: list[Motion]  # open now, in meetings where I am expected, not yet cast
    minutes_to_write: list[Minutes]  # drafts and returned minutes of bodies whose Office I am
    minutes_to_sign: list[Minutes]  # submitted to me, the body's leader
    upcoming: list[Meeting]  # convened or in session, that I may see, soonest first

    def __bool__(self) -> bool:
        return any(
            (
                self.attendance,
                self.votes,
                self.minutes_to_write,
                self.minutes_to_sign,
                self.upcoming,
            )
        )


def _bodies(user: User, allowed) -> list[int]:
    return [body_id for body_id in body_perms(user) if allowed(user, body_id)]


def _minutes(bodies: list[int], statuses: tuple[str, ...]) -> QuerySet[Minutes]:
    return (
        Minutes.objects.filter(meeting__body__in=bodies, status__in=statuses)
        .select_related("meeting")
        .order_by("meeting__starts_at", "id")
    )


def todo_for(user: User, now: dt.datetime | None = None) -> ToDo:
    """What ``user`` has to do now."""
    now = now or timezone.now()
    attendance = (
        ExpectedMember.objects.filter(
            person=user,
            response=ExpectedMember.Response.PENDING,
            present=False,
            meeting__status=MeetingStatus.CONVENED,
            meeting__starts_at__gte=now - dt.timedelta(hours=12),
        )
        .select_related("meeting")
        .order_by("meeting__starts_at", "meeting_id")
    )
    cast = Exists(NamedVote.objects.filter(motion=OuterRef("pk"), voter=user)) | Exists(
        BallotReceipt.objects.filter(motion=OuterRef("pk"), voter=user)
    )
    votes = (
        Motion.objects.filter(
            status=MotionStatus.OPEN,
            item__meeting__status=MeetingStatus.IN_SESSION,
            item__meeting__expected_members__person=user,
        )
        .exclude(cast)
        .select_related("item__meeting")
        .order_by("opened_at", "id")
    )
    write = _bodies(user, permissions.can_edit_minutes)
    sign = _bodies(user, permissions.can_sign_minutes)
    upcoming = (
        permissions.visible_meetings(user)
        .filter(status__in=CURRENT)
        .filter(
            Q(ends_at__gte=now)
            | Q(ends_at__isnull=True, starts_at__gte=now - dt.timedelta(hours=4))
        )
        .select_related("body")
        .order_by("starts_at", "id")[:UPCOMING_LIMIT]
    )
    return ToDo(
        attendance=list(attendance),
        votes=list(votes),
        minutes_to_write=list(
            _minutes(write, (Minutes.Status.DRAFT, Minutes.Status.RETURNED)) if write else []
        ),
        minutes_to_sign=list(_minutes(sign, (Minutes.Status.SUBMITTED,)) if sign else []),
        upcoming=list(upcoming),
    )


def dashboard_panel(request: HttpRequest) -> Panel | None:
    """The dashboard's to-do list (members.panels); always shown, saying so when empty."""
    if not request.user.is_authenticated:
        return None
    return Panel(TEMPLATE, {"todo": todo_for(request.user)})
