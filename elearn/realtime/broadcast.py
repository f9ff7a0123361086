"""The one module that calls channel_layer.group_send.

Services call `broadcast(group, message)` from `transaction.on_commit` (save first, then tell); async code calls
`await abroadcast(group, message)`. `message` is a JSON-able dict with a "type" such as "leaderboard.update"; it is
wrapped in an envelope addressed to the per-process fan-out (elearn.realtime.fanout), so the layer carries ONE message per
server process, whatever the number of connected clients, and each process hands `message` (unchanged) to every local
consumer that joined `group`, via `consumer.fanout_deliver(message)`.

Channels delivers at most once: a client that missed a message gets the full state when it (re)connects. A failed
broadcast (for example Redis unreachable) is logged and swallowed, because the database is the source of truth and
the request that caused it has already committed.
"""

import asyncio
import collections
import contextvars
import logging
import weakref

from asgiref.sync import SyncToAsync, async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

ENVELOPE_TYPE = "fanout.envelope"


def envelope(group: str, message: dict) -> dict:
    if not isinstance(message, dict) or "type" not in message:
        raise ValueError("a broadcast message is a dict with a 'type'")
    return {"type": ENVELOPE_TYPE, "group": group, "message": message}


async def abroadcast(group: str, message: dict) -> bool:
    """Send `message` to every consumer, in every process, that joined `group`. Returns False if it failed."""
    layer = get_channel_layer()
    if layer is None:
        return False
    packed = envelope(group, message)
    try:
        await layer.group_send(group, packed)
    except Exception:
        logger.exception("broadcast to %s failed", group)
        return False
    return True


def server_loop() -> asyncio.AbstractEventLoop | None:
    """The server's running event loop: this thread's own, or the one whose sync_to_async started this thread (a
    Django view under daphne, a consumer's database_sync_to_async call). None in plain synchronous code."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is not None and not loop.is_closed() and loop.is_running():
        return loop
    return None


class _Sender:
    """One event loop's broadcasts handed over by other threads. Each group's messages are sent one at a time in the
    order they were made; groups do not wait for each other (a slow send to one group holds up no other)."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.queues: dict[str, collections.deque] = {}

    def put(self, group: str, message: dict) -> None:  # in the loop's thread
        queue = self.queues.get(group)
        if queue is not None:  # that group's task is still sending: it takes this one too, after the others
            queue.append(message)
            return
        self.queues[group] = collections.deque([message])
        self.loop.create_task(self.send_all(group), name="broadcast-sender")

    async def send_all(self, group: str) -> None:
        queue = self.queues[group]
        try:
            while queue:
                await abroadcast(group, queue.popleft())
        finally:
            del self.queues[group]


_senders: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Sender]" = weakref.WeakKeyDictionary()


def _hand_over(loop: asyncio.AbstractEventLoop, group: str, message: dict) -> None:
    sender = _senders.get(loop)
    if sender is None:
        sender = _senders[loop] = _Sender(loop)
    sender.put(group, message)


def broadcast(group: str, message: dict) -> bool:
    """Synchronous twin of abroadcast for services (call it from transaction.on_commit).

    In a thread started by sync_to_async (Django views under daphne, database_sync_to_async in consumers) it hands the
    message to the server's event loop and returns at once (True: handed over; a failed send is logged there): the
    thread does not wait for a busy loop and the layer's round trip. The loop sends each group's broadcasts one at a
    time in the order they were made (a game's frames keep their order) and groups side by side. Messages still queued
    when the server stops are lost, as a send in flight always was: clients get the full state when they reconnect.
    In plain synchronous code (management commands) it sends on a temporary loop and waits. Called from synchronous
    code that runs inside an event loop's own thread (a script driving a browser with Playwright's sync API), it cannot
    wait for the send: that is a failed broadcast like any other, logged and reported as False.
    """
    envelope(group, message)  # validate in the caller's frame
    loop = getattr(SyncToAsync.threadlocal, "main_event_loop", None)
    if loop is not None and loop is server_loop():
        loop.call_soon_threadsafe(_hand_over, loop, group, message, context=contextvars.Context())
        return True
    try:
        return async_to_sync(abroadcast)(group, message)
    except RuntimeError as exc:
        if "event loop" not in str(exc):
            raise
        logger.warning("broadcast to %s skipped: called inside a running event loop's thread", group)
        return False
