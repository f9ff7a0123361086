"""Scratch databases for benchmarks: a PostgreSQL database dropped and re-created, so every run starts empty."""

import urllib.parse


def recreate_postgres(url: str) -> None:
    """Drop (closing other sessions) and re-create the database named in `url`, connecting to `postgres`."""
    import psycopg

    parsed = urllib.parse.urlparse(url)
    name = parsed.path.lstrip("/")
    admin_url = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
