"""Coalesced leaderboard pushes: a board that changes 2,000 times a second is pushed at most a few times a second.

`mark_dirty(board_key)` is all a service calls (from transaction.on_commit). Each server process has one flusher per
event loop: a dirty set plus a single task. The first change after a quiet spell is pushed at once (leading edge);
changes during the next LEADERBOARD_PUSH_INTERVAL seconds (default 0.5) are collected and pushed once when it ends
(trailing edge), so the last change is never lost and a board is pushed at most 1/interval times per second per
process, whatever the number of answers or viewers. A push computes the board's state once (selectors.board_state)
and broadcasts it once to board_group(key); the fan-out hands that one message to every local viewer.

Called from synchronous code running in a thread that sync_to_async started (a Django view under daphne, a
consumer's database_sync_to_async call), the mark is handed to the server's event loop thread-safely. With no event
loop at all (management command, plain synchronous test), the board is pushed immediately: there is nothing to
coalesce with.
"""

import asyncio
import contextvars
import logging
import time
import weakref

from channels.db import database_sync_to_async
from django.conf import settings

from elearn.realtime.broadcast import abroadcast, broadcast, server_loop
from elearn.realtime.groups import board_group

logger = logging.getLogger(__name__)


def interval() -> float:
    return float(getattr(settings, "LEADERBOARD_PUSH_INTERVAL", 0.5))


def update_message(key: str, state: dict) -> dict:
    return {"type": "leaderboard.update", "board": key, "state": state}


def _state(key: str) -> dict:
    from leaderboard.rankings.selectors import board_state

    return board_state(key)


class Flusher:
    """The coalescing flusher of one event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.loop = loop
        self.dirty: set[str] = set()
        self.last_push: dict[str, float] = {}
        self.task: asyncio.Task | None = None
        self.pushes = 0

    def mark(self, key: str) -> None:
        self.dirty.add(key)
        if self.task is None:
            # A fresh context: the mark may come from a sync_to_async thread, whose context must not leak into the
            # flusher (asgiref would see its own executor as busy and refuse to run the state query).
            self.task = self.loop.create_task(self._run(), name="leaderboard-flush", context=contextvars.Context())

    async def _run(self) -> None:
        try:
            while self.dirty:
                now = time.monotonic()
                gap = interval()
                due = {k for k in self.dirty if now - self.last_push.get(k, float("-inf")) >= gap}
                if not due:
                    wait = min(self.last_push[k] + gap for k in self.dirty) - now
                    await asyncio.sleep(max(wait, 0.001))
                    continue
                self.dirty -= due
                for key in sorted(due):
                    self.last_push[key] = time.monotonic()
                    await self.push(key)
        finally:
            self.task = None
            if self.dirty:  # marked while the last push was being sent
                self.task = self.loop.create_task(self._run(), name="leaderboard-flush", context=contextvars.Context())

    async def push(self, key: str) -> None:
        try:
            state = await database_sync_to_async(_state)(key)
        except Exception:
            logger.exception("leaderboard: computing state of %s failed", key)
            return
        self.pushes += 1
        await abroadcast(board_group(key), update_message(key, state))


_flushers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Flusher]" = weakref.WeakKeyDictionary()


def flusher(loop: asyncio.AbstractEventLoop | None = None) -> Flusher:
    loop = loop or asyncio.get_running_loop()
    found = _flushers.get(loop)
    if found is None:
        found = _flushers[loop] = Flusher(loop)
    return found


def mark_dirty(key: str) -> None:
    """Board `key` changed: push its new state to viewers soon (coalesced). Safe from any thread."""
    loop = server_loop()
    if loop is None:
        push_now(key)
        return
    try:
        running = asyncio.get_running_loop()
    except RuntimeError:
        running = None
    if running is loop:
        flusher(loop).mark(key)
    else:
        loop.call_soon_threadsafe(lambda: flusher(loop).mark(key), context=contextvars.Context())


def push_now(key: str) -> None:
    """Compute and broadcast `key`'s state now (synchronous callers with no event loop)."""
    try:
        state = _state(key)
    except Exception:
        logger.exception("leaderboard: computing state of %s failed", key)
        return
    broadcast(board_group(key), update_message(key, state))
