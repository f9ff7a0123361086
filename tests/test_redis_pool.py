"""Django keeps a cache object per thread and daphne serves each request in a thread of its own: without a shared pool
every request opened a new connection to Redis before its first cache read (elearn/redis_pool.py)."""

import os
import threading

import pytest
import redis
from django.core.cache import caches

from elearn.redis_pool import SharedConnectionPool

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (set REDIS_URL)")


def test_cache_objects_of_different_threads_share_one_pool_and_its_connections():
    caches["default"].set("pool-probe", "x", 30)
    pools, values = [], []

    def request_thread():  # as daphne runs a request: a new thread, a fresh cache object
        cache = caches["default"]
        values.append(cache.get("pool-probe"))
        pools.append(cache._cache._get_connection_pool(write=False))

    for _ in range(20):  # one request after another, each in its own thread
        thread = threading.Thread(target=request_thread)
        thread.start()
        thread.join()
    assert values == ["x"] * 20
    assert len({id(pool) for pool in pools}) == 1
    assert len(pools[0]._connections) == 1, "one connection, reused, not one per request"


def test_different_servers_or_options_get_their_own_pool():
    url = os.environ["REDIS_URL"]
    first = SharedConnectionPool.from_url(url, socket_timeout=5)
    assert SharedConnectionPool.from_url(url, socket_timeout=5) is first
    assert SharedConnectionPool.from_url(url, socket_timeout=6) is not first
    assert isinstance(first, redis.ConnectionPool)


def test_a_busy_pool_makes_a_request_wait_for_a_connection_not_fail():
    pool = SharedConnectionPool.from_url(os.environ["REDIS_URL"], max_connections=1, socket_timeout=7)
    held = pool.get_connection()
    got = []

    def request_thread():
        connection = pool.get_connection()
        got.append(connection)
        pool.release(connection)

    thread = threading.Thread(target=request_thread)
    thread.start()
    thread.join(0.3)
    assert got == [] and thread.is_alive(), "waits while the only connection is in use"
    pool.release(held)
    thread.join(5)
    assert got == [held]
