"""The bench's data, made through the portal's own services (Django must be set up first).

The annex's Leading Group (16 voting members) convenes a meeting of 16; 284 members are then
seated, and the bench meeting is convened with 300; 200 more make a meeting of 500. The 16
and 500 meetings have the same agenda, so that their pages can be compared query for query.
"""

import datetime as dt
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone
from django.utils.crypto import get_random_string

from meetings import services
from meetings.ballots import keys
from meetings.models import Meeting, Motion
from members import services as roster_services
from members.models import Appointment, Body, Role, Seat, User

BENCH_TABLE_SQL = """
CREATE TABLE bench_insert (
    id bigserial PRIMARY KEY,
    user_id bigint NOT NULL,
    choice varchar(10) NOT NULL,
    at timestamptz NOT NULL DEFAULT now()
)
"""


@dataclass
class Scene:
    leader: User
    meeting16: Meeting
    meeting300: Meeting
    meeting500: Meeting
    named: list[Motion]  # one per round, on the 300 meeting, not yet open
    secret: list[Motion]
    polled: Motion  # on the 300 meeting, opened after the rounds for the phones to poll
    open16: Motion  # the named vote open in the 16 meeting, and in the 500 one
    open500: Motion
    voters: list[User]  # the 300 expected members of the bench meeting
    scrutineers: list[User]  # two of them: password and ballot key SCRUTINEER_PASSWORD


SCRUTINEER_PASSWORD = "bench-scrutineer"


def add_voting_members(body: Body, day: dt.date, n: int, prefix: str) -> None:
    """Seat ``n`` new members in ``body`` (rows in bulk, then the permissions they confer)."""
    unusable = make_password(None)
    people = User.objects.bulk_create(
        User(username=f"{prefix}{i:03d}", full_name=f"成员{prefix}{i:03d}", password=unusable)
        for i in range(n)
    )
    first = (body.seats.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    seats = Seat.objects.bulk_create(
        Seat(body=body, role=Role.MEMBER, order=first + i) for i in range(n)
    )
    Appointment.objects.bulk_create(
        Appointment(seat=seat, person=person, started_on=day)
        for seat, person in zip(seats, people, strict=True)
    )
    roster_services.sync_permissions()


def meeting_in_session(body: Body, leader: User, title: str) -> Meeting:
    """Drafted to start in an hour with a first item (Art. 12: a meeting is called ahead of
    its start, with an agenda), convened, everyone checked in, opened."""
    meeting = services.draft_meeting(
        actor=leader,
        body=body,
        kind=Meeting.Kind.LG_SPECIAL,
        title=title,
        starts_at=timezone.now() + dt.timedelta(hours=1),
        location="行政楼第一会议室",
    )
    services.add_agenda_item(actor=leader, meeting=meeting, title="通报")
    meeting = services.convene_meeting(actor=leader, meeting=meeting)
    for member in meeting.expected_members.all():
        services.check_in(actor=leader, member=member, by_office=True)
    return services.open_meeting(actor=leader, meeting=meeting)


def standard_agenda(meeting: Meeting, leader: User) -> Motion:
    """Two items: a named vote open on the first (returned), a secret one drafted on the
    second."""
    first = services.add_agenda_item(
        actor=leader, meeting=meeting, title="年度项目预算", is_major=True
    )
    second = services.add_agenda_item(actor=leader, meeting=meeting, title="数据标准")
    motion = services.create_motion(actor=leader, item=first, text="同意预算")
    services.open_vote(actor=leader, motion=motion)
    services.create_motion(actor=leader, item=second, text="同意标准", method=Motion.Method.SECRET)
    return motion


def seed(rounds: int) -> Scene:
    day = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(BENCH_TABLE_SQL)
    roster_services.load_roster(on=day)
    body = Body.objects.get(kind=Body.Kind.LEADING_GROUP)
    leader = User.objects.get(username="sunqixin")

    meeting16 = meeting_in_session(body, leader, "基准会议（16人）")
    open16 = standard_agenda(meeting16, leader)

    add_voting_members(body, day, 284, "v")
    meeting300 = meeting_in_session(body, leader, "基准会议（300人）")
    named, secret = [], []
    for r in range(rounds):
        item = services.add_agenda_item(actor=leader, meeting=meeting300, title=f"举手表决 {r + 1}")
        named.append(services.create_motion(actor=leader, item=item, text="同意"))
        item = services.add_agenda_item(
            actor=leader, meeting=meeting300, title=f"无记名投票 {r + 1}"
        )
        secret.append(
            services.create_motion(
                actor=leader, item=item, text="同意", method=Motion.Method.SECRET
            )
        )

    item = services.add_agenda_item(actor=leader, meeting=meeting300, title="轮询")
    polled = services.create_motion(actor=leader, item=item, text="同意")

    add_voting_members(body, day, 200, "w")
    meeting500 = meeting_in_session(body, leader, "基准会议（500人）")
    open500 = standard_agenda(meeting500, leader)

    voters = list(
        User.objects.filter(pk__in=meeting300.expected_members.values("person")).order_by("pk")
    )
    assert meeting16.expected_members.count() == 16
    assert len(voters) == 300
    assert meeting500.expected_members.count() == 500
    # Two present members count the secret ballots (meetings.ballots), with ballot keys.
    scrutineers = [person for person in voters if person.pk != leader.pk][:2]  # not the chair
    for person in scrutineers:  # they confirm the count with their login password
        person.set_password(SCRUTINEER_PASSWORD)
        person.save(update_fields=["password"])
        keys.make_key(person, SCRUTINEER_PASSWORD)
    return Scene(
        leader,
        meeting16,
        meeting300,
        meeting500,
        named,
        secret,
        polled,
        open16,
        open500,
        voters,
        scrutineers,
    )


def login_backend() -> str:
    """The first backend that reads people back (axes' backend, first, only counts failures)."""
    return next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
    )


def sessions_for(people: list[User]) -> dict[int, str]:
    """A logged-in session row for each person, as a login leaves it; {user id: session key}."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    backend = login_backend()
    expires = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    keys, rows = {}, []
    for person in people:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            SESSION_KEY: str(person.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: person.get_session_auth_hash(),
        }
        rows.append(
            Session(session_key=key, session_data=store().encode(data), expire_date=expires)
        )
        keys[person.pk] = key
    Session.objects.bulk_create(rows)
    return keys
