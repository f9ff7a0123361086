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

import logging

from asgiref.sync import async_to_sync
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


def broadcast(group: str, message: dict) -> bool:
    """Synchronous twin of abroadcast for services (call it from transaction.on_commit).

    Inside a thread started by sync_to_async (Django views under daphne, database_sync_to_async in consumers) it
    runs on the server's event loop; in plain synchronous code (management commands) on a temporary one. Called from
    synchronous code that runs inside an event loop's own thread (a script driving a browser with Playwright's sync
    API), it cannot wait for the send: that is a failed broadcast like any other, logged and reported as False.
    """
    envelope(group, message)  # validate in the caller's frame
    try:
        return async_to_sync(abroadcast)(group, message)
    except RuntimeError as exc:
        if "event loop" not in str(exc):
            raise
        logger.warning("broadcast to %s skipped: called inside a running event loop's thread", group)
        return False
