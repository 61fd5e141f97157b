"""What the bench measures and checks: the signed-in clients, the CPU each request costs, the
vote bursts and GET loads, the answers and counts checked, the ballots counted and the queries
counted in process."""

import os
import random
import time
from dataclasses import dataclass

from bench import loadgen
from bench.common import DUPLICATES, HOST, LANGUAGE, BenchError
from bench.server import Server

# --- The clients --------------------------------------------------------------------------------


@dataclass
class Client:
    user_id: int
    sessionid: str
    csrf_cookie: str = ""
    csrf_token: str = ""

    def headers(self) -> dict[str, str]:
        return {
            "Cookie": f"sessionid={self.sessionid}; csrftoken={self.csrf_cookie}",
            "Accept-Language": LANGUAGE,
        }


def fetch_csrf(port: int, clients: list[Client]) -> None:
    """GET the login form once per client, as a browser would, for its CSRF cookie and token."""
    import re

    field = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
    requests = [loadgen.Request("GET", "/login/", tag=c) for c in clients]
    run = loadgen.run(HOST, port, requests, concurrency=16)
    for result in run.results:
        match = field.search(result.body)
        cookie = result.cookies().get("csrftoken")
        if result.status != 200 or not match or not cookie:
            raise BenchError(f"no CSRF token from /login/: {result.status} {result.error}")
        result.request.tag.csrf_cookie = cookie
        result.request.tag.csrf_token = match.group(1).decode()


def burst_plan(clients: list[Client], seed: str) -> list[tuple[Client, str]]:
    """300 first votes in random order, 50 duplicates each somewhere after its first."""
    rng = random.Random(seed)
    plan = [(c, ("yes", "no", "abstain")[i % 3]) for i, c in enumerate(clients)]
    rng.shuffle(plan)
    for client, _choice in rng.sample(plan[:-10], DUPLICATES):
        at = next(i for i, (c, _) in enumerate(plan) if c is client) + rng.randint(1, 200)
        plan.insert(min(at, len(plan)), (client, rng.choice(("yes", "no", "abstain"))))
    return plan


# --- Where the CPU goes -------------------------------------------------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(server_pid: int) -> dict[int, tuple[str, float]]:
    """CPU time so far of each process, by group: the gunicorn master and workers ("app"),
    PostgreSQL's processes ("db"), this process, the load client ("client"), and the rest
    ("others")."""
    seen = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as f:
                raw = f.read()
        except OSError:
            continue  # gone meanwhile
        pid = int(entry.name)
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        ppid, used = int(fields[1]), (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        if server_pid in (pid, ppid):
            group = "app"
        elif comm == "postgres":
            group = "db"
        elif pid == os.getpid():
            group = "client"
        else:
            group = "others"
        seen[pid] = (group, used)
    return seen


def measured(server: "Server", requests: list[loadgen.Request], concurrency: int) -> loadgen.Run:
    """Run ``requests`` and note the CPU milliseconds each cost, and how busy others were.
    A process that ends meanwhile is not counted; one that starts is counted whole."""
    before = cpu_seconds(server.process.pid)
    run = loadgen.run(HOST, server.port, requests, concurrency=concurrency)
    after = cpu_seconds(server.process.pid)
    used = dict.fromkeys(("app", "db", "client", "others"), 0.0)
    for pid, (group, total) in after.items():
        used[group] += total - before.get(pid, (group, 0.0))[1]
    n = len(requests)
    run.cpu = {key: used[key] * 1000 / n for key in ("app", "db", "client")}
    run.cpu["others_share"] = used["others"] / (run.wall * (os.cpu_count() or 1))
    return run


def post_burst(server: Server, path: str, plan, concurrency: int) -> loadgen.Run:
    requests = [
        loadgen.Request(
            "POST",
            path,
            headers=client.headers(),
            form={"choice": choice, "csrfmiddlewaretoken": client.csrf_token},
            tag=client,
        )
        for client, choice in plan
    ]
    return measured(server, requests, concurrency)


def get_load(
    server: Server,
    path: str,
    clients: list[Client],
    n: int,
    concurrency: int,
    extra: dict[str, str] | None = None,
):
    requests = [
        loadgen.Request(
            "GET", path, headers={**clients[i % len(clients)].headers(), **(extra or {})}
        )
        for i in range(n)
    ]
    return measured(server, requests, concurrency)


# --- Checks -------------------------------------------------------------------------------------


def expect(run: loadgen.Run, what: str, allowed: dict[int, str | None]) -> None:
    """Every answer has an allowed status (and, for a redirect, the expected target)."""
    bad = []
    for r in run.results:
        if r.error or r.status not in allowed:
            bad.append(f"{r.status or r.error}")
        elif allowed[r.status] and not r.header("location").endswith(allowed[r.status]):
            bad.append(f"{r.status} -> {r.header('location')}")
    if bad:
        raise BenchError(f"{what}: {len(bad)} unexpected answers, e.g. {bad[:5]}")


def check_votes(run: loadgen.Run, motion, clients: list[Client]) -> None:
    """The motion stayed open: each voter counted exactly once, every duplicate refused."""
    from django.utils import translation
    from django.utils.html import escape
    from django.utils.translation import gettext

    from meetings.ballots.models import Ballot
    from meetings.models import BallotReceipt, Motion, NamedVote

    with translation.override(LANGUAGE):
        already = gettext("You have already voted on this motion.")
    expect(run, f"vote burst on motion {motion.pk}", {302: f"/motions/{motion.pk}/", 409: None})
    refused = [r for r in run.results if r.status == 409]
    if any(
        already.encode() not in r.body and escape(already).encode() not in r.body for r in refused
    ):
        raise BenchError("a 409 page without the 'already voted' message")
    counted = sorted(r.request.tag.user_id for r in run.results if r.status == 302)
    if motion.method == Motion.Method.NAMED:
        rows = sorted(NamedVote.objects.filter(motion=motion).values_list("voter_id", flat=True))
        tally = len(rows)
    else:
        rows = sorted(
            BallotReceipt.objects.filter(motion=motion).values_list("voter_id", flat=True)
        )
        tally = Ballot.objects.filter(motion=motion).count()
    if not (counted == rows == sorted(c.user_id for c in clients) and tally == len(rows)):
        raise BenchError(
            f"motion {motion.pk}: {len(counted)} accepted, {len(rows)} rows, tally {tally}"
        )


def check_count(motion, scrutineers, voters: int) -> None:
    """The two scrutineers count the burst's secret ballot: the totals add up to the voters."""
    from bench.seed import SCRUTINEER_PASSWORD
    from meetings import services
    from meetings.ballots.services import verify

    for person in scrutineers:
        motion = services.count_secret(actor=person, motion=motion, password=SCRUTINEER_PASSWORD)
    motion.refresh_from_db()
    if motion.yes + motion.no + motion.abstain != voters or verify(motion):
        raise BenchError(f"secret ballot {motion.pk}: the count does not check")


def count_seconds(n: int = 500, repeat: int = 3) -> float:
    """In process, the median CPU time (this process's: the machine is shared) to count ``n``
    ballots as the count does it: verify every ballot's proofs, combine them, two partial
    decryptions with their proofs checked, the totals' small discrete logs (meetings.ballots;
    the ballots are made beforehand)."""
    from meetings.ballots import crypto, proofs, shares

    times = []
    for _ in range(repeat):
        split = shares.split(2)
        choices = [random.randrange(3) for _ in range(n)]
        box = [proofs.make_ballot(c, 3, split.public_key, 1) for c in choices]
        start = time.process_time()
        assert all(proofs.verify_ballot(b, split.public_key, 1) for b in box)
        sums = [crypto.combine(b.ciphertexts[j] for b in box) for j in range(3)]
        totals = []
        for j, ct in enumerate(sums):
            partials = {}
            for i in (1, 2):
                share, commitment = split.shares[i - 1], split.commitments[i - 1]
                d, proof = proofs.partial_decrypt(share, commitment, ct.a, 1, i, j)
                assert proofs.verify_partial(d, proof, commitment, ct.a, 1, i, j)
                partials[i] = d
            totals.append(crypto.small_log(crypto.sub(ct.b, shares.interpolate(partials)), n))
        times.append(time.process_time() - start)
        if totals != [choices.count(j) for j in range(3)]:
            raise BenchError("counting 500 ballots: the totals do not match")
    return sorted(times)[len(times) // 2]


# --- (c) Query counts ---------------------------------------------------------------------------

# The vote panel is the voting page as htmx polls it: only its panel comes back.
VOTE_PANEL_HEADERS = {"HX-Request": "true", "HX-Target": "vote-panel"}


def polled_pages(meeting, motion) -> dict[str, tuple[str, dict[str, str]]]:
    """The pages measured, by name: (path, extra headers). The quorum panel as htmx polls it:
    with the revision of the page it was rendered in (the Office's table comes back only
    when the meeting has changed since)."""
    from django.urls import reverse

    meeting.refresh_from_db(fields=["revision"])
    quorum = reverse("meetings:quorum_panel", kwargs={"pk": meeting.pk})
    return {
        "meeting page": (reverse("meetings:meeting_detail", kwargs={"pk": meeting.pk}), {}),
        "quorum panel": (f"{quorum}?revision={meeting.revision}", {}),
        "vote panel": (motion.get_absolute_url(), VOTE_PANEL_HEADERS),
    }


def query_counts(scene) -> dict[str, dict[int, int]]:
    """Queries of each measured page as a member and as the chair, with 16 and 500 expected
    members (a named vote open in each meeting): with nothing cached ("cold": the person's
    permissions are read) and a later view."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    from bench import seed
    from members.models import User

    member = User.objects.get(username="yanzushu")  # a plain member, expected in every meeting
    counts: dict[str, dict[int, int]] = {}
    for role, person in (("member", member), ("chair", scene.leader)):
        client = DjangoClient(HTTP_HOST=HOST, HTTP_ACCEPT_LANGUAGE=LANGUAGE)
        client.force_login(person, backend=seed.login_backend())
        for meeting, motion in ((scene.meeting16, scene.open16), (scene.meeting500, scene.open500)):
            size = meeting.expected_members.count()
            for page, (url, headers) in polled_pages(meeting, motion).items():
                client.get(url, headers=headers)  # the first request of a process loads more
                for state in ("cold", "later"):
                    if state == "cold":
                        cache.clear()
                    with CaptureQueriesContext(connection) as ctx:
                        response = client.get(url, headers=headers)
                    if response.status_code != 200:
                        raise BenchError(
                            f"{page} answered {response.status_code} in process "
                            f"({response.get('Location', '')})"
                        )
                    counts.setdefault(f"{page}, {role}, {state}", {})[size] = len(
                        ctx.captured_queries
                    )
    return counts
