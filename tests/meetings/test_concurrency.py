"""Votes under load (R-VOTE-2): 300 voters and 50 duplicates race a close over real HTTP.

Each burst goes through the whole stack: a threaded WSGI server (pytest-django's live_server),
sessions, CSRF, the vote view and meetings.services.cast_vote, which locks the motion row
FOR SHARE while close_vote locks it FOR UPDATE. The close is started from another thread once
about half of the requests have been sent, so that votes are in flight on both sides of it.

What must hold, for a named and for a secret vote:
- every request is answered 302 (counted) or 409 (refused), never anything else;
- a counted vote is a row (NamedVote, or BallotReceipt plus one encrypted Ballot),
  no voter has two, and the closed motion's yes + no + abstain is exactly the counted votes;
- a duplicate sent after the same voter's vote was answered is refused;
- every request sent after the close had committed is refused with the "closed" message.

PostgreSQL only: SQLite serialises every writer, so there is no race there to test.
"""

import datetime as dt
import http.client
import random
import re
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from importlib import import_module
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, load_backend
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import get_random_string
from django.utils.html import escape
from django.utils.translation import gettext

from meetings import services
from meetings.ballots.models import Ballot
from meetings.models import (
    BallotReceipt,
    ExpectedMember,
    Meeting,
    Motion,
    NamedVote,
)
from members import services as roster_services
from members.models import Appointment, Body, Role, Seat, User
from tests.meetings import ballot_helpers

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the vote's row locks race only on PostgreSQL (SQLite serialises writers)",
    ),
    pytest.mark.django_db(transaction=True),
]

EXPECTED = 300  # seated voting members of the Leading Group: the annex's 16 and 284 more
DUPLICATES = 50  # voters who send a second vote in the same burst
# Client threads. Each request in flight holds a server thread and a PostgreSQL connection
# (max_connections is 100 and other test runs may share the server), so 32, not more.
THREADS = 32
LANGUAGE = "zh-hans"  # the site's default; the 409 pages are read in it
CHOICES = ["yes", "no", "abstain"]
LATE = 20  # requests sent only once the close has committed
TIMEOUT = 30  # seconds for any one request; a hang fails the test instead of stalling CI


# --- Setting the scene --------------------------------------------------------------------------


def seat_300_members(day: dt.date) -> tuple[Body, User]:
    """Load the annex, then seat 284 more members in the Leading Group: 300 voting members."""
    roster_services.load_roster(on=day)
    body = Body.objects.get(kind=Body.Kind.LEADING_GROUP)
    extra = EXPECTED - Appointment.objects.seated_in(body, day).voting().count()
    unusable = make_password(None)
    people = User.objects.bulk_create(
        User(username=f"voter{i:03d}", full_name=f"成员{i:03d}", password=unusable)
        for i in range(extra)
    )
    first = (body.seats.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    seats = Seat.objects.bulk_create(
        Seat(body=body, role=Role.MEMBER, order=first + i) for i in range(extra)
    )
    Appointment.objects.bulk_create(
        Appointment(seat=seat, person=person, started_on=day)
        for seat, person in zip(seats, people, strict=True)
    )
    roster_services.sync_permissions()  # the vote permission, as fill_seat would have granted
    assert Appointment.objects.seated_in(body, day).voting().count() == EXPECTED
    return body, User.objects.get(username="sunqixin")


def meeting_in_session(body: Body, leader: User) -> Meeting:
    """Draft, convene (as the leader), check all 300 in, open: a quorate session."""
    meeting = services.draft_meeting(
        actor=leader,
        body=body,
        kind=Meeting.Kind.LG_SPECIAL,
        title="并发表决测试",
        # Art. 12: convened before it starts; the session opens at once all the same.
        starts_at=timezone.now() + dt.timedelta(minutes=5),
        location="行政楼第一会议室",
    )
    services.add_agenda_item(actor=leader, meeting=meeting, title="审议事项")
    meeting = services.convene_meeting(actor=leader, meeting=meeting)
    members = list(meeting.expected_members.all())
    assert len(members) == EXPECTED
    for member in members:
        services.check_in(actor=leader, member=member, by_office=True)
    meeting = services.open_meeting(actor=leader, meeting=meeting)
    assert meeting.status == Meeting.Status.IN_SESSION
    return meeting


def open_motion(meeting: Meeting, leader: User, method: str) -> Motion:
    item = services.add_agenda_item(actor=leader, meeting=meeting, title=f"议题（{method}）")
    motion = services.create_motion(actor=leader, item=item, text="同意", method=method)
    # A secret ballot's two scrutineers: given their keys before anyone logged in (scene), so
    # that no session is invalidated by a password set now.
    scrutineers = ballot_helpers.scrutineers_for(motion) if method == Motion.Method.SECRET else ()
    motion = services.open_vote(actor=leader, motion=motion, scrutineers=scrutineers)
    assert motion.status == Motion.Status.OPEN
    return motion


# --- The clients --------------------------------------------------------------------------------


@dataclass
class Voter:
    user_id: int
    sessionid: str
    csrf_cookie: str = ""
    csrf_token: str = ""


@dataclass
class Shot:
    """One vote request and what became of it; times are time.monotonic()."""

    voter: Voter
    choice: str
    duplicate: bool
    sent: float = 0.0
    done: float = 0.0
    status: int = 0
    body: str = ""
    error: str = ""
    location: str = ""  # of a 302


def _request(host, port, method, path, *, body=None, headers=None, where=None):
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        if where is not None:
            where.append(response.getheader("Location", ""))
        return response.status, response.getheader("Set-Cookie", ""), response.read()
    finally:
        conn.close()


def log_in(people: list[User]) -> list[Voter]:
    """A session row for each voter, as a login leaves it (what Client.force_login writes,
    in one INSERT instead of 300 logins)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    # The first backend that reads people back, as force_login's (axes' only counts failures).
    backend = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
    )
    expires = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    voters, rows = [], []
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
        voters.append(Voter(user_id=person.pk, sessionid=key))
    Session.objects.bulk_create(rows)
    return voters


CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def fetch_csrf(host: str, port: int, voter: Voter) -> None:
    """GET the login form: its csrftoken cookie and its masked form token, as a browser gets."""
    status, set_cookie, body = _request(host, port, "GET", reverse("login"))
    assert status == 200, status
    cookie = SimpleCookie()
    cookie.load(set_cookie)
    voter.csrf_cookie = cookie["csrftoken"].value
    voter.csrf_token = CSRF_FIELD.search(body.decode()).group(1)


def fire(host: str, port: int, path_of_vote: str, shot: Shot) -> Shot:
    voter = shot.voter
    body = urlencode({"choice": shot.choice, "csrfmiddlewaretoken": voter.csrf_token})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"sessionid={voter.sessionid}; csrftoken={voter.csrf_cookie}",
        "Accept-Language": LANGUAGE,
    }
    shot.sent = time.monotonic()
    where: list[str] = []
    try:
        shot.status, _cookie, raw = _request(
            host, port, "POST", path_of_vote, body=body, headers=headers, where=where
        )
        shot.body = raw.decode("utf-8", "replace")
        shot.location = where[0] if where else ""
    except OSError as exc:  # a refused or reset connection is a failure, not a crash
        shot.error = f"{type(exc).__name__}: {exc}"
    shot.done = time.monotonic()
    return shot


@dataclass
class Close:
    """The chair closes the vote from another thread, part-way through the burst."""

    started: float = 0.0
    committed: float = 0.0  # upper bound: close_vote has returned, so its transaction committed
    error: BaseException | None = None
    thread: threading.Thread | None = field(default=None, repr=False)


def burst(live_server, motion: Motion, leader: User, voters: list[Voter]) -> tuple[list, Close]:
    """Fire one vote per voter plus DUPLICATES second votes; close the vote at half-way.

    PostgreSQL lets a new FOR SHARE lock past a FOR UPDATE that is waiting, so the close
    commits only once no vote holds the motion row; under a steady burst that is when the
    burst runs dry. The last LATE requests therefore wait until the close has committed: the
    members who press the button after the chair closed the vote.
    """
    rng = random.Random(f"{motion.pk}-{motion.method}")
    shots = [Shot(v, CHOICES[i % 3], duplicate=False) for i, v in enumerate(voters)]
    rng.shuffle(shots)
    # Each duplicate goes in after its voter's first vote, some right behind it (a real race on
    # the unique constraint), some long after, some past the close.
    for first in rng.sample(shots[: len(shots) - 10], DUPLICATES):
        at = shots.index(first) + rng.choice([1, 2, 3, rng.randint(4, 200)])
        shots.insert(min(at, len(shots)), Shot(first.voter, rng.choice(CHOICES), duplicate=True))

    url = urlsplit(live_server.url)
    host, port = url.hostname, url.port
    path_of_vote = reverse("meetings:cast_vote", kwargs={"pk": motion.pk})
    half, closed = threading.Event(), threading.Event()
    sent = Counter()
    lock = threading.Lock()
    close = Close()

    def closer() -> None:
        try:
            half.wait(timeout=TIMEOUT)
            close.started = time.monotonic()
            services.close_vote(actor=leader, motion=motion)
            close.committed = time.monotonic()
        except BaseException as exc:  # reported by the test, not lost in the thread
            close.error = exc
        finally:
            closed.set()
            connection.close()  # this thread's own database connection

    def send(index_and_shot: tuple[int, Shot]) -> Shot:
        index, shot = index_and_shot
        with lock:
            sent["n"] += 1
            if sent["n"] >= len(shots) // 2:
                half.set()
        if index >= len(shots) - LATE:
            # The pool hands out requests in order: every earlier one is sent by now.
            closed.wait(timeout=TIMEOUT)
        return fire(host, port, path_of_vote, shot)

    close.thread = threading.Thread(target=closer, name="close-vote")
    close.thread.start()
    try:
        with ThreadPoolExecutor(max_workers=THREADS) as pool:
            done = list(pool.map(send, enumerate(shots)))
    finally:
        half.set()
        close.thread.join(timeout=TIMEOUT)
    return done, close


# --- The checks ---------------------------------------------------------------------------------


def messages() -> dict[str, str]:
    with translation.override(LANGUAGE):
        return {
            "closed": gettext("This vote is closed; your vote was not counted."),
            "already": gettext("You have already voted on this motion."),
        }


def says(shot: Shot, message: str) -> bool:
    return message in shot.body or escape(message) in shot.body


def check_burst(shots: list[Shot], close: Close, counted_rows: int, voters_counted: list[int]):
    """The assertions common to both methods; return the number of accepted votes."""
    text = messages()
    assert close.error is None, f"close_vote failed: {close.error!r}"
    assert close.started and close.committed, "the close never ran"

    failed = [(s.status, s.error, s.body[:300]) for s in shots if s.status not in (302, 409)]
    assert not failed, f"{len(failed)} requests neither 302 nor 409, e.g. {failed[:3]}"

    accepted = [s for s in shots if s.status == 302]
    # A counted vote is answered with the motion's page, never elsewhere (the login page).
    elsewhere = [(s.voter.user_id, s.duplicate, s.location) for s in accepted]
    elsewhere = [e for e in elsewhere if not re.fullmatch(r"/motions/\d+/", e[2])]
    assert not elsewhere, elsewhere
    refused = [s for s in shots if s.status == 409]
    # Each 409 page carries one of the two refusals a voter can meet here.
    unexplained = [
        s.body[:300] for s in refused if not (says(s, text["closed"]) or says(s, text["already"]))
    ]
    assert not unexplained, f"409 without the message: {unexplained[:2]}"

    # A counted vote is a row, no voter twice.
    assert counted_rows == len(accepted)
    assert len(voters_counted) == len(set(voters_counted)) == len(accepted)
    assert sorted(voters_counted) == sorted(s.voter.user_id for s in accepted)

    # Votes sent after the close committed are refused as closed; none of them is counted.
    late = [s for s in shots if s.sent > close.committed]
    assert all(s.status == 409 and says(s, text["closed"]) for s in late), [
        (s.status, s.body[:200]) for s in late if s.status != 409 or not says(s, text["closed"])
    ]
    assert all(s.sent < close.committed for s in accepted)

    # Duplicates: at most one counted per voter; a second vote sent once the first was
    # answered is refused, as "already voted" when the vote was still open throughout.
    by_voter = defaultdict(list)
    for s in shots:
        by_voter[s.voter.user_id].append(s)
    for pair in (p for p in by_voter.values() if len(p) > 1):
        assert sum(s.status == 302 for s in pair) <= 1
        first, second = sorted(pair, key=lambda s: s.sent)
        if first.status == 302 and second.sent > first.done:
            assert second.status == 409
            if second.done < close.started:
                assert says(second, text["already"])
        if second.done < close.started:  # both settled while the vote was open: one counted
            assert sum(s.status == 302 for s in pair) == 1
    # A voter whose every request was answered before the close began has one vote counted.
    for pair in by_voter.values():
        if max(s.done for s in pair) < close.started:
            assert sum(s.status == 302 for s in pair) == 1

    # The race did happen: some votes were counted, some were refused as closed.
    assert accepted and late, (len(accepted), len(late))
    return len(accepted)


# --- The test -----------------------------------------------------------------------------------


def widen_backlog(live_server) -> None:
    """Django's test server listens with a backlog of 10 (gunicorn's default is 2048). THREADS
    clients connecting at once overflow it; Linux then answers with SYN cookies and now and then
    resets a connection. Listening again on the same socket sets a longer backlog in place."""
    live_server.thread.httpd.socket.listen(4 * THREADS)


@pytest.fixture
def scene(live_server):
    widen_backlog(live_server)
    day = timezone.localdate()
    body, leader = seat_300_members(day)
    meeting = meeting_in_session(body, leader)
    # The secret ballot's scrutineers get their password and ballot key before the sessions
    # are made, and before the people are read (a password set later would sign them out).
    ballot_helpers.scrutineers_in(meeting.pk)
    people = list(
        User.objects.filter(
            pk__in=ExpectedMember.objects.filter(meeting=meeting, present=True).values("person")
        ).order_by("pk")
    )
    voters = log_in(people)
    url = urlsplit(live_server.url)
    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        list(pool.map(lambda v: fetch_csrf(url.hostname, url.port, v), voters))
    return meeting, leader, voters


@pytest.mark.parametrize("method", [Motion.Method.NAMED, Motion.Method.SECRET])
def test_burst_of_votes_racing_the_close(live_server, scene, method):
    meeting, leader, voters = scene
    motion = open_motion(meeting, leader, method)

    shots, close = burst(live_server, motion, leader, voters)

    motion.refresh_from_db()
    assert motion.status == Motion.Status.CLOSED
    if method == Motion.Method.NAMED:
        counted = motion.yes + motion.no + motion.abstain
        voters_counted = list(
            NamedVote.objects.filter(motion=motion).values_list("voter_id", flat=True)
        )
        accepted = check_burst(shots, close, len(voters_counted), voters_counted)
        by_choice = Counter(
            NamedVote.objects.filter(motion=motion).values_list("choice", flat=True)
        )
        assert (motion.yes, motion.no, motion.abstain) == (
            by_choice["yes"],
            by_choice["no"],
            by_choice["abstain"],
        )
    else:
        voters_counted = list(
            BallotReceipt.objects.filter(motion=motion).values_list("voter_id", flat=True)
        )
        accepted = check_burst(shots, close, len(voters_counted), voters_counted)
        # Closed, not yet counted; then the two scrutineers count the ballots: one per
        # receipt, and the decrypted totals add up to them.
        assert motion.counted == ""
        assert Ballot.objects.filter(motion=motion).count() == len(voters_counted)
        motion = ballot_helpers.count(motion)
        assert motion.counted == Motion.Counted.CRYPTO
        assert motion.yes + motion.no + motion.abstain == len(voters_counted)
        counted = motion.yes + motion.no + motion.abstain
    # The closed count is exactly the votes accepted before the close committed.
    assert counted == accepted
