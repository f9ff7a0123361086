"""The demo is safe to start: it listens on this machine only unless asked, development settings keep the host and
WebSocket origin checks, production refuses the repository's key, and demo accounts say what they are.

- `make serve` / `make demo` bind 127.0.0.1; `HOST=0.0.0.0` opens them to the LAN, and the command says which.
- Development settings answer localhost names plus DJANGO_ALLOWED_HOSTS, never `*` (which would also switch off
  Channels' WebSocket origin check, AllowedHostsOriginValidator).
- Production settings refuse the development key (and the test key, Django's "django-insecure-" keys, short keys and
  keys of few distinct characters).
- seed_demo flags its accounts (User.is_demo); the login pages (site and admin) say that demo accounts exist and give
  their shared password, only while such an account is active.
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.pop("HOST", None)
    env.update(extra)
    return env


def _settings_value(module: str, name: str, **env) -> subprocess.CompletedProcess:
    """Import a settings module in a fresh interpreter and print one of its values."""
    code = f"import {module} as s; print(repr(s.{name}))"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=_env(**env), capture_output=True, text=True, timeout=60
    )


# --- development settings --------------------------------------------------------------------------------------------


def test_dev_allowed_hosts_are_local_names_not_a_wildcard():
    result = _settings_value("elearn.settings.dev", "ALLOWED_HOSTS")
    assert result.returncode == 0, result.stderr
    hosts = ast.literal_eval(result.stdout)
    assert "*" not in hosts
    assert {"localhost", "127.0.0.1", "[::1]"} <= set(hosts)


def test_dev_allowed_hosts_add_what_the_environment_names():
    result = _settings_value("elearn.settings.dev", "ALLOWED_HOSTS", DJANGO_ALLOWED_HOSTS="192.168.1.20,demo.lan")
    hosts = ast.literal_eval(result.stdout)
    assert "*" not in hosts and {"localhost", "127.0.0.1", "192.168.1.20", "demo.lan"} <= set(hosts)


async def test_websocket_origin_check_refuses_another_site_under_dev_hosts(settings):
    """With the development host list, Channels' origin check refuses a page of another site opening a socket."""
    from channels.generic.websocket import AsyncWebsocketConsumer
    from channels.security.websocket import AllowedHostsOriginValidator
    from channels.testing import WebsocketCommunicator

    result = _settings_value("elearn.settings.dev", "ALLOWED_HOSTS")
    settings.ALLOWED_HOSTS = ast.literal_eval(result.stdout)
    app = AllowedHostsOriginValidator(AsyncWebsocketConsumer.as_asgi())
    evil = WebsocketCommunicator(app, "/ws/x/", headers=[(b"origin", b"http://evil.example")])
    connected, _ = await evil.connect()
    assert not connected
    await evil.disconnect()
    local = WebsocketCommunicator(app, "/ws/x/", headers=[(b"origin", b"http://127.0.0.1:8000")])
    connected, _ = await local.connect()
    assert connected
    await local.disconnect()


# --- production settings ---------------------------------------------------------------------------------------------


def _production(key: str) -> subprocess.CompletedProcess:
    return _settings_value(
        "elearn.settings.production", "DEBUG", DJANGO_SECRET_KEY=key, DJANGO_ALLOWED_HOSTS="elearn.example"
    )


def test_production_refuses_the_repositorys_dev_key():
    from elearn.settings.base import DEV_SECRET_KEY

    result = _production(DEV_SECRET_KEY)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr and "development" in result.stderr


@pytest.mark.parametrize(
    "key",
    [
        "test-only-not-secret",
        "django-insecure-" + "k3y-th4t-d1ango-generated-for-startproject-0123456789",
        "short-key",
        "a" * 80,
        "abab" * 20,
    ],
)
def test_production_refuses_weak_keys(key):
    result = _production(key)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr, result.stdout + result.stderr


def test_production_accepts_a_strong_key():
    result = _production("q8Vw2-LxN7pZr4KtY9bHc1Jm5DsF0gAeU3iWo6Rv_TnQyXzE-kPl")
    assert result.returncode == 0, result.stderr


# --- the Makefile ----------------------------------------------------------------------------------------------------


def _make_n(*args) -> str:
    result = subprocess.run(["make", "-n", *args], cwd=REPO, env=_env(), capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def _daphne_line(output: str) -> str:
    lines = [line for line in output.splitlines() if "daphne" in line and " -b " in line]
    assert len(lines) == 1, output
    return lines[0]


def test_make_serve_binds_loopback_by_default_and_says_so():
    output = _make_n("serve")
    assert " -b 127.0.0.1 " in _daphne_line(output)
    assert "0.0.0.0" not in _daphne_line(output)
    assert "HOST=0.0.0.0" in output  # the message names the variable that opens it


def test_make_serve_host_opens_it_to_the_lan():
    output = _make_n("serve", "HOST=0.0.0.0")
    assert " -b 0.0.0.0 " in _daphne_line(output)
    assert "LAN" in output


def test_make_demo_serves_the_same_way():
    assert " -b 127.0.0.1 " in _daphne_line(_make_n("demo"))
    assert " -b 0.0.0.0 " in _daphne_line(_make_n("demo", "HOST=0.0.0.0"))


# --- demo accounts ---------------------------------------------------------------------------------------------------


def test_seeded_accounts_are_flagged_as_demo_accounts(db):
    from elearn.org.demo import seed_organisation
    from elearn.org.models import User
    from tests.factories import UserFactory

    real = UserFactory()
    seeded = seed_organisation()
    assert seeded["admin"].is_demo and seeded["officer"].is_demo and seeded["staff"].is_demo
    assert not User.objects.filter(is_demo=False).exclude(pk=real.pk).exists()
    real.refresh_from_db()
    assert not real.is_demo


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_login_pages_show_the_demo_notice_only_while_demo_accounts_exist(client, db, url):
    from elearn.org.demo import DEMO_PASSWORD
    from tests.factories import AdminFactory, UserFactory

    UserFactory()  # an ordinary account changes nothing
    page = client.get(url).content.decode()
    assert DEMO_PASSWORD not in page and "demo-notice" not in page

    demo_admin = AdminFactory(employee_no="admin", is_demo=True)
    page = client.get(url).content.decode()
    assert "demo-notice" in page and DEMO_PASSWORD in page and "演示" in page
    assert "admin" in page

    demo_admin.is_active = False
    demo_admin.save()
    page = client.get(url).content.decode()
    assert DEMO_PASSWORD not in page and "demo-notice" not in page
