"""What the parts of the bench share: where it runs, what it measures by name, BenchError."""

import os

# The pages measured under load next to the minimal GET (bench/measure.py polled_pages).
PAGES = ("meeting page", "quorum panel", "vote panel")
PG_SERVER = os.environ.get("BENCH_PG_SERVER", "postgres://postgres@127.0.0.1:5432")
# The shared cache and session store of a production deployment (infogov/settings.py); the
# bench empties this one Redis database before it starts.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
# Dropped and made again on every run.
DB_NAME = os.environ.get("BENCH_DB_NAME", "infogov_bench")
HOST = "127.0.0.1"
LANGUAGE = "zh-hans"
DUPLICATES = 50
LEDGER = "followup ledger"
# The minimal GET of a signed-in person (bench/minimal.py signed_in): for information.
SIGNED_IN = "signed-in minimal"


class BenchError(Exception):
    """Something that makes the figures meaningless: exit 1."""
