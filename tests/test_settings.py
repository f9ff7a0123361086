"""Backends come from the environment; production settings refuse to start unsafely."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from elearn.settings import backends

REPO = Path(__file__).resolve().parent.parent


def test_embedded_default(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)
    db = backends.database(tmp_path)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["OPTIONS"]["transaction_mode"] == "IMMEDIATE" and "journal_mode=WAL" in db["OPTIONS"]["init_command"]
    assert db["OPTIONS"]["timeout"] >= 5
    # connections kept per thread (opening one was a third of a join storm's CPU); SQLITE_CONN_MAX_AGE=0 turns it off
    assert db["CONN_MAX_AGE"] == 600
    monkeypatch.setenv("SQLITE_CONN_MAX_AGE", "0")
    assert backends.database(tmp_path)["CONN_MAX_AGE"] == 0
    assert backends.channel_layers()["default"]["BACKEND"] == "channels.layers.InMemoryChannelLayer"
    assert backends.caches()["default"]["BACKEND"].endswith("LocMemCache")


def test_scale_out_backends(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example:5432/elearn")
    monkeypatch.setenv("REDIS_URL", "redis://cache.example:6379/0")
    db = backends.database(tmp_path)
    assert db["ENGINE"] == "django.db.backends.postgresql" and db["NAME"] == "elearn"
    # Persistent connections exhausted PostgreSQL under ASGI: no CONN_MAX_AGE, psycopg's pool instead.
    assert db["CONN_MAX_AGE"] == 0 and db["OPTIONS"]["pool"]["max_size"] >= 10
    host = backends.channel_layers()["default"]["CONFIG"]["hosts"][0]
    # redis-py 8 defaults (5 s socket timeout, 100 connections) break channels-redis (channels_redis#422).
    assert host["address"] == "redis://cache.example:6379/0"
    assert host["socket_timeout"] is None and host["max_connections"] >= 1000
    assert backends.caches()["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_sqlite_database_url_is_the_embedded_engine_at_that_path(monkeypatch, tmp_path):
    """DATABASE_URL=sqlite:///path (dj-database-url's form) is the embedded engine with its settings, not a pool."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/elearn.sqlite3")
    db = backends.database(tmp_path / "unused")
    assert db["ENGINE"] == "django.db.backends.sqlite3" and db["NAME"] == f"{tmp_path}/elearn.sqlite3"
    assert "pool" not in db["OPTIONS"] and db["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.parametrize(
    ("url", "says"),
    [("mysql://root@localhost/elearn", "PostgreSQL"), ("sqlite://", "file path"), ("nonsense", "not a database URL")],
)
def test_an_unsupported_database_url_is_a_clear_error(monkeypatch, tmp_path, url, says):
    from django.core.exceptions import ImproperlyConfigured

    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ImproperlyConfigured, match=says):
        backends.database(tmp_path)


@pytest.mark.slow
def test_migrate_runs_with_a_sqlite_database_url(tmp_path):
    """It used to crash: TypeError: 'pool' is an invalid keyword argument for Connection()."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update({"DJANGO_SETTINGS_MODULE": "elearn.settings.dev", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"})
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=REPO, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert (tmp_path / "db.sqlite3").stat().st_size > 0


def _run_production(env_extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update({"DJANGO_SETTINGS_MODULE": "elearn.settings.production", **env_extra})
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_production_refuses_to_start_without_secret_key():
    result = _run_production({"DJANGO_ALLOWED_HOSTS": "elearn.example"})
    assert result.returncode != 0 and "DJANGO_SECRET_KEY must be set" in result.stderr


@pytest.mark.slow
def test_production_check_deploy_is_clean_and_warns_about_in_memory_layer():
    result = _run_production(
        {
            "DJANGO_SECRET_KEY": "x" * 64 + "-not-a-real-key-but-long-and-random-enough",
            "DJANGO_ALLOWED_HOSTS": "elearn.example",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (result.stdout + result.stderr).count("in-memory channel layer is active") == 1
