"""Same-run baseline: a bare broadcast server written with the `websockets` library (uvloop).

Every connection is a listener. A connection that sends "payload:<text>" sets the frame to broadcast; one that sends
"go" makes the server send that frame to every other connection with websockets' broadcast() (the frame is encoded
once). It answers "done" to the trigger once broadcast() returned. No compression, loopback only.

    python bench/baseline_ws_server.py --port 8765
"""

import argparse
import asyncio

import uvloop
from websockets.asyncio.server import broadcast, serve

clients: set = set()
state = {"payload": "{}"}


async def handler(ws):
    clients.add(ws)
    try:
        async for message in ws:
            if isinstance(message, str) and message.startswith("payload:"):
                state["payload"] = message[len("payload:") :]
                await ws.send("ok")
            elif message == "go":
                broadcast([c for c in clients if c is not ws], state["payload"])
                await ws.send("done")
    finally:
        clients.discard(ws)


async def main(host: str, port: int) -> None:
    async with serve(handler, host, port, compression=None, ping_interval=None, max_size=2**20, backlog=4096):
        await asyncio.get_running_loop().create_future()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    uvloop.run(main(args.host, args.port))
