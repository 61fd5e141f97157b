"""Django's Redis cache with one redis-py client per connection pool, instead of one per call.

django.core.cache.backends.redis makes a new ``redis.Redis`` for every operation, and each
one fills its table of some 170 response callbacks: 45 µs of CPU, about as much as the read
itself (measured here: 114 µs a read, 46 of them making the client). The polled quorum panel
reads the cache four times (the session, the person's permissions, the panel, the open votes)
and the meeting page as often. Django's client leaves room for this (its ``get_client`` takes
the key, for a subclass that picks a server); redis-py's clients are thread-safe, so the one
client of a pool serves every thread of the process.
"""

from collections.abc import Callable
from typing import Any

import redis
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.connection import ConnectionPool


class PooledRedisCacheClient(RedisCacheClient):
    # Django's own attributes, which django-stubs do not declare.
    _client: type[redis.Redis]
    _get_connection_pool: Callable[[bool], ConnectionPool]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, redis.Redis] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> redis.Redis:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class PooledRedisCache(RedisCache):
    """RedisCache whose client keeps one redis-py client per connection pool."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = PooledRedisCacheClient
