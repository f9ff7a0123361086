"""API fuzzing: schemathesis generates requests from /api/schema/ and sends them, logged in as each role.

Promise: no 5xx, and every response that the schema documents matches it. Examples per operation:
FUZZ_EXAMPLES (default 15 here; `make reliability` raises it).
"""

import os

import pytest
import schemathesis
from django.test import Client
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from elearn.wsgi import application
from tests.factories import AdminFactory, InstitutionFactory, OfficerFactory, UserFactory

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)


def _session_headers(user) -> dict:
    client = Client()
    client.force_login(user)
    from django.middleware.csrf import _get_new_csrf_string

    token = _get_new_csrf_string()
    session = client.cookies["sessionid"].value
    return {"Cookie": f"sessionid={session}; csrftoken={token}", "X-CSRFToken": token, "Referer": "http://localhost/"}


@pytest.fixture
def fuzz_headers(role_headers):
    """Sessions first (Django's test client re-connects the handler below after each request), then, like the
    test client, keep requests from closing the connection that holds the test's transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield role_headers
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def role_headers(db):
    inst_a, inst_b = InstitutionFactory(), InstitutionFactory()
    UserFactory.create_batch(3, institution=inst_a)
    UserFactory.create_batch(3, institution=inst_b)
    users = {
        "staff": UserFactory(institution=inst_a),
        "officer": OfficerFactory(institution=inst_a),
        "admin": AdminFactory(institution=None),
    }
    return {role: _session_headers(user) for role, user in users.items()}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@pytest.mark.parametrize("role", ["staff", "officer", "admin"])
def test_api_never_errors_and_matches_schema(case, role, fuzz_headers):
    case.call_and_validate(headers=fuzz_headers[role], checks=[not_a_server_error, response_schema_conformance])
