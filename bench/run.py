"""Benchmark of the online vote and the meeting page: `python bench/run.py` (or `make bench`).

Recreates the PostgreSQL database infogov_bench, migrates and seeds it, serves the portal with
gunicorn on a free loopback port, and measures side by side in one run:

a) the 300 + 50 vote burst (300 first votes, 50 duplicates) on the real vote endpoint, named
   and secret, next to the same burst on a minimal view that commits one row: the CPU each
   request costs (gunicorn + PostgreSQL) and the latency;
b) req/s, as a member, of the meeting page (300 expected members) and of the two endpoints
   every phone polls while a vote is open (the quorum panel and the vote panel), next to a
   minimal view (and, for information, the same view signed in: the session and the person);
c) the query counts of those pages with 16 and with 500 expected members (in process);
d) counting 500 secret ballots (in process): verify, combine, two partial decryptions.
e) the follow-up ledger page (督办台账) of 10,000 items as an Office clerk, next to the same
   minimal GET, and the .xlsx export of all of them in a fresh process (bench/followup.py).

The targets are the portal's needs (issue #10), each against the minimal views of the same
run, since absolute rates on a shared machine mean little. It prints a table with the targets
and PASS/MISS. A MISS does not fail; errors do (a 5xx, a
refused connection, a count that does not add up): exit status 1. gunicorn is stopped on the
way out, whatever happens. Only infogov_bench is dropped (and only to be made again).

This file holds the command line and the run's order; the parts are bench/server.py (the
database, the cache, Django and gunicorn), bench/measure.py (the clients, the CPU accounting,
the bursts and GET loads, the checks, the in-process counts) and bench/report.py (the figures
and the targets table, with the targets' values).
"""

import argparse
import os
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import followup as followup_bench  # noqa: E402
from bench import loadgen  # noqa: E402
from bench.common import DB_NAME, LEDGER, PAGES, SIGNED_IN, BenchError  # noqa: E402
from bench.measure import (  # noqa: E402
    Client,
    burst_plan,
    check_count,
    check_votes,
    count_seconds,
    expect,
    fetch_csrf,
    get_load,
    measured,
    polled_pages,
    post_burst,
    query_counts,
)
from bench.report import report  # noqa: E402
from bench.server import (  # noqa: E402
    empty_cache,
    environment,
    recreate_database,
    setup_django,
    start_gunicorn,
    stop,
)
from infogov import gunicorn as gunicorn_conf  # noqa: E402


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="vote bursts of each kind (median)")
    parser.add_argument("--concurrency", type=int, default=64, help="votes in flight at once")
    parser.add_argument("--page-requests", type=int, default=2000)
    parser.add_argument("--page-concurrency", type=int, default=32)
    parser.add_argument("--page-passes", type=int, default=3, help="GET runs of each (median)")
    # gunicorn's shape: infogov/gunicorn.py, as deployed, unless given here.
    parser.add_argument("--workers", type=int, default=gunicorn_conf.workers)
    parser.add_argument("--threads", type=int, default=gunicorn_conf.threads)
    parser.add_argument(
        "--worker-class", default=gunicorn_conf.worker_class, choices=["gthread", "sync"]
    )
    parser.add_argument("--worker-connections", type=int, default=gunicorn_conf.worker_connections)
    args = parser.parse_args()
    if not (1 <= args.rounds <= 10 and 1 <= args.concurrency <= 512):
        parser.error("rounds must be 1-10 and concurrency 1-512")
    if not (1 <= args.page_requests <= 20000 and 1 <= args.page_concurrency <= 512):
        parser.error("page requests must be 1-20000 and page concurrency 1-512")
    if not 1 <= args.page_passes <= 5:
        parser.error("page passes must be 1-5")
    return args


def main() -> int:
    args = parse_args()
    secret_key = secrets.token_urlsafe(50)
    env = environment(secret_key)
    load_before = os.getloadavg()[0]
    print(
        f"infogov bench: database {DB_NAME}, {os.cpu_count()} CPUs, load {load_before:.1f}",
        flush=True,
    )
    recreate_database()
    empty_cache()
    setup_django(env)
    from django.core.management import call_command
    from django.db import connection, connections
    from django.urls import reverse

    from meetings import services

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    from bench import seed

    scene = seed.seed(args.rounds)
    keys = seed.sessions_for(scene.voters)
    clerk = followup_bench.seed_ledger()
    clerk_key = seed.sessions_for([clerk])[clerk.pk]
    pg_version = connection.cursor().connection.info.server_version
    print(f"seeded in {time.monotonic() - started:.1f}s", flush=True)
    counts = query_counts(scene)
    counting = count_seconds()
    connections.close_all()
    exported = followup_bench.export_in_subprocess(env)
    print(
        f"exported {exported['rows']} items in {exported['seconds']:.2f}s "
        f"({exported['cpu_seconds']:.2f}s CPU), peak {exported['peak_mb']:.0f} MB",
        flush=True,
    )

    results: dict[str, list[loadgen.Run]] = {"insert": [], "named": [], "secret": []}
    pages: dict[str, list[loadgen.Run]] = {
        name: [] for name in ("hello", SIGNED_IN, *PAGES, LEDGER)
    }
    server = None
    with tempfile.TemporaryDirectory(prefix="infogov-bench-") as log_dir:
        try:
            server = start_gunicorn(args, env, Path(log_dir))
            port = server.port
            clients = [Client(user_id=u.pk, sessionid=keys[u.pk]) for u in scene.voters]
            fetch_csrf(port, clients)  # also warms every worker up
            # Every voter has a page open before voting (the voting page, in a meeting): their
            # session is warm, as in every round after the first.
            signed_in = [loadgen.Request("GET", "/", headers=c.headers()) for c in clients]
            expect(measured(server, signed_in, 32), "signed-in warm-up", {200: None})
            members = [c for c in clients if c.user_id != scene.leader.pk][:32]

            for r in range(args.rounds):
                plan = burst_plan(clients, f"round-{r}")
                run = post_burst(server, "/bench/minimal/insert/", plan, args.concurrency)
                expect(run, "minimal insert burst", {302: "/bench/minimal/hello/"})
                results["insert"].append(run)
                for kind, motion in (("named", scene.named[r]), ("secret", scene.secret[r])):
                    people = scene.scrutineers if kind == "secret" else ()
                    services.open_vote(actor=scene.leader, motion=motion, scrutineers=people)
                    path = reverse("meetings:cast_vote", kwargs={"pk": motion.pk})
                    run = post_burst(server, path, plan, args.concurrency)
                    check_votes(run, motion, clients)
                    results[kind].append(run)
                    motion = services.close_vote(actor=scene.leader, motion=motion)
                    if kind == "secret":
                        check_count(motion, scene.scrutineers, len(clients))
                connections.close_all()
                print(
                    f"round {r + 1}: insert {results['insert'][-1].per_second:.0f}/s, "
                    f"named {results['named'][-1].per_second:.0f}/s, "
                    f"secret {results['secret'][-1].per_second:.0f}/s",
                    flush=True,
                )

            # While a vote is open, as in the room: the phones poll the quorum and vote panels.
            services.open_vote(actor=scene.leader, motion=scene.polled)
            connections.close_all()
            targets = {
                "hello": ("/bench/minimal/hello/", {}),
                SIGNED_IN: ("/bench/minimal/signed-in/", {}),
                **polled_pages(scene.meeting300, scene.polled),
            }
            # The ledger, as the Office clerk who keeps it.
            targets[LEDGER] = (reverse("followup:item_list"), {})
            office = [Client(user_id=clerk.pk, sessionid=clerk_key)]

            def who(name: str) -> list[Client]:
                return office if name == LEDGER else members

            for name, (path, extra) in targets.items():
                # 32 in flight: every thread of every worker opens its database connection.
                run = get_load(server, path, who(name), 200, 32, extra)
                expect(run, f"warm-up {name}", {200: None})
            for _ in range(args.page_passes):  # interleaved; the median pass of each
                for name, (path, extra) in targets.items():
                    run = get_load(
                        server, path, who(name), args.page_requests, args.page_concurrency, extra
                    )
                    expect(run, f"GET {name}", {200: None})
                    pages[name].append(run)
            page_bytes = {name: len(runs[0].results[0].body) for name, runs in pages.items()}
        finally:
            stop(server)
            log = Path(log_dir) / "gunicorn.log"
            errors = log.read_text(errors="replace") if log.exists() else ""
            server_errors = [
                line for line in errors.splitlines() if "Internal Server Error" in line
            ]
            if server_errors:
                print(f"gunicorn logged {len(server_errors)} server errors:\n" + errors[-3000:])

    if server_errors:
        raise BenchError("the server logged errors")
    report(
        args,
        server,
        pg_version,
        results,
        pages,
        counts,
        page_bytes,
        load_before,
        counting,
        exported,
    )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench error: {exc}", file=sys.stderr)
        sys.exit(1)
