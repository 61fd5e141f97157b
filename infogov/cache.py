"""Django's Redis cache with one redis-py client per connection pool instead of one per call.

django.core.cache.backends.redis builds a new ``redis.Redis`` for every cache operation, and
each one fills its table of some 200 response callbacks: measured here, that was the largest
single cost of reading a session and the meeting page's fragments. A client over a connection
pool may be shared (redis-py's clients are thread-safe), so one per pool is kept.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class _PooledClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class PooledRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _PooledClient
