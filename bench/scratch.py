"""Scratch databases for benchmarks: a PostgreSQL database dropped and re-created, so every run starts empty."""

import os
import tempfile
import urllib.parse
from pathlib import Path


def recreate_postgres(url: str) -> None:
    """Drop (closing other sessions) and re-create the database named in `url`, connecting to `postgres`."""
    import psycopg

    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django_on_scratch_database(db_url: str | None, sqlite_name: str, sqlite_path: str | None = None) -> None:
    """Django set up in this process, without Redis (elearn.settings.dev unless DJANGO_SETTINGS_MODULE says
    otherwise), on a migrated scratch database: the PostgreSQL one at `db_url`, dropped and re-created; without it
    the SQLite file `sqlite_path`, by default a new file named `sqlite_name` in a temporary directory."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elearn.settings.dev")
    os.environ.pop("REDIS_URL", None)
    if db_url:
        os.environ["DATABASE_URL"] = db_url
        recreate_postgres(db_url)
    else:
        os.environ.pop("DATABASE_URL", None)
        os.environ["SQLITE_PATH"] = sqlite_path or str(Path(tempfile.mkdtemp()) / sqlite_name)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
