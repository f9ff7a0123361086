"""End-to-end harness: a real daphne process serving the test database, and Debian's Chromium via Playwright.

Tests here use `transactional_db` (data they create is committed, so the server process sees it) and get:
- `server`: base URL of daphne (HTTP + WebSocket) serving elearn against the test database;
- `browser`: a headless Chromium; `phone` / `desktop`: new pages at 360x740 / 1366x768;
- `login(page, user)`: logs `user` in through the login form (password tests.factories.PASSWORD);
- `shot(page, name)`: saves a screenshot under test-artifacts/.
"""

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.factories import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]
REPO = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _server_log_path(port: int) -> Path:
    folder = Path(os.environ.get("ELEARN_TEST_ARTIFACTS", REPO / "test-artifacts"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"daphne-{port}.log"


def _server_log(port: int):
    return open(_server_log_path(port), "wb")


def access_log_path(port: int) -> Path:
    """daphne's access log (one line a request, with its status) of the server on `port`."""
    return _server_log_path(port).with_suffix(".access.log")


SERVER_ERROR = re.compile(r'"(?:GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|WEBSOCKET|WSCONNECT)[^"]*" 5\d\d ')


def server_errors(port: int) -> list[str]:
    """The requests the server on `port` answered with a 5xx status."""
    path = access_log_path(port)
    if not path.exists():
        return []
    return [line.strip() for line in path.read_text(errors="replace").splitlines() if SERVER_ERROR.search(line)]


def start_server(port: int | None = None, extra_env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """Start daphne on the current test database; returns (process, base URL). Used by e2e and reliability tests."""
    from tests.conftest import clear_redis_prefix

    clear_redis_prefix()
    port = port or _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "elearn.settings.test",
        "ELEARN_LIVE_DB_NAME": str(connection.settings_dict["NAME"]),
        **(extra_env or {}),
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "elearn.asgi:application"],
        cwd=REPO,
        env=env,
        stdout=open(access_log_path(port), "wb"),
        stderr=_server_log(port),
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"daphne exited; see {_server_log_path(port)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("daphne did not start within 30 s")


def stop_server(proc: subprocess.Popen) -> None:
    """Stop a server from start_server(): terminate, then kill if it has not exited within 10 s."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def session_cookie(user) -> str:
    """A Cookie header value ("sessionid=...") for a logged-in session of `user`, for real HTTP/WebSocket clients."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


@pytest.fixture
def server(request, transactional_db):
    """Data the test creates is committed, so the server process sees it. Transactional tests flush the tables,
    Wagtail's root page included: content.demo.seed_home (or ensure_page_tree) puts the tree back.

    A test whose server answered any request with a 5xx fails, even if the page the test looked at was fine (a
    broken admin link, a failing XHR): the server's access log is read when the test ends."""
    proc, url = start_server()
    yield url
    stop_server(proc)
    errors = server_errors(int(url.rsplit(":", 1)[1]))
    if errors and not request.node.get_closest_marker("server_errors_expected"):
        pytest.fail("the server answered with a server error:\n" + "\n".join(errors[:10]), pytrace=False)


@pytest.fixture(scope="package")
def browser():
    """Package scope: Playwright's sync API runs an event loop in this thread while it is open, which would break
    every async test collected after tests/e2e; it is closed when the e2e package is done."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the ORM calls made by the test itself
    # are still synchronous and safe (pytest-django documents this for Playwright).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
    )
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def login(server):
    def do_login(page, user, next_path="/"):
        page.goto(f"{server}/accounts/login/?next={next_path}")
        page.fill("#id_username", user.employee_no)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        return page

    return do_login


def screenshot(page, path, *, full_page: bool = True) -> None:
    """page.screenshot, asked once more when Chromium refuses a capture ("Unable to capture screenshot"): a transient
    refusal of the browser on a busy machine (seen in CI on a live game's page), which takes the same picture a moment
    later (microsoft/playwright and robotframework-browser#5237 report the same)."""
    from playwright.sync_api import Error

    try:
        page.screenshot(path=str(path), full_page=full_page)
    except Error as exc:
        if "Unable to capture screenshot" not in str(exc):
            raise
        page.wait_for_timeout(500)
        page.screenshot(path=str(path), full_page=full_page)


@pytest.fixture
def shot(artifacts_dir):
    def save(page, name: str, full_page: bool = True) -> Path:
        path = artifacts_dir / f"{name}.png"
        screenshot(page, path, full_page=full_page)
        return path

    return save


def no_horizontal_scroll(page) -> bool:
    """Measured against the width the browser was given: on a phone (is_mobile) a page wider than the screen widens
    innerWidth to fit (zoomed out), so innerWidth alone never sees the overflow."""
    width = (page.viewport_size or {}).get("width", 10**6)
    return page.evaluate("w => document.documentElement.scrollWidth <= Math.min(window.innerWidth, w) + 1", width)
