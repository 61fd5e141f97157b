"""infogov/gunicorn.py, the settings deployments and make bench run gunicorn with."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import infogov.gunicorn

ROOT = Path(__file__).resolve().parents[2]
CHECK = ["gunicorn", "--check-config", "--config", "python:infogov.gunicorn", "infogov.wsgi"]


def test_gunicorn_accepts_the_settings_and_loads_the_app():
    result = subprocess.run(
        [sys.executable, "-m", *CHECK],
        cwd=ROOT,
        env=os.environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_two_workers_a_core_and_one_more_unless_web_concurrency_says(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    conf = importlib.reload(infogov.gunicorn)
    assert (conf.worker_class, conf.workers, conf.threads) == ("gthread", 5, 4)
    assert conf.worker_connections > conf.threads  # a short queue in each worker, not none

    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert importlib.reload(infogov.gunicorn).workers == 3
    monkeypatch.undo()
    importlib.reload(infogov.gunicorn)
