"""Fixtures for the whole suite: people of two institutions, the reference data, backend markers, and the clean-up
that keeps runs (and pytest-xdist workers) apart on a shared PostgreSQL and Redis."""

import os
import threading
from pathlib import Path

import channels.testing.application
import pytest
from django.db import close_old_connections, connection

from tests.factories import AdminFactory, InstitutionFactory, OfficerFactory, UserFactory

REPO = Path(__file__).resolve().parent.parent
# Reference data lives beside the checkout (../shared/data), never inside the project.
SHARED_DATA = Path(os.environ.get("ELEARN_SHARED_DATA", REPO.parent / "shared" / "data"))
# Small invented statutes shaped like the official texts (and messy like them: BOM, CRLF, full-width spaces, .txt).
STATUTE_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "laws"
ARTIFACTS = Path(os.environ.get("ELEARN_TEST_ARTIFACTS", REPO / "test-artifacts"))


def clear_redis_prefix() -> None:
    """Delete this run's Redis keys (channel-layer groups, leaderboard boards, cache). Test database ids repeat from
    run to run, and database tests roll back their rows but not what they cached, so a new run and every live server
    (a separate process reading the shared Redis cache) must start without them."""
    from django.conf import settings

    url = os.environ.get("REDIS_URL")
    if not url:
        return
    import redis

    client = redis.Redis.from_url(url)
    prefix = getattr(settings, "LEADERBOARD_KEY_PREFIX", "elearn-test")
    for key in client.scan_iter(match=f"*{prefix}*", count=1000):
        client.delete(key)
    client.close()


def _flushes_the_database(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return "transactional_db" in getattr(item, "fixturenames", ()) or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by flushing every table, the rows Wagtail's migrations create included (the default
    locale, the root page and collection). pytest-django runs such tests last, but pytest-xdist hands each worker
    whole files in any order, so the next test in the worker may expect those rows: put them back after the flush."""
    yield
    if nextitem is not None and _flushes_the_database(item):
        from pytest_django.plugin import blocking_manager_key

        from content.demo import ensure_page_tree

        with item.config.stash[blocking_manager_key].unblock():
            ensure_page_tree()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's test database, plus a clean end on PostgreSQL: connections opened by other threads (consumers
    run database work in executor threads) and by psycopg's pool stay open after the tests, and dropping the test
    database then waits on them or fails ("is being accessed by other users"). Close ours, end the rest."""
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        for conn in connections.all():
            if conn.vendor != "postgresql":
                continue
            with conn.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            conn.close()
            if hasattr(conn, "close_pool"):
                conn.close_pool()


def _close_outside_the_main_thread() -> None:
    if threading.current_thread() is not threading.main_thread():
        close_old_connections()


@pytest.fixture(autouse=True)
def _communicator_closes_worker_connections(monkeypatch):
    """Channels' test communicator (`channels.testing.application`) turns channels.db's close_old_connections into a
    no-op while a test awaits it, so that a test's transaction in the main thread survives. Consumers also run database
    work in worker threads of the test's event loop (thread_sensitive=False: the join and answer batches), and those
    threads end with the loop: a PostgreSQL connection left open there never goes back to psycopg's pool, and about
    twenty such tests emptied the suite's pool (PoolTimeout in whatever test came next). Close outside the main
    thread, as production does everywhere."""
    monkeypatch.setattr(channels.testing.application, "no_op", _close_outside_the_main_thread)


@pytest.fixture(scope="session", autouse=True)
def _fresh_redis_prefix():
    clear_redis_prefix()


@pytest.fixture(scope="session", autouse=True)
def _forget_what_collection_cached(django_db_setup):
    """Test modules are imported before the test database exists, and one of them loads the API schema through the
    app. Whatever that read from the real database (ContentType rows in Django's per-process cache, Wagtail's site
    root paths in the local-memory cache) must not reach the tests: on PostgreSQL the ids differ and pages break."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache

    ContentType.objects.clear_cache()
    if not os.environ.get("REDIS_URL"):
        cache.clear()  # local memory, this process only (Redis keys are cleared per run prefix above)


@pytest.fixture
def shared_data() -> Path:
    """The reference data beside the checkout. A clone without it skips these tests: the fixture statutes
    (`statute_fixtures`) cover the same code paths; these check the real texts."""
    laws = SHARED_DATA / "laws"
    if not laws.is_dir():
        pytest.skip(
            f"the official statute texts are not beside this checkout (looked in {laws}); "
            "point ELEARN_SHARED_DATA at a folder holding laws/*.md to run this test"
        )
    return SHARED_DATA


@pytest.fixture
def statute_fixtures() -> Path:
    """tests/fixtures/laws: three invented statutes for the law import (see tests/courses/test_law_import.py)."""
    return STATUTE_FIXTURES


@pytest.fixture
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def is_postgres() -> bool:
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _postgres_only(request):
    if request.node.get_closest_marker("postgres") and connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture(autouse=True)
def _reliability_only(request):
    if request.node.get_closest_marker("reliability_only") and not os.environ.get("ELEARN_RELIABILITY"):
        pytest.skip("runs under `make reliability` (ELEARN_RELIABILITY=1)")


@pytest.fixture
def inst_a(db):
    return InstitutionFactory(name="甲镇卫生院", short_name="甲院")


@pytest.fixture
def inst_b(db):
    return InstitutionFactory(name="乙镇卫生院", short_name="乙院")


@pytest.fixture
def staff_a(inst_a):
    return UserFactory(institution=inst_a)


@pytest.fixture
def staff_b(inst_b):
    return UserFactory(institution=inst_b)


@pytest.fixture
def officer_a(inst_a):
    return OfficerFactory(institution=inst_a)


@pytest.fixture
def officer_b(inst_b):
    return OfficerFactory(institution=inst_b)


@pytest.fixture
def district_admin(db):
    return AdminFactory(institution=None)


@pytest.fixture
def client_for(client):
    """client_for(user) -> a Django test client logged in as `user`."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_for():
    """api_for(user) -> a DRF APIClient authenticated as `user`."""
    from rest_framework.test import APIClient

    def make(user):
        api = APIClient()
        api.force_authenticate(user)
        return api

    return make
