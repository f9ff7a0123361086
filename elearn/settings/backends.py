"""The one place that turns environment variables into backend settings.

No variables: embedded SQLite (WAL, IMMEDIATE transactions, connections kept per thread for SQLITE_CONN_MAX_AGE
seconds, default 600), in-memory channel layer, local-memory cache.
DATABASE_URL: PostgreSQL through psycopg's pool with CONN_MAX_AGE=0 (persistent connections under ASGI
exhausted PostgreSQL under 50 concurrent requests; the pool served about 5x more). CONN_HEALTH_CHECKS makes Django
give the pool `check=ConnectionPool.check_connection`: after PostgreSQL restarts, the pool's idle connections are
dead, and without the check each would be handed to a request that then fails (tests/reliability/test_exam_faults.py).
REDIS_URL: channels-redis and the Redis cache. redis-py 8 defaults (5 s socket timeout, 100-connection pool)
make channels-redis time out and fail with "Too many connections", so both are set explicitly.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured


def database(base_dir: Path, test_suffix: str | None = None) -> dict:
    """DATABASE_URL as dj-database-url documents it: postgres://... (the scale-out engine) or sqlite:///path (the
    embedded engine, at that path). Unset: SQLite at $SQLITE_PATH or db.sqlite3 in the project."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return _sqlite(os.environ.get("SQLITE_PATH", str(base_dir / "db.sqlite3")))
    try:
        db = dj_database_url.parse(url, conn_max_age=0, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"DATABASE_URL is not a database URL ({exc}).") from exc
    engine = db.get("ENGINE", "")
    if engine.endswith("sqlite3"):
        if not db.get("NAME") or db["NAME"] == ":memory:":
            raise ImproperlyConfigured(
                "DATABASE_URL=sqlite:///... needs a file path (sqlite:////absolute/path.sqlite3): the live server "
                "and background workers must share the database."
            )
        return _sqlite(db["NAME"])
    if not engine.endswith("postgresql"):
        raise ImproperlyConfigured(
            f"DATABASE_URL names the engine {engine or '?'}; elearn runs on PostgreSQL (postgres://user@host/db) or "
            "SQLite (sqlite:////path/to/db.sqlite3)."
        )
    options = db.setdefault("OPTIONS", {})
    options["pool"] = {
        "min_size": int(os.environ.get("DB_POOL_MIN", "2")),
        "max_size": int(os.environ.get("DB_POOL_MAX", "20")),
        "timeout": float(os.environ.get("DB_POOL_TIMEOUT", "10")),
    }
    if test_suffix:
        db["TEST"] = {"NAME": f"test_elearn_{test_suffix}"}
    return db


def _sqlite(path: str) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        # Kept open by each thread (the sync thread and the WebSocket consumers' pool: a few per process) instead of
        # one new connection per request: opening one (Django's SQL functions, the PRAGMAs, the WAL check) was a third
        # of a join storm's CPU. SQLite has no server to exhaust, which is why Django's advice against persistent
        # connections under ASGI (use the backend's pool, as PostgreSQL does here) does not apply to it.
        "CONN_MAX_AGE": int(os.environ.get("SQLITE_CONN_MAX_AGE", "600")),
        "OPTIONS": {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        },
    }


def redis_url() -> str:
    return os.environ.get("REDIS_URL", "").strip()


def channel_layers(prefix: str = "elearn") -> dict:
    url = redis_url()
    if not url:
        return {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 1000}}}
    return {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [
                    {
                        "address": url,
                        "socket_timeout": None,
                        "max_connections": int(os.environ.get("REDIS_MAX_CONNECTIONS", "1000")),
                    }
                ],
                "prefix": prefix,
                "capacity": 1500,
                "expiry": 60,
            },
        }
    }


def caches(prefix: str = "elearn") -> dict:
    url = redis_url()
    if not url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": prefix}}
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": prefix,
            # One pool per process, not one per thread (elearn/redis_pool.py): daphne serves each request in a thread.
            "OPTIONS": {
                "socket_timeout": 5,
                "max_connections": 200,
                "pool_class": "elearn.redis_pool.SharedConnectionPool",
            },
        }
    }


def describe() -> str:
    db = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    layer = "redis" if redis_url() else "in-memory"
    return f"database={db} channel-layer={layer}"
