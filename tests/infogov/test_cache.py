"""The cache and the session store: per process by default, shared through Redis when
REDIS_URL is set (infogov/settings.py), with one redis-py client per pool (infogov/cache.py)."""

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis

from infogov.cache import PooledRedisCache

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
        "BACKEND": "infogov.cache.PooledRedisCache",
        "LOCATION": LOCAL_REDIS,
        "KEY_PREFIX": "infogov",
    }
    assert found["sessions"] == "django.contrib.sessions.backends.cached_db"


@pytest.fixture
def redis_cache():
    try:
        redis.Redis.from_url(LOCAL_REDIS, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {LOCAL_REDIS}")
    # A prefix of its own: the database may be another test run's too, so no clear().
    return PooledRedisCache(LOCAL_REDIS, {"KEY_PREFIX": f"infogov-test-{uuid.uuid4().hex}"})


def test_the_pooled_cache_works_as_djangos_with_one_client(redis_cache):
    redis_cache.set("fragments", {"head": "<h1>会议</h1>"}, 30)
    try:
        assert redis_cache.get("fragments") == {"head": "<h1>会议</h1>"}
        assert redis_cache.get_many(["fragments", "missing"]) == {
            "fragments": {"head": "<h1>会议</h1>"}
        }
        assert redis_cache.get("missing", "default") == "default"
        assert redis_cache.add("counter", 0, 30) is True
        assert redis_cache.incr("counter") == 1
    finally:
        redis_cache.delete_many(["fragments", "counter"])
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client() is client
    assert redis_cache._cache.get_client(write=True) is client  # one server: one pool
