"""The database-unavailable rule (elearn/api_errors.py): 503 + Retry-After, the API's JSON error shape on the API and
for JSON clients, a short page elsewhere; any other error stays a 500. Exercised through the real URL stack:
an API view that raises (DRF's handler), and a session that cannot be loaded (raised in middleware, before any view:
the site's handler500), which is where a request first touches the database when PostgreSQL is down.

The live version (PostgreSQL restarted under load) is tests/reliability/test_exam_faults.py.
"""

from unittest import mock

import psycopg_pool
import pytest
from django.db import InterfaceError, OperationalError
from django.db.backends.postgresql.base import DatabaseWrapper
from django.test import Client
from psycopg_pool import ConnectionPool

from elearn.settings import backends

pytestmark = pytest.mark.django_db

SESSION_LOAD = "django.contrib.sessions.backends.db.SessionStore.load"


def assert_json_503(res):
    assert res.status_code == 503, res.content[:300]
    assert res["Content-Type"].startswith("application/json")
    assert res["Retry-After"] == "5"
    body = res.json()
    assert set(body) == {"error", "detail"} and body["error"] == "database_unavailable" and body["detail"]


@pytest.fixture
def logged_in(staff_a):
    client = Client(raise_request_exception=False)  # as a server does: answer, do not re-raise
    client.force_login(staff_a)
    return client


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("terminating connection due to administrator command"),
        InterfaceError("connection already closed"),
        psycopg_pool.PoolTimeout("couldn't get a connection after 10.00 sec"),  # unwrapped driver error
    ],
    ids=["operational", "interface", "pool-timeout"],
)
def test_api_view_error_is_503_json(api_for, staff_a, error):
    with mock.patch("quizzes.exams.api.exams_for_user", side_effect=error):
        res = api_for(staff_a).get("/api/v1/exams/")
    assert_json_503(res)


def test_api_save_error_is_503_json(api_for, staff_a):
    """The save endpoint, as the exam client calls it: the failure is retryable, nothing in between is a 500."""
    with mock.patch("quizzes.exams.api.svc.answer_save", side_effect=OperationalError("server closed the connection")):
        res = api_for(staff_a).post(
            "/api/v1/attempts/1/answer/", {"position": 1, "response": [0], "seq": 1}, format="json"
        )
    assert_json_503(res)


def test_session_lost_before_the_view_api_is_503_json(logged_in):
    """Raised in middleware (the first look at request.user loads the session), before DRF or any view runs."""
    with mock.patch(SESSION_LOAD, side_effect=OperationalError("connection refused")):
        res = logged_in.post("/api/v1/attempts/1/answer/", {"position": 1, "response": [0], "seq": 1})
    assert_json_503(res)


def test_session_lost_on_a_page_is_a_short_503_page(logged_in):
    with mock.patch(SESSION_LOAD, side_effect=OperationalError("connection refused")):
        res = logged_in.get("/exams/")
    assert res.status_code == 503 and res["Retry-After"] == "5"
    assert res["Content-Type"].startswith("text/html")
    page = res.content.decode()
    assert "服务暂时不可用" in page and len(page) < 2000


def test_json_client_on_a_page_gets_json(logged_in):
    with mock.patch(SESSION_LOAD, side_effect=InterfaceError("connection already closed")):
        res = logged_in.get("/exams/", headers={"Accept": "application/json"})
    assert_json_503(res)


def test_page_view_error_is_503(logged_in):
    with mock.patch("quizzes.exams.views.exams_for_user", side_effect=OperationalError("the database is locked")):
        res = logged_in.get("/exams/")
    assert res.status_code == 503 and res["Retry-After"] == "5"


@pytest.mark.parametrize("path,target", [("/api/v1/exams/", "quizzes.exams.api"), ("/exams/", "quizzes.exams.views")])
def test_other_errors_stay_500(logged_in, path, target):
    with mock.patch(f"{target}.exams_for_user", side_effect=RuntimeError("a bug")):
        res = logged_in.get(path)
    assert res.status_code == 500 and "Retry-After" not in res


def test_pool_checks_connections_before_handing_them_out(monkeypatch, tmp_path):
    """After PostgreSQL restarts every idle pooled connection is dead: the pool must test a connection before a
    request gets it (Django passes check=ConnectionPool.check_connection when CONN_HEALTH_CHECKS is on; a `check`
    in OPTIONS["pool"] would clash with it)."""
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example:5432/elearn")
    db = backends.database(tmp_path)
    assert db["CONN_HEALTH_CHECKS"] is True and "check" not in db["OPTIONS"]["pool"]
    from django.db import connections

    settings_dict = connections.configure_settings({"default": db})["default"]
    wrapper = DatabaseWrapper(settings_dict, alias="pool_probe")
    try:
        pool = wrapper.pool  # built, not opened: nothing connects
        assert pool._check is ConnectionPool.check_connection
    finally:
        wrapper.close_pool()
