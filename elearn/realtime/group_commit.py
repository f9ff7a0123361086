"""Group commit for the database work of many WebSocket connections in one server process.

A join storm (a room scanning the PIN's QR code at once) or an answer burst asks the database the same questions for
hundreds of connections within a few milliseconds. A `GroupCommit` collects what arrives while its previous batch is
being handled and hands the lot to one call of its batch function, in a worker thread: the database is asked once per
batch, not once per connection. Alone, an item is handled at once (no waiting for company); under load the batches
grow by themselves, up to `max_batch`. Keys (a game, a PIN) are batched apart and never wait for each other: one
game's batch held up by a lock does not hold up joins or answers of another game in the same process.

    joins = GroupCommit(services.players_connect)        # fn(key, items) -> one result per item, in order
    result = await joins.submit(pin, item)                # the item's result; an exception in it is returned, not raised

One instance per event loop (`for_loop`), so tests that run several loops never share futures. Every submitted item
gets a reply: if the batch function raises, each of its items gets that exception as its result (one object for the
batch: a caller that raises it should raise its own, chained); a batch that gives the wrong number of results, or a
runner cancelled mid-batch, fails its waiting items with RuntimeError instead of leaving them waiting.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable, Hashable

from channels.db import database_sync_to_async

logger = logging.getLogger(__name__)


class GroupCommit:
    def __init__(self, batch: Callable[[Hashable, list], list], *, max_batch: int = 500, name: str = ""):
        self.batch, self.max_batch, self.name = batch, max_batch, name or batch.__name__
        self.pending: dict[Hashable, list] = {}
        self.runners: dict[Hashable, asyncio.Task] = {}  # one per key with work: keys never wait for each other

    async def submit(self, key: Hashable, item) -> object:
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        self.pending.setdefault(key, []).append((item, future))
        if key not in self.runners:
            self.runners[key] = loop.create_task(self.run(key))
        return await future

    async def run(self, key: Hashable) -> None:
        """Batches for one key, one after another, until none is waiting (then the runner ends)."""
        call = database_sync_to_async(self.batch, thread_sensitive=False)
        entries = None
        try:
            while entries := self.pending.pop(key, None):
                for start in range(0, len(entries), self.max_batch):
                    chunk = entries[start : start + self.max_batch]
                    try:
                        results = await call(key, [item for item, _ in chunk])
                    except Exception as error:  # never leave an item without a reply
                        logger.exception("%s: a batch of %d for %r failed", self.name, len(chunk), key)
                        results = [error] * len(chunk)
                    for (_, future), result in zip(chunk, results, strict=True):
                        if not future.done():
                            future.set_result(result)
        finally:  # a wrong number of results, a cancellation: nobody waits forever
            del self.runners[key]
            for _, future in [*(entries or []), *self.pending.pop(key, [])]:
                if not future.done():
                    future.set_exception(RuntimeError(f"{self.name}: the batch gave no result for this item"))


_instances: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict] = weakref.WeakKeyDictionary()


def for_loop(batch: Callable[[Hashable, list], list], **options) -> GroupCommit:
    """The running event loop's GroupCommit for `batch` (created on first use)."""
    loop = asyncio.get_running_loop()
    mine = _instances.get(loop)
    if mine is None:
        mine = _instances[loop] = {}
    instance = mine.get(batch)
    if instance is None:
        instance = mine[batch] = GroupCommit(batch, **options)
    return instance
