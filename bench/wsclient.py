"""A minimal WebSocket client protocol for load generation (RFC 6455 text frames, no extensions).

Why not the `websockets` client: the load generator must cost far less CPU per message than the server it measures
(a run where it reaches half the server's CPU per push is reported invalid). This protocol does the handshake, parses
unmasked server frames with a few slicing operations, answers pings, and hands each complete text frame to a callback
together with the receive time. Client frames use an all-zero mask key (allowed by RFC 6455; the payload is then
sent unchanged), which keeps sending free of per-byte work. Loopback benchmarking only.
"""

import asyncio
import base64
import os
import struct
import time

perf = time.perf_counter


class WSClient(asyncio.Protocol):
    __slots__ = ("transport", "buf", "handshaken", "opened", "on_frame", "closed", "request", "index", "tag")

    def __init__(self, host: str, port: int, path: str, on_frame, cookie: str = "", index: int = 0):
        loop = asyncio.get_running_loop()
        self.opened = loop.create_future()
        self.closed = loop.create_future()
        self.on_frame = on_frame
        self.buf = b""
        self.handshaken = False
        self.transport = None
        self.index = index
        self.tag = None
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {path} HTTP/1.1",
            f"Host: {host}:{port}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            f"Origin: http://{host}:{port}",
        ]
        if cookie:
            lines.append(f"Cookie: {cookie}")
        self.request = ("\r\n".join(lines) + "\r\n\r\n").encode()

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.request)

    def data_received(self, data: bytes):
        now = perf()
        buf = self.buf + data if self.buf else data
        if not self.handshaken:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                self.buf = buf
                return
            status = buf[: buf.find(b"\r\n")]
            if b" 101 " not in status:
                if not self.opened.done():
                    self.opened.set_exception(ConnectionError(status.decode(errors="replace")))
                self.transport.close()
                return
            self.handshaken = True
            buf = buf[end + 4 :]
            if not self.opened.done():
                self.opened.set_result(now)
        while len(buf) >= 2:
            b0, b1 = buf[0], buf[1]
            length = b1 & 0x7F
            head = 2
            if length == 126:
                if len(buf) < 4:
                    break
                length = struct.unpack_from(">H", buf, 2)[0]
                head = 4
            elif length == 127:
                if len(buf) < 10:
                    break
                length = struct.unpack_from(">Q", buf, 2)[0]
                head = 10
            if len(buf) < head + length:
                break
            payload = buf[head : head + length]
            buf = buf[head + length :]
            opcode = b0 & 0x0F
            if opcode == 1:
                self.on_frame(self, payload, now)
            elif opcode == 9:
                self._send(0x8A, payload)
            elif opcode == 8:
                self.transport.close()
                return
        self.buf = buf

    def connection_lost(self, exc):
        if not self.opened.done():
            self.opened.set_exception(exc or ConnectionError("closed during handshake"))
        if not self.closed.done():
            self.closed.set_result(True)

    def _send(self, first: int, payload: bytes):
        n = len(payload)
        if n < 126:
            header = struct.pack(">BB", first, 0x80 | n)
        elif n < 65536:
            header = struct.pack(">BBH", first, 0x80 | 126, n)
        else:
            header = struct.pack(">BBQ", first, 0x80 | 127, n)
        self.transport.write(header + b"\x00\x00\x00\x00" + payload)

    def send_text(self, text: str | bytes):
        self._send(0x81, text.encode() if isinstance(text, str) else text)

    def close(self):
        if self.transport is not None and not self.transport.is_closing():
            try:
                self._send(0x88, struct.pack(">H", 1000))
            finally:
                self.transport.close()


async def connect(host, port, path, on_frame, cookie="", index=0, timeout=30.0) -> WSClient:
    loop = asyncio.get_running_loop()
    _, proto = await asyncio.wait_for(
        loop.create_connection(lambda: WSClient(host, port, path, on_frame, cookie, index), host, port), timeout
    )
    await asyncio.wait_for(proto.opened, timeout)
    return proto
