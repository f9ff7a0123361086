"""One error shape for every API response: {"error": code, "detail": message}, plus documented extras.

Every route of the API router (elearn/api.py) is requested with bad ids (not a number, a number that names nothing,
and real rows), with every method (the wrong ones too), anonymously, as an account still on its initial password, as
a member of staff and as the district admin (empty and malformed bodies). Every answer that is not 2xx must be JSON
with exactly `error` (a stable snake_case code, never a message or the generic "error") and `detail` (a message),
plus only the extras that elearn.api_schema_errors.ERROR_EXTRAS documents (field errors under `fields`, ...).
Django's own refusals under /api/ (a URL that matches no route, an uncaught error) answer the same way.

Anonymous requests get 403 `not_authenticated`, not 401: the API authenticates by session cookie only, and DRF (like
RFC 9110) answers 401 only with a WWW-Authenticate challenge, which a cookie login cannot offer.
"""

import json
import re

import pytest
from django.test import Client, RequestFactory

from elearn.api import router
from elearn.api_schema_errors import ERROR_EXTRAS

CODE = re.compile(r"[a-z][a-z0-9_]*")
METHODS = ("get", "post", "put", "patch", "delete")
PUBLIC = {"certificate-verify", "api-root"}  # open to anyone by design


def routes():
    """(name, regex, allowed methods) of every router URL."""
    for pattern in router.urls:
        actions = getattr(pattern.callback, "actions", None) or {"get": "list"}
        yield pattern.name, str(pattern.pattern.regex.pattern), set(actions)


def url_for(regex: str, value: str) -> str:
    path = re.sub(r"\(\?P<\w+>[^)]*\)", value, regex).lstrip("^").rstrip("$")
    return "/api/v1/" + path


def check_shape(response, where: str) -> dict:
    """The error shape; returns the body."""
    assert response["Content-Type"].startswith("application/json"), f"{where}: {response['Content-Type']}"
    body = json.loads(response.content)
    assert isinstance(body, dict), f"{where}: {body!r}"
    assert {"error", "detail"} <= body.keys(), f"{where}: {body!r}"
    extras = body.keys() - {"error", "detail"}
    assert extras <= ERROR_EXTRAS.keys(), f"{where}: undocumented keys {sorted(extras)} in {body!r}"
    assert isinstance(body["error"], str) and CODE.fullmatch(body["error"]) and body["error"] != "error", (
        f"{where}: code {body['error']!r}"
    )
    assert isinstance(body["detail"], str) and body["detail"].strip(), f"{where}: detail {body['detail']!r}"
    if "fields" in body:
        assert isinstance(body["fields"], dict) and body["fields"], f"{where}: {body!r}"
    return body


@pytest.fixture
def world(db):
    from tests.factories import UserFactory
    from tests.reliability.access_matrix import build_world

    w = build_world()
    w.initial = UserFactory(institution=w.A.inst, must_change_password=True)
    w.real_ids = {
        "institution": str(w.A.inst.pk),
        "staff": str(w.A.staff.pk),
        "course": str(w.course.pk),
        "lesson": str(w.lesson.pk),
        "exam": str(w.A.exam.pk),
        "attempt": str(w.A.mock_attempt.pk),
        "bank-category": str(w.category.pk),
        "bank-question": str(w.question.pk),
        "competition": str(w.A.competition.pk),
        "game": str(w.A.game.pk),
        "report-export": str(w.A.export.pk),
        "certificate": w.A.certificate.code,
    }
    return w


def _client(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def _send(client, method, url, body=None):
    if body is None:
        return getattr(client, method)(url)
    return getattr(client, method)(url, body, content_type="application/json")


def _ids(name: str, regex: str, world) -> list[str]:
    if "(?P<" not in regex:
        return [""]
    resource = name.rsplit("-", 1)[0]
    real = world.real_ids.get(resource)
    if "[0-9a-f-]{36}" in regex:
        return ["00000000-0000-0000-0000-000000000000", "abc", *([real] if real else [])]
    return ["abc", "99999999", *([real] if real else [])]


def test_every_api_refusal_has_the_one_shape(world):
    clients = {
        "anon": _client(),
        "initial": _client(world.initial),
        "staff": _client(world.A.staff),
        "admin": _client(world.admin),
    }
    problems, checked, codes = [], 0, {}
    for name, regex, allowed in routes():
        for value in _ids(name, regex, world):
            url = url_for(regex, value)
            for role, client in clients.items():
                for method in METHODS:
                    bodies = [None]
                    if method in ("post", "put", "patch") and role in ("staff", "admin"):
                        bodies = [None, "{}", "{not json", '{"position": "x", "response": {"a": [1]}, "name": ""}']
                    for body in bodies:
                        response = _send(client, method, url, body)
                        if response.status_code < 400:
                            continue
                        where = f"{role} {method.upper()} {url} {body or ''} -> {response.status_code}"
                        checked += 1
                        try:
                            found = check_shape(response, where)
                        except AssertionError as error:
                            problems.append(str(error))
                            continue
                        codes.setdefault((response.status_code, found["error"]), where)
                        expected = None
                        if role == "initial":
                            expected = "password_change_required"
                        elif response.status_code == 404 and not re.fullmatch(regex.lstrip("^").rstrip("$"), url[8:]):
                            expected = "not_found"  # the URL matches no route (an id that must be a number): anyone
                        elif role == "anon" and name not in PUBLIC:
                            expected = "not_authenticated"
                        elif method not in allowed and response.status_code == 405:
                            expected = "method_not_allowed"
                        if expected and found["error"] != expected:
                            problems.append(f"{where}: code {found['error']!r}, expected {expected!r}")
    assert not problems, f"{len(problems)} responses out of shape:\n" + "\n".join(dict.fromkeys(problems[:400]))
    assert checked > 1000
    # The walk reached each kind of refusal.
    seen = {code for (_status, code) in codes}
    assert {"not_authenticated", "password_change_required", "not_found", "method_not_allowed"} <= seen, seen
    assert {"permission_denied", "invalid", "parse_error"} <= seen, seen


def test_the_reported_cases(world):
    """The issue's examples: a first-login refusal, a 404 under a route whose id must be a number, a missing row."""
    initial = _client(world.initial).get("/api/v1/me/")
    assert initial.status_code == 403
    assert check_shape(initial, "initial") == {
        "error": "password_change_required",
        "detail": initial.json()["detail"],
    }
    staff = _client(world.A.staff)
    for url in ("/api/v1/attempts/abc/answer/", "/api/v1/no-such-thing/", "/api/v1/exams/abc/"):
        response = staff.post(url) if "answer" in url else staff.get(url)
        assert response.status_code == 404, url
        assert check_shape(response, url)["error"] == "not_found"
    missing = staff.get("/api/v1/bank/categories/99999999/")
    assert missing.status_code in (403, 404)
    assert check_shape(missing, "missing")["error"] in ("not_found", "permission_denied")
    admin_missing = _client(world.admin).get("/api/v1/bank/categories/99999999/")
    assert admin_missing.status_code == 404 and check_shape(admin_missing, "admin missing")["error"] == "not_found"


def test_validation_errors_keep_the_field_errors_under_fields(world):
    admin = _client(world.admin)
    response = admin.post("/api/v1/bank/categories/", "{}", content_type="application/json")
    body = check_shape(response, "category without a name")
    assert response.status_code == 400 and body["error"] == "invalid"
    assert list(body["fields"]) == ["name"] and body["fields"]["name"]
    assert "name" in body["detail"]
    bad_json = admin.post("/api/v1/bank/categories/", "{x", content_type="application/json")
    assert bad_json.status_code == 400 and check_shape(bad_json, "bad json")["error"] == "parse_error"


@pytest.mark.parametrize("accept", ["text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "text/html"])
def test_a_browser_gets_json_too(world, accept):
    """No browsable-API pages: a browser opening an API URL gets the same JSON (406 not_acceptable if it takes
    nothing else)."""
    response = _client(world.A.staff).get("/api/v1/exams/99999999/", HTTP_ACCEPT=accept)
    assert response.status_code in (404, 406)
    assert check_shape(response, accept)["error"] in ("not_found", "not_acceptable")
    assert _client(world.A.staff).get("/api/v1/me/", HTTP_ACCEPT=accept)["Content-Type"] == "application/json"


def test_anonymous_is_403_not_authenticated_as_documented(world):
    response = _client().get("/api/v1/me/")
    assert response.status_code == 403 and not response.has_header("WWW-Authenticate")
    assert check_shape(response, "anon")["error"] == "not_authenticated"


def test_handlers_answer_api_paths_in_the_shape_and_pages_as_pages(db):
    from elearn import api_errors

    factory = RequestFactory()
    for handler, status, code in (
        (api_errors.bad_request, 400, "bad_request"),
        (api_errors.permission_denied, 403, "permission_denied"),
        (api_errors.page_not_found, 404, "not_found"),
    ):
        response = handler(factory.get("/api/v1/x/"), Exception("x"))
        assert response.status_code == status and check_shape(response, code)["error"] == code
        page = handler(factory.get("/exams/x/"), Exception("x"))
        assert page.status_code == status and not page["Content-Type"].startswith("application/json")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        response = api_errors.server_error(factory.get("/api/v1/x/"))
        page = api_errors.server_error(factory.get("/exams/"))
    assert response.status_code == 500 and check_shape(response, "500")["error"] == "server_error"
    assert "boom" not in response.content.decode()
    assert page.status_code == 500 and not page["Content-Type"].startswith("application/json")


def test_the_schema_documents_the_shape_for_every_operation():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    component = schema["components"]["schemas"]["ApiError"]
    assert set(component["required"]) == {"error", "detail"}
    assert set(component["properties"]) == {"error", "detail", *ERROR_EXTRAS}
    missing = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            statuses = {"403"} | ({"404"} if "{" in path else set())
            for status in statuses:
                if status not in responses:
                    missing.append(f"{method.upper()} {path}: {status}")
    assert not missing, missing


def test_a_missing_page_is_the_sites_own_404_page(client, db):
    """The screen check found Django's bare English "Not Found" (no header, no way back, desktop width on a phone)."""
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "页面不存在" in page and 'name="viewport"' in page and 'href="/"' in page
