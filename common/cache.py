"""Django's Redis cache (REDIS_URL), keeping one client per connection pool (Django's builds a
redis.Redis for every operation, about 0.1 ms each), and counting a throttle's window in one round
trip; window_count() counts in any other cache."""

import time

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

    def window_count(self, key: str, period: int) -> tuple[int, float]:
        key = self.make_and_validate_key(key)
        with self._cache.get_client(key, write=True).pipeline(transaction=False) as pipe:
            pipe.set(key, 0, ex=period, nx=True).incr(key).pttl(key)
            _, hits, left = pipe.execute()
        return hits, left / 1000


def window_count(cache, key: str, period: int, *, now: float | None = None) -> tuple[int, float]:
    """Counts a hit under `key` in a window of `period` seconds opened by the first hit: the hits
    in the window so far, this one included, and the seconds it has left. `now` for a clock of the
    caller's; Redis keeps its own."""
    if callable(getattr(cache, "window_count", None)):  # ours, behind django.core.cache.cache too
        return cache.window_count(key, period)
    now = time.time() if now is None else now
    start, hits = cache.get(key) or (now, 0)
    if now - start >= period:
        start, hits = now, 0
    left = start + period - now
    cache.set(key, (start, hits + 1), left)
    return hits + 1, left
