"""elearn.sync_http: Django's synchronous stack served in one trip to the request's thread under ASGI."""

import asyncio
import threading
import time

import pytest
from asgiref.testing import ApplicationCommunicator
from django.core import signals
from django.http import HttpResponse, StreamingHttpResponse
from django.test import override_settings
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from elearn.sync_http import SyncStackASGIHandler

EVENTS: list[tuple[str, int]] = []


@csrf_exempt
def plain(request):
    EVENTS.append(("view", threading.get_ident()))
    return HttpResponse(f"ok {request.method} {request.body.decode()}")


def slow(request):
    time.sleep(0.3)
    EVENTS.append(("view", threading.get_ident()))
    return HttpResponse("late")


def streamed(request):
    EVENTS.append(("view", threading.get_ident()))

    def parts():
        try:
            for k in range(3):
                EVENTS.append(("part", threading.get_ident()))
                yield f"part {k};"
        finally:
            EVENTS.append(("iterator closed", threading.get_ident()))

    return StreamingHttpResponse(parts())


def slow_streamed(request):
    time.sleep(0.3)
    EVENTS.append(("view", threading.get_ident()))
    return StreamingHttpResponse(iter([b"a"]))


urlpatterns = [
    path("plain/", plain),
    path("slow/", slow),
    path("streamed/", streamed),
    path("slow-streamed/", slow_streamed),
]


@pytest.fixture
def events():
    EVENTS.clear()

    def started(**kwargs):
        EVENTS.append(("started", threading.get_ident()))

    def finished(**kwargs):
        EVENTS.append(("finished", threading.get_ident()))

    signals.request_started.connect(started, dispatch_uid="test_sync_http_started")
    signals.request_finished.connect(finished, dispatch_uid="test_sync_http_finished")
    with override_settings(ROOT_URLCONF=__name__, ALLOWED_HOSTS=["testserver"]):
        yield EVENTS
    signals.request_started.disconnect(dispatch_uid="test_sync_http_started")
    signals.request_finished.disconnect(dispatch_uid="test_sync_http_finished")


def scope(path, method="GET"):
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }


async def receive_all(app):
    start = await app.receive_output(timeout=5)
    body = b""
    while True:
        message = await app.receive_output(timeout=5)
        body += message.get("body", b"")
        if not message.get("more_body"):
            return start, body


def kinds(events):
    return [kind for kind, _ in events]


async def test_the_middleware_chain_is_synchronous():
    handler = SyncStackASGIHandler()
    assert not asyncio.iscoroutinefunction(handler._middleware_chain)


async def test_a_request_runs_in_one_thread_and_is_finished_before_its_answer_is_sent(events):
    app = ApplicationCommunicator(SyncStackASGIHandler(), scope("/plain/", "POST"))
    await app.send_input({"type": "http.request", "body": b"a=1", "more_body": False})
    start = await app.receive_output(timeout=5)
    # request_finished (the database connection back to the pool) ran before the first byte went out
    assert kinds(events) == ["started", "view", "finished"]
    body = await app.receive_output(timeout=5)
    assert start["status"] == 200
    assert body["body"] == b"ok POST a=1"
    threads = {thread for _, thread in events}
    assert len(threads) == 1
    assert threads != {threading.get_ident()}  # not the event loop's thread
    await app.wait(timeout=5)


async def test_a_streamed_answer_is_finished_after_its_last_part(events):
    app = ApplicationCommunicator(SyncStackASGIHandler(), scope("/streamed/"))
    await app.send_input({"type": "http.request", "body": b"", "more_body": False})
    start, body = await receive_all(app)
    assert start["status"] == 200
    assert body == b"part 0;part 1;part 2;"
    await app.wait(timeout=5)
    assert kinds(events) == ["started", "view", "part", "part", "part", "iterator closed", "finished"]


async def test_a_client_that_leaves_gets_no_answer_and_the_request_is_still_finished(events):
    app = ApplicationCommunicator(SyncStackASGIHandler(), scope("/slow/"))
    await app.send_input({"type": "http.request", "body": b"", "more_body": False})
    await app.send_input({"type": "http.disconnect"})
    await app.wait(timeout=5)
    for _ in range(50):  # the view's thread is not interrupted: it finishes, and request_finished runs after it
        if kinds(events).count("finished") and "view" in kinds(events):
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)
    assert app.output_queue.empty()  # nothing was sent
    assert kinds(events) == ["started", "view", "finished"]  # finished once, after the view


async def test_a_close_that_fails_is_logged_and_the_answer_still_sent(events, caplog):
    def failing(**kwargs):
        raise RuntimeError("cache close failed")

    signals.request_finished.connect(failing, dispatch_uid="test_sync_http_failing")
    try:
        app = ApplicationCommunicator(SyncStackASGIHandler(), scope("/plain/", "POST"))
        await app.send_input({"type": "http.request", "body": b"b=2", "more_body": False})
        start, body = await receive_all(app)
        await app.wait(timeout=5)
    finally:
        signals.request_finished.disconnect(dispatch_uid="test_sync_http_failing")
    assert start["status"] == 200 and body == b"ok POST b=2"
    assert "closing the response to /plain/ failed" in caplog.text


async def test_a_failure_before_the_view_still_finishes_the_request_once(events):
    def failing(**kwargs):
        raise RuntimeError("request_started receiver failed")

    signals.request_started.connect(failing, dispatch_uid="test_sync_http_failing_start")
    try:
        app = ApplicationCommunicator(SyncStackASGIHandler(), scope("/plain/"))
        await app.send_input({"type": "http.request", "body": b"", "more_body": False})
        with pytest.raises(RuntimeError, match="request_started receiver failed"):
            await app.wait(timeout=5)
    finally:
        signals.request_started.disconnect(dispatch_uid="test_sync_http_failing_start")
    assert kinds(events).count("finished") == 1 and "view" not in kinds(events)


async def test_a_request_thread_is_kept_for_the_next_request_and_no_thread_is_started_for_it(events):
    handler = SyncStackASGIHandler()
    for body in (b"1", b"2"):
        app = ApplicationCommunicator(handler, scope("/plain/", "POST"))
        await app.send_input({"type": "http.request", "body": body, "more_body": False})
        await receive_all(app)
        await app.wait(timeout=5)
        if body == b"1":
            threads_before = threading.active_count()
    assert threading.active_count() == threads_before  # the second request started no thread (Django's: two)
    first, second = {t for k, t in events[:3]}, {t for k, t in events[3:]}
    assert kinds(events) == ["started", "view", "finished"] * 2
    assert len(first) == 1 and first == second


async def test_requests_at_the_same_time_run_in_threads_of_their_own(events):
    handler = SyncStackASGIHandler()
    slow_app = ApplicationCommunicator(handler, scope("/slow/"))
    await slow_app.send_input({"type": "http.request", "body": b"", "more_body": False})
    await asyncio.sleep(0.05)  # the slow view is running
    began = time.monotonic()
    app = ApplicationCommunicator(handler, scope("/plain/", "POST"))
    await app.send_input({"type": "http.request", "body": b"x", "more_body": False})
    start, body = await receive_all(app)
    assert body == b"ok POST x" and time.monotonic() - began < 0.2  # it did not wait for the slow one
    await receive_all(slow_app)
    await slow_app.wait(timeout=5)
    await app.wait(timeout=5)
    views = [t for k, t in events if k == "view"]
    assert len(set(views)) == 2


async def test_the_thread_of_a_request_whose_client_left_is_not_given_out_while_its_view_runs(events):
    handler = SyncStackASGIHandler()
    slow_app = ApplicationCommunicator(handler, scope("/slow/"))
    await slow_app.send_input({"type": "http.request", "body": b"", "more_body": False})
    await slow_app.send_input({"type": "http.disconnect"})
    await slow_app.wait(timeout=5)  # returns once the view finished and the request was finished after it
    assert kinds(events) == ["started", "view", "finished"]
    app = ApplicationCommunicator(handler, scope("/plain/", "POST"))
    await app.send_input({"type": "http.request", "body": b"y", "more_body": False})
    start, body = await receive_all(app)
    await app.wait(timeout=5)
    assert body == b"ok POST y"
    assert kinds(events) == ["started", "view", "finished"] * 2


async def test_no_more_idle_threads_are_kept_than_the_setting_says(events):
    with override_settings(ELEARN_REQUEST_THREADS_KEPT=1):
        handler = SyncStackASGIHandler()
    apps = [ApplicationCommunicator(handler, scope("/slow/")) for _ in range(3)]
    for app in apps:
        await app.send_input({"type": "http.request", "body": b"", "more_body": False})
    for app in apps:
        await receive_all(app)
        await app.wait(timeout=5)
    assert len({t for k, t in events if k == "view"}) == 3
    assert len(handler.threads.idle) == 1


async def test_a_thread_is_not_given_out_again_while_its_request_is_still_finishing(events):
    """The client leaves while request_finished runs (a slow pool return, say): the thread stays out of the free list
    until it ends."""
    entered, release = threading.Event(), threading.Event()

    def slow_receiver(**kwargs):
        if not entered.is_set():  # first request only: e.g. a slow pool putconn / cache close
            entered.set()
            release.wait(5)

    signals.request_finished.connect(slow_receiver, dispatch_uid="test_sync_http_slow_receiver")
    handler = SyncStackASGIHandler()
    loop = asyncio.get_running_loop()
    try:
        first = ApplicationCommunicator(handler, scope("/plain/", "POST"))
        await first.send_input({"type": "http.request", "body": b"", "more_body": False})
        while not entered.is_set():
            await asyncio.sleep(0.005)
        await first.send_input({"type": "http.disconnect"})  # client leaves while request_finished runs
        await first.wait(timeout=2)
        given_back_early = len(handler.threads.idle) == 1 and not release.is_set()

        loop.call_later(0.5, release.set)
        second = ApplicationCommunicator(handler, scope("/plain/", "POST"))
        began = time.monotonic()
        await second.send_input({"type": "http.request", "body": b"", "more_body": False})
        await receive_all(second)
        waited = time.monotonic() - began
        await second.wait(timeout=2)
    finally:
        release.set()
        signals.request_finished.disconnect(dispatch_uid="test_sync_http_slow_receiver")
    assert not given_back_early, "executor returned to the idle list while its request's close() still ran"
    assert waited < 0.3, f"next request queued {waited:.2f}s behind the previous request's request_finished"


async def test_a_request_cancelled_by_daphne_after_its_client_left_is_still_finished(events):
    """daphne cancels an application 10 s after a disconnect: the close and request_finished (the database
    connection back to the pool) still run, after the view."""
    handler = SyncStackASGIHandler()
    app = ApplicationCommunicator(handler, scope("/slow-streamed/"))
    await app.send_input({"type": "http.request", "body": b"", "more_body": False})
    await app.send_input({"type": "http.disconnect"})
    await asyncio.sleep(0.1)  # handle() is now in its finally, waiting for finish() queued behind serve()
    app.future.cancel()  # daphne's application_checker
    with pytest.raises(asyncio.CancelledError):
        await app.future
    for _ in range(50):
        if "finished" in kinds(events):
            break
        await asyncio.sleep(0.02)
    assert kinds(events) == ["started", "view", "finished"]


async def test_a_cancelled_request_leaves_no_task_of_its_own_running(events):
    """A server stopping cancels a request before any disconnect: its own tasks end with it, nothing is sent."""
    handler = SyncStackASGIHandler()
    app = ApplicationCommunicator(handler, scope("/slow-streamed/"))
    await app.send_input({"type": "http.request", "body": b"", "more_body": False})
    await asyncio.sleep(0.1)
    orphans = [t for t in asyncio.all_tasks() if "process_request" in repr(t.get_coro())]
    app.future.cancel()
    with pytest.raises(asyncio.CancelledError):
        await app.future
    await asyncio.sleep(0.6)
    leftover = [t for t in orphans if not t.cancelled()]
    sent = []
    while not app.output_queue.empty():
        sent.append(app.output_queue.get_nowait())
    # (before: the answer was still sent to the closed connection, its body read after finish() had closed it)
    assert not leftover and not sent, f"process_request outlived its request: {leftover} sent={sent}"
    assert kinds(events) == ["started", "view", "finished"]
