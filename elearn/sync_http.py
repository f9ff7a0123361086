"""Django's HTTP requests under daphne, served by the synchronous handler in one trip to a thread.

Every view here is synchronous (the ORM is), and so are most middlewares. Django's ASGIHandler builds its middleware
chain for async, so a request went back and forth between the event loop and its thread for every change of kind:
the request_started signal, the synchronous middlewares, back to the loop for the async-capable ones after them
(messages, clickjacking, redirects, axes: each MiddlewareMixin hook one more trip), to the thread for the view, and
once more for response.close(). Measured on PostgreSQL: a trivial authenticated view cost 7.6 ms of daphne's CPU
against 3.3 ms through the same middleware stack in-process, and under load every trip waits for the busy loop.

This handler builds the chain for synchronous use, exactly as under WSGI and as the test client runs it, and serves a
request in one call in the request's thread: request_started, the request, the middlewares and the view, and, for
a response whose body is already in memory, close() (request_finished: the database connection goes back to the
pool before the bytes go out). The event loop only reads the body and writes the answer. Streaming responses are
sent and closed as Django does. A client that disconnects while the view runs gets no answer; the view is not
interrupted (no synchronous view is), and its response is closed after it, in its thread, once. request_finished
runs once for every request, also when something outside the view raised (a request_started receiver: Django's
handler skips it then). A response whose close() fails is still sent, and the failure logged.

A request's thread is kept for a later request (RequestThreads). Django's handler gives every request a thread of its
own that is started for it and joined after it by one more new thread; each start blocks the event loop until the new
thread runs, which under load (every thread waiting for the GIL) was the largest part of the loop's time in a py-spy
profile of the exam's opening. A kept thread runs one request at a time, as Django's thread-sensitive code requires.
A cancelled request (daphne cancels one 10 s after its client left; a stopping server cancels all) cancels its own
tasks and still finishes in its thread: the response closed, the database connection back in the pool.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext, sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse
from django.urls import set_script_prefix

logger = logging.getLogger(__name__)


class RequestThreads:
    """Single-thread executors kept between requests: a request takes an idle one (or a new one when none is idle)
    and gives it back when nothing of it runs there any more. At most `keep` idle ones are kept; the others end."""

    def __init__(self, keep: int):
        self.keep = keep
        self.idle: list[ThreadPoolExecutor] = []

    def take(self) -> ThreadPoolExecutor:
        try:
            return self.idle.pop()  # the most recently used: its thread is the likeliest to be warm
        except IndexError:
            return ThreadPoolExecutor(max_workers=1, thread_name_prefix="request")

    def give_back(self, executor: ThreadPoolExecutor) -> None:
        if len(self.idle) < self.keep:
            self.idle.append(executor)
        else:
            executor.shutdown(wait=False)


class SyncStackASGIHandler(ASGIHandler):
    def __init__(self):
        base.BaseHandler.__init__(self)
        self.load_middleware(is_async=False)
        self.threads = RequestThreads(getattr(settings, "ELEARN_REQUEST_THREADS_KEPT", 100))

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        executor = self.threads.take()
        async with ThreadSensitiveContext(executor=executor):
            try:
                await self.handle(scope, receive, send)
            except BaseException:  # the request's calls may still be queued there: let the thread end after them
                executor.shutdown(wait=False)
                raise
        # handle() returns after finish(), which ran in this thread after everything else of the request
        self.threads.give_back(executor)

    def serve(self, scope, body_file, outcome: dict):
        """In the request's thread: the whole synchronous request; the response is kept in `outcome`."""
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        outcome["response"] = response
        if not response.streaming:
            self.finish(outcome)
        return response

    def finish(self, outcome: dict) -> None:
        """In the request's thread, once per request: close the response (request_finished goes with it) or, when
        there is none (something before the view raised), send request_finished alone. Run after serve() whatever
        happened to the task that awaited it (a client that left): the request's thread runs its calls in order."""
        if outcome.get("finishing"):
            return
        outcome["finishing"] = True
        try:
            response = outcome.get("response")
            if response is None:
                signals.request_finished.send(sender=self.__class__)
                return
            try:
                response.close()
            except Exception:  # the answer is complete: send it, and report what failed after it
                logger.exception("closing the response to %s failed", outcome.get("path"))
        finally:
            outcome["finished"] = True  # only now may the thread serve another request

    async def handle(self, scope, receive, send):
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        set_script_prefix(get_script_prefix(scope))
        outcome = {"path": scope.get("path")}

        async def process_request():
            response = await sync_to_async(self.serve)(scope, body_file, outcome)
            try:
                await self.send_response(response, send)
            except asyncio.CancelledError:
                pass  # the client left while the answer was being sent

        tasks = [
            asyncio.create_task(self.listen_for_disconnect(receive)),
            asyncio.create_task(process_request()),
        ]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in tasks:
                if task.done():
                    try:
                        task.result()
                    except RequestAborted:
                        pass
                else:
                    task.cancel()
                    try:
                        await task
                    except asyncio.CancelledError:
                        pass
        finally:
            for task in tasks:  # handle() itself was cancelled (daphne after a disconnect, a server stopping)
                if not task.done():
                    task.cancel()
            try:
                if not outcome.get("finished"):  # usually finished in serve(): no second trip to the thread
                    # Queued behind whatever of the request still runs there (a finish() already begun included),
                    # and shielded: a cancel of handle() must not cancel the close and request_finished, which
                    # give the request's database connection back to the pool.
                    await asyncio.shield(sync_to_async(self.finish)(outcome))
            finally:
                body_file.close()
