"""The broadcast fast path: one WebSocket frame, built once, written straight to every local daphne connection.

A question going out to 2,000 phones is the same bytes for each of them. Sent the ordinary way, every copy costs about
55 us of Python in the server: the consumer's `send`, the session middleware's wrapper, daphne's `handle_reply`,
autobahn's `sendMessage` (framing, traffic counters, a debug-log line whose arguments are formatted on every call),
then Twisted's write, which only buffers: the bytes leave in a later loop turn, after registering the socket for
writing and unregistering it again (two epoll_ctl calls and Twisted's logging context per connection). That is most
of a 2,000-player push. Here the frame is built once per broadcast with autobahn's own `PreparedMessage` (what
autobahn offers for broadcasting) and written to each connection at once, as asyncio's own transports do: straight
to the socket when Twisted has nothing queued for it, the rest (if the socket buffer is full) through Twisted.

`DirectFramesMiddleware` (outermost on the WebSocket stack, elearn.asgi) recognises daphne's ASGI `send` (a partial of
`Server.handle_reply` bound to the connection's protocol) and offers a `FrameWriter` in the scope's "extensions", the
ASGI place for server extras. Under another server, or under Channels' `WebsocketCommunicator`, nothing is offered and
consumers send the ordinary way. `FrameWriter.write` refuses (returns False) whenever the ordinary path must decide:
the connection is closing or closed, autobahn has queued data of its own, or per-message compression was negotiated.
Frames written here and by the ordinary path share one Twisted transport, so they reach the client in call order.
"""

from __future__ import annotations

import functools

from autobahn.websocket.protocol import PreparedMessage, WebSocketProtocol
from twisted.internet import tcp

EXTENSION = "elearn.direct_frames"


def text_frame(text: str) -> bytes:
    """`text` as one complete, unmasked server-to-client WebSocket text frame."""
    return PreparedMessage(text.encode(), isBinary=False, applyMask=False, doNotCompress=True).payloadHybi


def shared_frame(message: dict, text) -> bytes:
    """The frame of a broadcast `message` that every local consumer sends as is: `text()` framed on first use, then
    cached on the (shared) message, so once per process."""
    frame = message.get("__direct__")
    if frame is None:
        frame = message["__direct__"] = text_frame(text())
    return frame


class FrameWriter:
    """Writes complete frames to one daphne WebSocket connection."""

    __slots__ = ("connections", "protocol")

    def __init__(self, connections: dict, protocol):
        self.connections, self.protocol = connections, protocol

    def write(self, frame: bytes) -> bool:
        """Write `frame` now; False (nothing written) when the ordinary send path has to handle this connection."""
        protocol = self.protocol
        details = self.connections.get(protocol)
        if (
            details is None
            or details.get("disconnected")
            or protocol.state != WebSocketProtocol.STATE_OPEN
            or protocol._perMessageCompress is not None
            or protocol.send_queue
        ):
            return False
        transport = protocol.transport
        if not _idle_tcp(transport):
            transport.write(frame)  # behind what Twisted has queued (or not plain TCP): Twisted keeps the order
            return True
        sent = transport.writeSomeData(frame)  # bytes written, or ConnectionLost
        if isinstance(sent, Exception):
            transport.write(frame)  # let Twisted find the broken connection and close it the usual way
        elif sent < len(frame):
            transport.write(frame[sent:])
        return True


def _idle_tcp(transport) -> bool:
    """A plain TCP transport with nothing queued and open for writing (so a direct socket write keeps the order).
    Reads Twisted's buffer attributes defensively: if a Twisted release renames them, the answer is False and the
    frame goes through `transport.write`."""
    return (
        isinstance(transport, tcp.Connection)
        and transport.connected
        and not transport.disconnecting
        and getattr(transport, "_writeDisconnected", True) is False
        and getattr(transport, "_tempDataBuffer", None) == []
        and getattr(transport, "offset", -1) == len(getattr(transport, "dataBuffer", b"?"))
    )


def writer_for(send) -> FrameWriter | None:
    """A FrameWriter for the connection behind daphne's ASGI `send`, or None if `send` is not daphne's."""
    if not isinstance(send, functools.partial) or len(send.args) != 1 or send.keywords:
        return None
    server = getattr(send.func, "__self__", None)
    protocol = send.args[0]
    if getattr(send.func, "__name__", "") != "handle_reply" or not isinstance(protocol, WebSocketProtocol):
        return None
    connections = getattr(server, "connections", None)
    return FrameWriter(connections, protocol) if isinstance(connections, dict) else None


def frame_writer(scope) -> FrameWriter | None:
    """The connection's FrameWriter from a consumer's scope, if the server offered one."""
    return (scope.get("extensions") or {}).get(EXTENSION)


class DirectFramesMiddleware:
    """ASGI middleware: offers a FrameWriter in scope["extensions"] on WebSocket connections served by daphne."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket":
            writer = writer_for(send)
            if writer is not None:
                scope = {**scope, "extensions": {**(scope.get("extensions") or {}), EXTENSION: writer}}
        return await self.app(scope, receive, send)
