"""One Redis connection pool per process for Django's Redis cache (sessions, throttles, upload staging).

Django keeps a cache object per thread (`django.core.cache.caches`), and each RedisCache builds its own connection
pool the first time it is used. Under daphne every request runs in a thread of its own, so every request built a new
pool and opened a new connection to Redis (a TCP connect and redis-py's handshake) before its first cache read: in a
py-spy profile of the exam opening it was most of the session read. This pool class, named in the cache's OPTIONS
(`pool_class`), hands every cache object of the process the same pool for the same server and options; redis-py's
pool is thread-safe and re-creates its connections after a fork. Shared, the pool's max_connections is a limit for the
whole process, so it is a blocking pool: a request that finds every connection in use waits for one (up to `timeout`,
redis-py's default 20 s) instead of failing with "Too many connections".
"""

from __future__ import annotations

import threading

import redis


class SharedConnectionPool(redis.BlockingConnectionPool):
    _shared: dict[tuple, redis.ConnectionPool] = {}
    _lock = threading.Lock()

    @classmethod
    def from_url(cls, url: str, **kwargs) -> redis.ConnectionPool:
        key = (url, tuple(sorted((name, repr(value)) for name, value in kwargs.items())))
        with cls._lock:
            pool = cls._shared.get(key)
            if pool is None:
                pool = cls._shared[key] = super().from_url(url, **kwargs)
            return pool
