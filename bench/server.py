"""Where the bench runs: its PostgreSQL database and Redis emptied, Django set up in this
process, and gunicorn started and stopped on a free loopback port."""

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench import loadgen
from bench.common import DB_NAME, HOST, PG_SERVER, REDIS_URL, BenchError

ROOT = Path(__file__).resolve().parent.parent


# --- Database and Django ------------------------------------------------------------------------


def recreate_database() -> None:
    from urllib.parse import urlsplit

    import psycopg

    if urlsplit(PG_SERVER).hostname not in loadgen.LOOPBACK:
        raise BenchError(f"the bench uses a PostgreSQL on this machine only, not {PG_SERVER}")
    if not DB_NAME.isidentifier() or not DB_NAME.islower():
        raise BenchError(f"not a plain database name: {DB_NAME!r}")

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")


def empty_cache() -> None:
    from urllib.parse import urlsplit

    import redis

    if urlsplit(REDIS_URL).hostname not in loadgen.LOOPBACK:
        raise BenchError(f"the bench uses a Redis on this machine only, not {REDIS_URL}")
    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.RedisError as exc:
        raise BenchError(f"Redis at {REDIS_URL} is not reachable: {exc}") from exc


def environment(secret_key: str) -> dict[str, str]:
    """What gunicorn and this process run with (the same secret: sessions are signed)."""
    return {
        "DATABASE_URL": f"{PG_SERVER}/{DB_NAME}",
        "DATABASE_CONN_MAX_AGE": "60",
        "REDIS_URL": REDIS_URL,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secret_key,
        "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "INFOGOV_DEV": "0",
    }


def setup_django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django

    django.setup()


# --- gunicorn -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    port: int
    command: list[str]
    log: Path


def start_gunicorn(args, env: dict[str, str], log_dir: Path) -> Server:
    """Serve infogov.wsgi with gunicorn on a free loopback port, with the deployed settings
    (infogov/gunicorn.py: gthread, 2 x cores + 1 workers x 4 threads, see there why) unless
    --worker-class/--workers/--threads/--worker-connections try another shape."""
    port = free_port()
    log = log_dir / "gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "infogov.wsgi:application",
        "--config",
        "python:infogov.gunicorn",
        "--bind",
        f"{HOST}:{port}",
        "--chdir",
        str(ROOT),
        "--worker-class",
        args.worker_class,
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--worker-connections",
        str(args.worker_connections),
        "--graceful-timeout",
        "5",
        "--log-level",
        "warning",
        "--error-logfile",
        str(log),
    ]
    with log.open("ab") as out:  # the workers' own stderr (Django's log) goes there too
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(process, port, command, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with {process.returncode}; see {log}")
        run = loadgen.run(HOST, port, [loadgen.Request("GET", "/healthz")], concurrency=1)
        if run.results[0].status == 200:
            return server
        time.sleep(0.3)
    raise BenchError("gunicorn did not answer /healthz within 60 s")


def stop(server: Server | None) -> None:
    if server is None or server.process.poll() is not None:
        return
    server.process.send_signal(signal.SIGTERM)  # the master stops its workers
    try:
        server.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)
