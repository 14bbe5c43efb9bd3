"""Django's Redis cache (REDIS_URL), keeping one client per connection pool: Django's builds a
redis.Redis for every operation (about 0.1 ms each), and every API request makes three (its
caller, its throttle's read and write)."""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        # redis.Redis is safe to share between threads: its connections come from the pool.
        if id(pool) not in self._clients:
            self._clients[id(pool)] = self._client(connection_pool=pool)
        return self._clients[id(pool)]


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
