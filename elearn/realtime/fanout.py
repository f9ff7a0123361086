"""Per-process local fan-out: the channel layer carries one message per server process, not one per client.

Why: Channels' `group_send` costs one layer message per member; measured here (DESIGN.md, Real time) a 4,000-member
group took ~1.6 s on channels-redis and ~6 s on the in-memory layer, while a local fan-out reached 4,000 clients in
~130 ms. So each process keeps its own consumers per group and puts ONE process-level channel into the layer group.

Use from a consumer:

    from leaderboard import fanout
    from elearn.realtime.groups import competition_group

    class PlayerConsumer(AsyncJsonWebsocketConsumer):
        async def connect(self):
            ...
            await fanout.join(competition_group(cid), self)
        async def disconnect(self, code):
            await fanout.leave_all(self)
        async def fanout_deliver(self, message):          # called once per broadcast, `message` as sent
            await self.send(text_data=fanout.json_text(message))   # JSON encoded once per process, not per consumer

A consumer may also deliver synchronously, inside the dispatch loop: `fanout_direct(message)` returns True when it
has written the message itself (elearn.realtime.direct_frames: one frame built per broadcast and written to each daphne
connection), False to take the ordinary path below. The hub calls it only when nothing is pending for that consumer,
so messages still arrive in order. Every consumer that joins needs the method (FanoutMixin gives a default). What a
personal frame needs from the database is read once per process and message before the dispatch loop, by the
preparation registered for the message type (`prepare_with`), so personal frames can take the direct path too.

`message` is shared by every local consumer: do not mutate it. A consumer may personalise what it sends (e.g. pick
its own rank out of a {player: rank} map carried in the message). `FanoutMixin.fanout_deliver` dispatches to a
handler named after the message type ("leaderboard.update" -> `leaderboard_update`), like Channels does.

Delivery runs concurrently, one small task per consumer, in order per consumer; each delivery has a timeout
(settings.LEADERBOARD_FANOUT_TIMEOUT, default 2 s) and a consumer whose backlog exceeds
LEADERBOARD_FANOUT_BACKLOG (default 64) loses its oldest pending messages, so one slow socket never stalls the others.

The process channel (channel_layer.new_channel()) and its receive loop start lazily in the running event loop on the
first join, and stop when the last local consumer leaves. Membership is re-added on join when it is older than
LEADERBOARD_FANOUT_REFRESH seconds (default 30) and refreshed periodically by the same loop, so a process channel that
the layer dropped from a group (in-memory layer: an expired message; Redis: group_expiry, a flush or a restart)
rejoins within that interval. Works with InMemoryChannelLayer (one process) and channels-redis (N processes).
"""

import asyncio
import collections
import json
import logging
import math
import time
import weakref

from autobahn.exception import Disconnected
from channels.consumer import get_handler_name
from channels.layers import get_channel_layer
from django.conf import settings

from elearn.realtime.broadcast import ENVELOPE_TYPE

logger = logging.getLogger(__name__)


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


def json_text(message: dict) -> str:
    """`message` as compact JSON text, encoded once and cached on the (shared) message dict. Keys starting with "__"
    are such caches, never part of the message."""
    text = message.get("__json__")
    if text is None:
        text = json.dumps(
            {k: v for k, v in message.items() if not k.startswith("__")}, ensure_ascii=False, separators=(",", ":")
        )
        message["__json__"] = text
    return text


def client_number(value):
    """A value a client sent, fit to echo back in a frame: a finite number, else None. Anything else could carry an
    unpaired surrogate (no UTF-8 frame can hold it: daphne fails to send) or NaN/Infinity (not JSON to a browser)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return value if isinstance(value, int) or math.isfinite(value) else None


class FanoutMixin:
    """Gives an AsyncConsumer `fanout_deliver` that dispatches by message type without extra thread hops, and the
    default `fanout_direct` (none: every message goes through `fanout_deliver`).

    A consumer of the fan-out gets no channel of its own in the layer: everything reaches it through the process's
    channel. Channels would otherwise open one per connection and keep a receive pending on it; on the in-memory layer
    each of those receives sweeps every channel for expired messages, which made a storm of N connections cost O(N²)
    (13% of the server's CPU at 5,000 players). An alias that is not configured gives no layer (get_channel_layer)."""

    channel_layer_alias = "fanout-only: no channel per connection"
    server_closed = False  # this side has closed the connection

    async def dispatch(self, message: dict) -> None:
        """Channels' dispatch without its trip to the database thread before every message (aclose_old_connections):
        these consumers reach the database only through database_sync_to_async, which closes stale connections around
        each call itself. At a burst of 5,000 answers those trips queued one behind another in that one thread.
        Frames still queued when this side closed the connection (a flood closed for abuse) get no answer."""
        if self.server_closed and message["type"] == "websocket.receive":
            return
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def send(self, *args, **kwargs) -> None:
        """A frame to a connection that closed meanwhile is dropped (at most once, as every frame is; its disconnect
        is on its way). Under daphne such a send raised autobahn's Disconnected out of the consumer."""
        try:
            await super().send(*args, **kwargs)
        except Disconnected:
            pass

    async def close(self, *args, **kwargs) -> None:
        self.server_closed = True
        await super().close(*args, **kwargs)

    def fanout_direct(self, message: dict) -> bool:
        return False

    async def fanout_deliver(self, message: dict) -> None:
        handler = getattr(self, message["type"].replace(".", "_"), None)
        if handler is None:
            raise ValueError(f"no handler for message type {message['type']!r}")
        await handler(message)


class _Outbox:
    __slots__ = ("queue", "task")

    def __init__(self, maxlen: int):
        self.queue: collections.deque = collections.deque(maxlen=maxlen)
        self.task: asyncio.Task | None = None


class Hub:
    """Local fan-out for one event loop (one server process has one)."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.layer = get_channel_layer()
        self.members: dict[str, dict] = {}
        self.added: dict[str, float] = {}
        self.channel: str | None = None
        self.lock = asyncio.Lock()
        self.outboxes: dict = {}
        self.receiver: asyncio.Task | None = None
        self.refresher: asyncio.Task | None = None
        self.timeout = _setting("LEADERBOARD_FANOUT_TIMEOUT", 2.0)
        self.backlog = int(_setting("LEADERBOARD_FANOUT_BACKLOG", 64))
        self.refresh = _setting("LEADERBOARD_FANOUT_REFRESH", 30.0)
        self.stats = collections.Counter()

    # membership ------------------------------------------------------------------------------------------------
    async def join(self, group: str, consumer) -> None:
        self.members.setdefault(group, {})[consumer] = None
        if self.channel is None or time.monotonic() - self.added.get(group, float("-inf")) > self.refresh:
            async with self.lock:
                if self.channel is None:
                    await self._start()
                if consumer in self.members.get(group, ()) and (
                    time.monotonic() - self.added.get(group, float("-inf")) > self.refresh
                ):
                    await self.layer.group_add(group, self.channel)
                    self.added[group] = time.monotonic()

    async def leave(self, group: str, consumer) -> None:
        members = self.members.get(group)
        if members is None:
            return
        members.pop(consumer, None)
        if not members:
            await self._drop_if_empty(group)

    async def leave_all(self, consumer) -> None:
        for group in [g for g, m in self.members.items() if consumer in m]:
            await self.leave(group, consumer)
        self.outboxes.pop(consumer, None)

    async def _drop_if_empty(self, group: str) -> None:
        async with self.lock:
            if self.members.get(group):
                return
            self.members.pop(group, None)
            if self.added.pop(group, None) is not None and self.channel is not None:
                try:
                    await self.layer.group_discard(group, self.channel)
                except Exception:
                    logger.exception("fanout: group_discard(%s) failed", group)
            if not self.members:
                await self._stop()

    async def refresh_groups(self) -> None:
        """Re-add the process channel to every group that has local consumers (idempotent)."""
        async with self.lock:
            if self.channel is None:
                return
            for group in [g for g, m in self.members.items() if m]:
                await self.layer.group_add(group, self.channel)
                self.added[group] = time.monotonic()

    # process channel -------------------------------------------------------------------------------------------
    async def _start(self) -> None:
        self.channel = await self.layer.new_channel()
        self.added.clear()
        self.receiver = self.loop.create_task(self._receive_loop(self.channel), name="fanout-receive")
        self.refresher = self.loop.create_task(self._refresh_loop(), name="fanout-refresh")

    async def _stop(self) -> None:
        tasks = [t for t in (self.receiver, self.refresher) if t is not None]
        self.receiver = self.refresher = None
        self.channel = None
        self.added.clear()
        current = asyncio.current_task()
        for task in tasks:
            if task is not current:
                task.cancel()
        for task in tasks:
            if task is not current:
                try:
                    await task
                except (asyncio.CancelledError, Exception):
                    pass

    async def _receive_loop(self, channel: str) -> None:
        backoff = 0.2
        while True:
            try:
                envelope = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                # Redis went away, etc.: keep trying, and re-add memberships once it is back.
                logger.exception("fanout: receive on %s failed; retrying in %.1f s", channel, backoff)
                self.stats["receive_errors"] += 1
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                self.added.clear()
                continue
            backoff = 0.2
            if envelope.get("type") != ENVELOPE_TYPE:
                self.stats["ignored"] += 1
                continue
            group, message = envelope["group"], envelope["message"]
            prepare = _preparers.get(message.get("type"))
            if prepare is not None and self.members.get(group):
                try:
                    await prepare(message)  # later messages wait in the layer: order holds
                except asyncio.CancelledError:
                    raise
                except Exception:  # the consumers take the ordinary path, which does its own reading
                    self.stats["prepare_errors"] += 1
                    logger.exception("fanout: preparing a %s message failed", message.get("type"))
            self.dispatch(group, message)

    async def _refresh_loop(self) -> None:
        while True:
            await asyncio.sleep(self.refresh)
            try:
                await self.refresh_groups()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("fanout: refreshing group membership failed")

    # delivery --------------------------------------------------------------------------------------------------
    def dispatch(self, group: str, message: dict) -> int:
        """Queue `message` for every local consumer of `group`; returns how many. Never waits for them."""
        members = self.members.get(group)
        self.stats["received"] += 1
        if not members:
            return 0
        for consumer in list(members):
            outbox = self.outboxes.get(consumer)
            if (outbox is None or outbox.task is None) and self._direct(consumer, message):
                self.stats["direct"] += 1  # written already; nothing was pending for this consumer, so order holds
                continue
            if outbox is None:
                outbox = self.outboxes[consumer] = _Outbox(self.backlog)
            if len(outbox.queue) == outbox.queue.maxlen:
                self.stats["dropped"] += 1
            outbox.queue.append(message)
            if outbox.task is None:
                outbox.task = self.loop.create_task(self._drain(consumer, outbox))
        return len(members)

    def _direct(self, consumer, message: dict) -> bool:
        try:
            return consumer.fanout_direct(message)
        except Exception:  # never let one consumer end the receive loop: it gets the ordinary path instead
            self.stats["errors"] += 1
            logger.exception("fanout: direct delivery to %r failed", consumer)
            return False

    async def _drain(self, consumer, outbox: _Outbox) -> None:
        try:
            while outbox.queue:
                message = outbox.queue.popleft()
                try:
                    async with asyncio.timeout(self.timeout):
                        await consumer.fanout_deliver(message)
                    self.stats["delivered"] += 1
                except TimeoutError:
                    self.stats["timeouts"] += 1
                    logger.warning("fanout: %r took longer than %.1f s; skipped", consumer, self.timeout)
                except Exception:
                    self.stats["errors"] += 1
                    logger.exception("fanout: delivery to %r failed", consumer)
        finally:
            outbox.task = None


_preparers: dict = {}


def prepare_with(message_type: str, prepare) -> None:
    """Before a message of `message_type` is handed to this process's consumers, `await prepare(message)` once: it may
    cache what every consumer needs on the (shared) message under a "__" key, so that each consumer can write its own
    frame in the dispatch loop (`fanout_direct`) instead of waiting for it in a task of its own."""
    _preparers[message_type] = prepare


_hubs: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Hub]" = weakref.WeakKeyDictionary()


def hub() -> Hub:
    """The fan-out hub of the running event loop (created on first use)."""
    loop = asyncio.get_running_loop()
    found = _hubs.get(loop)
    if found is None:
        found = _hubs[loop] = Hub(loop)
    return found


async def join(group: str, consumer) -> None:
    """Deliver every broadcast to `group` to `consumer.fanout_deliver(message)` until it leaves."""
    await hub().join(group, consumer)


async def leave(group: str, consumer) -> None:
    await hub().leave(group, consumer)


async def leave_all(consumer) -> None:
    """Call from disconnect(): removes `consumer` from every group it joined."""
    await hub().leave_all(consumer)


async def refresh() -> None:
    """Re-add this process's channel to all its groups now (normally done every LEADERBOARD_FANOUT_REFRESH s)."""
    await hub().refresh_groups()


def local_count(group: str) -> int:
    """How many consumers of `group` this process holds (must be called inside the event loop)."""
    return len(hub().members.get(group, ()))
