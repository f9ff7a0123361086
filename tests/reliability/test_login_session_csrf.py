"""Logins, sessions, CSRF and security headers, where tests/org/test_accounts.py and tests/test_security_headers.py
stop: throttling on every login path (the site form and Wagtail's admin form), however the account is spelled, per
address and for its window only; sessions that end after SESSION_COOKIE_AGE and at logout; CSRF enforced on every
route that accepts a POST (HTML forms and the API), and the security headers on each main page type."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from elearn.org import throttle
from tests.factories import PASSWORD, AdminFactory, InstitutionFactory, UserFactory

THROTTLED = "尝试次数过多"


@pytest.fixture(autouse=True)
def _fresh_counters():
    """Failure counters live in the cache (local memory, or this run's Redis prefix)."""
    cache.clear()
    yield
    cache.clear()


def site_login(client, username, password=PASSWORD):
    return client.post(reverse("org:login"), {"username": username, "password": password})


def admin_login(client, username, password=PASSWORD):
    return client.post(reverse("wagtailadmin_login"), {"username": username, "password": password})


def logged_in(client) -> bool:
    return client.get("/api/v1/me/").status_code == 200


# --- throttling ----------------------------------------------------------------------------------------------


def test_wagtail_admin_login_is_throttled_like_the_site_login(db, record_property):
    admin = AdminFactory(institution=None)
    client = Client()
    for _ in range(throttle.MAX_PER_ACCOUNT_AND_ADDRESS):
        admin_login(client, admin.employee_no, "wrong-password")
    admin_login(client, admin.employee_no)  # the right password, but the account is locked for now
    site = site_login(Client(), admin.employee_no)  # the same counter on the other login page
    record_property("violations", int(logged_in(client)) + int(site.status_code == 302))
    assert not logged_in(client)
    assert site.status_code == 200 and THROTTLED in site.content.decode()


def test_account_lockout_holds_however_the_login_is_spelled(db, record_property):
    """工号 or mobile, with spaces, dashes or a +86/0086 prefix: one account, one counter."""
    user = UserFactory(mobile="13912345678")
    spellings = [user.employee_no, "13912345678", "139 1234 5678", "+86 139-1234-5678", "0086 13912345678"]
    client = Client()
    for spelling in spellings[: throttle.MAX_PER_ACCOUNT_AND_ADDRESS]:
        site_login(client, spelling, "wrong-password")
    response = site_login(client, "139-1234-5678")
    record_property("violations", int(response.status_code == 302))
    assert response.status_code == 200 and THROTTLED in response.content.decode()


def test_login_is_throttled_per_address_not_for_other_addresses(db, record_property, settings):
    settings.ELEARN_LOGIN_FAILURES_PER_ADDRESS = 12
    inst = InstitutionFactory()
    victim = UserFactory(institution=inst)
    attacker = Client(REMOTE_ADDR="10.9.8.7")
    for n in range(throttle.max_per_address()):  # a different (unknown) account each time: only the address repeats
        site_login(attacker, f"guess{n:03d}", "wrong-password")
    refused = site_login(attacker, victim.employee_no)
    elsewhere = Client(REMOTE_ADDR="10.9.8.8")
    allowed = site_login(elsewhere, victim.employee_no)
    record_property("violations", int(refused.status_code == 302) + int(allowed.status_code != 302))
    assert refused.status_code == 200 and THROTTLED in refused.content.decode()
    assert allowed.status_code == 302 and logged_in(elsewhere)


def test_lockout_ends_with_its_window_and_a_success_resets_the_account(db, monkeypatch):
    user = UserFactory()
    client = Client()
    for _ in range(throttle.MAX_PER_ACCOUNT_AND_ADDRESS - 1):
        site_login(client, user.employee_no, "wrong-password")
    assert site_login(client, user.employee_no).status_code == 302  # a success forgives the account's failures
    client.logout()
    for _ in range(throttle.MAX_PER_ACCOUNT_AND_ADDRESS - 1):
        site_login(client, user.employee_no, "wrong-password")
    assert site_login(client, user.employee_no).status_code == 302
    client.logout()
    cache.clear()
    monkeypatch.setattr(throttle, "WINDOW_SECONDS", 1)  # counters written from now on expire after a second
    for _ in range(throttle.MAX_PER_ACCOUNT_AND_ADDRESS):
        site_login(client, user.employee_no, "wrong-password")
    assert THROTTLED in site_login(client, user.employee_no).content.decode()
    time.sleep(1.5)
    assert site_login(client, user.employee_no).status_code == 302


# --- sessions ------------------------------------------------------------------------------------------------


def test_session_cookie_lasts_session_cookie_age_and_is_httponly_and_lax(db):
    user = UserFactory()
    client = Client()
    response = site_login(client, user.employee_no)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == settings.SESSION_COOKIE_AGE == 12 * 60 * 60
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


@pytest.mark.parametrize(
    ("after", "still_in"), [(dt.timedelta(hours=11, minutes=59), True), (dt.timedelta(hours=12, minutes=1), False)]
)
def test_session_expires_after_session_cookie_age(db, after, still_in):
    user = UserFactory()
    start = dt.datetime(2025, 6, 2, 8, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        client = Client()
        assert site_login(client, user.employee_no).status_code == 302
    with time_machine.travel(start + after, tick=False):
        page = client.get("/me/")
        api = client.get("/api/v1/me/")
    if still_in:
        assert page.status_code == 200 and api.status_code == 200
    else:
        assert page.status_code == 302 and page["Location"].startswith(reverse("org:login"))
        assert api.status_code == 403


def test_a_session_cookie_is_dead_after_logout(db):
    user = UserFactory()
    client = Client()
    site_login(client, user.employee_no)
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("org:logout"))
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen
    assert not logged_in(replay) and replay.get("/me/").status_code == 302


# --- CSRF ----------------------------------------------------------------------------------------------------

SAMPLES = ["1", "123456", "x", "exam.1", "a-b", "00000000-0000-0000-0000-000000000001", "seq", "x.svg"]
CATCH_ALL_SAMPLES = ["/", "/study/", "/no-such-page/", "/documents/1/x.pdf", "/admin/no-such-admin-page/"]
_CONVERTER = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")
_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<body>(?:[^()]|\([^()]*\))*)\)")


def _sample_path(pieces: list[str]) -> str | None:
    """A concrete path for a chain of route/regex pattern strings, or None if no sample value fits."""
    out = ""
    for piece in pieces:
        if piece.startswith("^") or "(?P<" in piece or piece.endswith("$"):
            text = piece.lstrip("^").rstrip("$").replace("\\Z", "")

            def fill(match):
                body = match.group("body")
                return next((s for s in SAMPLES if re.fullmatch(body, s)), "\0")

            text = _GROUP.sub(fill, text)
            text = re.sub(r"\\(.)", r"\1", text)
            if "\0" in text or re.search(r"[()\[\]*+?|{}]", text):
                return None
        else:
            text = _CONVERTER.sub(lambda m: {"int": "1", "uuid": SAMPLES[5]}.get(m.group("conv"), "x"), piece)
        out += text
    return "/" + out


def _routes(resolver=None, prefix=()):
    for entry in (resolver or get_resolver()).url_patterns:
        pieces = (*prefix, str(entry.pattern))
        if isinstance(entry, URLResolver):
            yield from _routes(entry, pieces)
        elif isinstance(entry, URLPattern):
            yield pieces, entry


def _is_project_view(callback) -> bool:
    module = getattr(getattr(callback, "cls", None), "__module__", None) or callback.__module__
    return module.split(".")[0] in {"elearn", "courses", "content", "quizzes", "leaderboard"}


def all_routes() -> tuple[list[str], list[str]]:
    """(project routes, everyone else's routes) as concrete paths that resolve back to their view."""
    project, others = {}, {}
    for pieces, entry in _routes():
        path = _sample_path(list(pieces))
        if path is None:
            continue
        try:
            if resolve(path).func is not entry.callback:
                continue
        except Exception:
            continue
        (project if _is_project_view(entry.callback) else others)[path] = None
    for path in CATCH_ALL_SAMPLES:  # patterns with unnamed groups: Wagtail's page serving, documents, admin 404
        others[path] = None
    return sorted(project), sorted(others)


PROJECT_ROUTES, OTHER_ROUTES = all_routes()


def _csrf_refused(response) -> bool:
    return response.status_code == 403 and "CSRF" in response.content.decode(errors="replace")


def _refused_without_token(response) -> bool:
    """Refused by the CSRF check, or a route that takes no POST at all (405: a public API view, which has no session
    authentication and so no CSRF check, but does nothing on a POST)."""
    return _csrf_refused(response) or response.status_code == 405


@pytest.fixture
def admin_clients(db):
    """A district admin's session twice: one client that sends no CSRF token, one that sends a valid one."""
    admin = AdminFactory(institution=None)
    bare = Client(enforce_csrf_checks=True)
    bare.force_login(admin)
    good = Client(enforce_csrf_checks=True)
    good.force_login(admin)
    good.cookies[settings.CSRF_COOKIE_NAME] = _get_new_csrf_string()  # what a page's {% csrf_token %} would set
    return bare, good


def test_every_route_is_collected():
    assert len(PROJECT_ROUTES) > 60 and len(OTHER_ROUTES) > 100
    for expected in ("/accounts/login/", "/api/v1/bank/import/", "/admin/bank/import/", "/play/123456/", "/me/"):
        assert expected in PROJECT_ROUTES


@pytest.mark.parametrize("path", PROJECT_ROUTES)
def test_post_without_csrf_token_is_refused(path, admin_clients, record_property):
    """Every project route, HTML form or API write: a logged-in POST without the token is refused before the view
    runs; the same POST with the token is not refused for CSRF (so the 403 above was the CSRF check)."""
    bare, good = admin_clients
    refused = bare.post(path, {"title": "x"})
    token = good.cookies[settings.CSRF_COOKIE_NAME].value
    with_token = good.post(path, {"title": "x", "csrfmiddlewaretoken": token}, HTTP_X_CSRFTOKEN=token)
    record_property("violations", int(not _refused_without_token(refused)))
    record_property("server_errors", int(with_token.status_code >= 500))
    assert _refused_without_token(refused), (refused.status_code, refused.content[:200])
    assert refused.status_code == 405 or not _csrf_refused(with_token)
    assert with_token.status_code < 500


def test_post_without_csrf_token_is_refused_on_every_other_route(admin_clients, record_property):
    """Wagtail's admin, documents, i18n and the API docs: no route lets a logged-in POST through without the token
    (403, or 405 where the route takes no POST; the docs pages render DRF's CSRF refusal as a bare "403 Forbidden")."""
    bare, _good = admin_clients
    through = [path for path in OTHER_ROUTES if bare.post(path, {}).status_code not in (403, 405)]
    record_property("violations", len(through))
    assert through == []


def test_no_view_is_csrf_exempt_except_the_api_which_checks_sessions_itself():
    """DRF views are exempt from Django's middleware; SessionAuthentication (the API's only authentication) enforces
    CSRF for logged-in users instead, as the parametrised test shows."""
    from rest_framework.views import APIView

    exempt = []
    for pieces, entry in _routes():
        callback = entry.callback
        if getattr(callback, "csrf_exempt", False) and not issubclass(getattr(callback, "cls", object), APIView):
            exempt.append("/".join(pieces))
    assert exempt == []
    assert settings.REST_FRAMEWORK["DEFAULT_AUTHENTICATION_CLASSES"] == [
        "rest_framework.authentication.SessionAuthentication"
    ]


# --- security headers ----------------------------------------------------------------------------------------

SITE_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "object-src": ["'none'"],
    "frame-ancestors": ["'self'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "connect-src": ["'self'"],
}


def _policy(response) -> dict[str, list[str]]:
    policy = {}
    for part in response.get("Content-Security-Policy", "").split(";"):
        key, _, value = part.strip().partition(" ")
        if key:
            policy[key] = value.split()
    return policy


@pytest.fixture
def page_types(db):
    """One URL of each main page type, with the user who sees it."""
    from leaderboard.rankings.boards import exam_board
    from quizzes.competitions import services as competition_services
    from quizzes.competitions.selectors import player_cookie
    from tests.courses.factories import lessons_of, make_course
    from tests.leaderboard.factories import make_exam
    from tests.quizzes.competition_factories import make_competition

    inst = InstitutionFactory()
    staff, admin = UserFactory(institution=inst), AdminFactory(institution=None)
    course = make_course(title="头部检查课程", lessons=1)
    exam = make_exam(institutions=[inst])
    game = competition_services.competition_host(competition=make_competition(questions=1), actor=admin)
    joined = competition_services.competition_join(game=game, user=staff)
    staff_client, admin_client = Client(), Client()
    staff_client.force_login(staff)
    admin_client.force_login(admin)
    staff_client.cookies[player_cookie(game.pk)] = joined.token
    return {
        "home": (staff_client, "/"),
        "course": (staff_client, course.url),
        "lesson": (staff_client, lessons_of(course)[0].url),
        "study": (staff_client, "/study/"),
        "me": (staff_client, "/me/"),
        "exams": (staff_client, "/exams/"),
        "exam": (staff_client, f"/exams/{exam.pk}/"),
        "practice": (staff_client, "/practice/"),
        "play": (staff_client, f"/play/{game.pin}/"),
        "host console": (admin_client, f"/play/host/game/{game.pk}/"),
        "projector": (admin_client, f"/leaderboard/live/{exam_board(exam.pk)}/"),
        "search": (staff_client, "/search/?q=火"),
        "not found": (staff_client, "/no-such-page/"),
        "login": (Client(), "/accounts/login/"),
    }


PAGE_TYPES = ["home", "course", "lesson", "study", "me", "exams", "exam", "practice", "play", "host console",
              "projector", "search", "not found", "login"]  # fmt: skip


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_site_page_types_carry_the_strict_policy_and_headers(kind, page_types, record_property):
    client, url = page_types[kind]
    response = client.get(url)
    assert response.status_code == (404 if kind == "not found" else 200), (url, response.status_code)
    policy = _policy(response)
    missing = {k: v for k, v in SITE_POLICY.items() if policy.get(k) != v}
    record_property("violations", len(missing))
    assert missing == {}, (url, policy)
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert response["X-Content-Type-Options"] == "nosniff" and response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin" and response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_api_responses_are_nosniff_and_not_frameable(page_types):
    client, _url = page_types["me"]
    for url in ("/api/v1/me/", "/api/v1/exams/999999/"):
        response = client.get(url)
        assert response["Content-Type"].startswith("application/json"), url
        assert response["X-Content-Type-Options"] == "nosniff" and response["X-Frame-Options"] == "DENY"
        assert _policy(response).get("frame-ancestors") == ["'self'"]
