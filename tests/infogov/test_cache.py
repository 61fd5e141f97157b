"""The cache and the session store: per process by default, shared through Redis when
REDIS_URL is set (infogov/settings.py)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCAL_REDIS = "redis://127.0.0.1:6379/13"


def settings_with(env: dict[str, str]) -> dict:
    """CACHES and SESSION_ENGINE as infogov.settings computes them under ``env``."""
    code = (
        "import json, infogov.settings as s;"
        "print(json.dumps({'caches': s.CACHES, 'sessions': getattr(s, 'SESSION_ENGINE', None)}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SECRET_KEY": "test", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def test_without_redis_each_process_caches_and_sessions_stay_in_the_database():
    found = settings_with({})

    assert found["caches"]["default"]["BACKEND"].endswith("LocMemCache")
    assert found["sessions"] is None  # Django's default: the database


def test_with_redis_the_cache_is_shared_and_sessions_are_read_from_it():
    found = settings_with({"REDIS_URL": LOCAL_REDIS})

    assert found["caches"]["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": LOCAL_REDIS,
        "KEY_PREFIX": "infogov",
    }
    assert found["sessions"] == "django.contrib.sessions.backends.cached_db"
