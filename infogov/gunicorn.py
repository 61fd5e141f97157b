"""gunicorn's settings for infogov: ``gunicorn -c python:infogov.gunicorn infogov.wsgi``.

They are the settings ``make bench`` measures (bench/run.py starts gunicorn with this module),
so the figures in its report are what a deployment gets. The command line, ``GUNICORN_CMD_ARGS``
and ``WEB_CONCURRENCY`` (the number of worker processes) override them.

Threaded workers, two per core and one more: the portal spends much of a request waiting on
PostgreSQL (a vote waits for its commit and, in a secret ballot, for the counters' row locks),
so each process runs 4 requests at once, and 2 x cores + 1 processes keep every core busy in
spite of the GIL. Sync workers measured no better and wait on the database a whole process at
a time. Each thread keeps its own database connection (``DATABASE_CONN_MAX_AGE``): workers x
threads connections, 20 on 2 cores, which PostgreSQL's default limit of 100 leaves room for;
on a large machine set ``WEB_CONCURRENCY`` so that the product stays within it.
"""

import os
from pathlib import Path

_cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (_cores or 1) + 1)
threads = 4
# A connection accepted by a busy worker waits in that worker's queue while another worker may
# be idle; a short queue leaves the rest in the listen backlog for the next free worker. In
# make bench this cut the vote burst's p99 by a quarter to a third (named 250-290 ms against
# 410-430 ms with gunicorn's default of 1000). An idle keep-alive connection holds a place
# too: behind the TLS proxy, which opens a connection per request (nginx's default), none
# does; with a proxy that keeps upstream connections alive, raise this to its pool size.
worker_connections = 2 * threads
backlog = 2048
# The workers' heartbeat files in memory, not on a disk that may stall (gunicorn's advice).
# (bandit B108: gunicorn writes only its heartbeat files there, which hold nothing secret.)
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None  # nosec B108
# Load Django once in the master; the workers share its memory. Django opens no connection
# at import, so none is shared across the fork.
preload_app = True
