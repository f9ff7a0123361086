"""The broadcast fast path (elearn.realtime.direct_frames): one prepared frame written straight to each daphne connection.

Covered here: the frame bytes, when the writer must refuse (the ordinary send path decides), the write-through with a
socket whose buffer is full (the rest queued in Twisted, bytes in order), the fan-out hub's use of `fanout_direct`
(never ahead of a message still pending for that consumer), and, under a real daphne, that a question reaches the
phones through the fast path while answers, acks and personal results keep working and arrive in order.
"""

import asyncio
import json
import socket
import struct
import subprocess
import sys
from types import SimpleNamespace

import pytest
import websockets
from autobahn.websocket.protocol import WebSocketProtocol
from twisted.internet import tcp

from elearn.realtime import direct_frames, fanout
from elearn.realtime.broadcast import abroadcast
from quizzes.competitions import services as competition_services
from quizzes.competitions.models import Competition
from tests.e2e.conftest import session_cookie, start_server, stop_server
from tests.factories import AdminFactory, InstitutionFactory, UserFactory
from tests.quizzes.competition_factories import CORRECT, make_competition

OPEN, CLOSING = WebSocketProtocol.STATE_OPEN, WebSocketProtocol.STATE_CLOSING


def parse_frame(data: bytes) -> tuple[int, str]:
    """(first byte, text) of one unmasked server frame, checking that `data` is exactly one frame."""
    first, second = data[0], data[1]
    assert not second & 0x80, "server frames are never masked"
    length, head = second & 0x7F, 2
    if length == 126:
        length, head = struct.unpack_from(">H", data, 2)[0], 4
    elif length == 127:
        length, head = struct.unpack_from(">Q", data, 2)[0], 10
    assert len(data) == head + length
    return first, data[head:].decode()


@pytest.mark.parametrize("text", ["{}", "安全" * 40, "x" * 70_000])
def test_text_frame_is_one_final_text_frame(text):
    first, decoded = parse_frame(direct_frames.text_frame(text))
    assert first == 0x81 and decoded == text


# --- FrameWriter -----------------------------------------------------------------------------------------------------
class RecordingTransport:
    def __init__(self):
        self.written = []

    def write(self, data):
        self.written.append(data)


class FakeProtocol(SimpleNamespace):
    __hash__ = object.__hash__


def writer_with(**protocol_fields):
    fields = {"state": OPEN, "_perMessageCompress": None, "send_queue": [], "transport": RecordingTransport()}
    protocol = FakeProtocol(**{**fields, **protocol_fields})
    connections = {protocol: {}}
    return direct_frames.FrameWriter(connections, protocol), protocol, connections


def test_writer_writes_to_an_open_connection():
    writer, protocol, _ = writer_with()
    assert writer.write(b"frame") is True
    assert protocol.transport.written == [b"frame"]


@pytest.mark.parametrize(
    "change",
    [
        lambda p, c: c.clear(),  # daphne forgot the connection
        lambda p, c: c[p].update(disconnected=True),
        lambda p, c: setattr(p, "state", CLOSING),
        lambda p, c: setattr(p, "_perMessageCompress", object()),  # compression: autobahn must frame it
        lambda p, c: p.send_queue.append((b"queued", False)),  # autobahn's own queue first
    ],
    ids=["unknown", "disconnected", "closing", "compressed", "autobahn-queue"],
)
def test_writer_refuses_when_the_ordinary_path_must_decide(change):
    writer, protocol, connections = writer_with()
    change(protocol, connections)
    assert writer.write(b"frame") is False
    assert protocol.transport.written == []


@pytest.fixture
def tcp_pair():
    """A Twisted TCP transport over one end of a socket pair (not driven by a reactor) and the other end."""
    near, far = socket.socketpair()
    near.setblocking(False)
    transport = tcp.Connection(near, None)
    transport.connected = True
    yield transport, far
    transport._tempDataBuffer, transport.dataBuffer, transport.offset = [], b"", 0
    near.close()
    far.close()


def test_write_through_goes_straight_to_an_idle_socket(tcp_pair):
    transport, far = tcp_pair
    writer, _, _ = writer_with(transport=transport)
    assert writer.write(b"hello")
    assert far.recv(16) == b"hello"
    assert transport._tempDataBuffer == [] and transport.dataBuffer == b""


def test_write_through_queues_the_rest_when_the_socket_is_full_and_keeps_the_order(tcp_pair, monkeypatch):
    transport, far = tcp_pair
    monkeypatch.setattr(transport, "startWriting", lambda: None)  # no reactor here: the queue stays visible
    writer, _, _ = writer_with(transport=transport)
    big = bytes(range(256)) * 40_000  # 10 MB: more than the socket pair buffers
    assert writer.write(big)
    queued = b"".join(transport._tempDataBuffer)
    assert 0 < len(queued) < len(big) and big.endswith(queued)
    assert writer.write(b"after")  # something is queued now: Twisted's buffer, behind it
    assert transport._tempDataBuffer[-1] == b"after"
    received = bytearray()
    far.setblocking(False)
    while len(received) < len(big) - len(queued):
        received += far.recv(1 << 20)
    assert bytes(received) == big[: len(big) - len(queued)]


def test_middleware_offers_a_writer_only_for_daphne_websockets():
    from functools import partial

    class Server:
        def __init__(self):
            self.connections = {}

        async def handle_reply(self, protocol, message):
            pass

    server, protocol = Server(), WebSocketProtocol()
    assert isinstance(direct_frames.writer_for(partial(server.handle_reply, protocol)), direct_frames.FrameWriter)
    assert direct_frames.writer_for(partial(server.handle_reply, object())) is None

    async def other_send(message):
        pass

    assert direct_frames.writer_for(other_send) is None
    seen = []

    async def app(scope, receive, send):
        seen.append(direct_frames.frame_writer(scope))

    middleware = direct_frames.DirectFramesMiddleware(app)
    asyncio.run(middleware({"type": "websocket"}, None, partial(server.handle_reply, protocol)))
    asyncio.run(middleware({"type": "websocket"}, None, other_send))
    asyncio.run(middleware({"type": "http"}, None, partial(server.handle_reply, protocol)))
    assert isinstance(seen[0], direct_frames.FrameWriter) and seen[1:] == [None, None]


# --- the hub ---------------------------------------------------------------------------------------------------------
class DirectConsumer(fanout.FanoutMixin):
    """Takes "fast" messages directly; "slow" ones go through fanout_deliver and take a while."""

    def __init__(self):
        self.got = []

    def fanout_direct(self, message):
        if message["kind"] != "fast":
            return False
        self.got.append(("direct", message["n"]))
        return True

    async def fanout_deliver(self, message):
        await asyncio.sleep(0.05)
        self.got.append(("deliver", message["n"]))


async def test_hub_writes_directly_but_never_ahead_of_a_pending_message():
    group = "test.direct"
    consumer = DirectConsumer()
    await fanout.join(group, consumer)
    try:
        await abroadcast(group, {"type": "t.m", "kind": "fast", "n": 1})
        await abroadcast(group, {"type": "t.m", "kind": "slow", "n": 2})
        await abroadcast(group, {"type": "t.m", "kind": "fast", "n": 3})  # 2 is still pending: queued behind it
        async with asyncio.timeout(3):
            while len(consumer.got) < 3:
                await asyncio.sleep(0.01)
        await abroadcast(group, {"type": "t.m", "kind": "fast", "n": 4})  # nothing pending again: direct
        async with asyncio.timeout(3):
            while len(consumer.got) < 4:
                await asyncio.sleep(0.01)
    finally:
        await fanout.leave_all(consumer)
    assert consumer.got == [("direct", 1), ("deliver", 2), ("deliver", 3), ("direct", 4)]


# --- under a real daphne -----------------------------------------------------------------------------------------------
def make_game(players: int):
    competition = make_competition(questions=2, seconds_per_question=60, scoring=Competition.Scoring.FLAT)
    admin = AdminFactory(institution=None)
    game = competition_services.competition_host(competition=competition, actor=admin)
    institution = InstitutionFactory()
    cookies = []
    for i in range(players):
        user = UserFactory(institution=institution, real_name=f"直写{i}")
        joined = competition_services.competition_join(game=game, user=user)
        cookies.append(f"{session_cookie(user)}; elearn_player_{game.pk}={joined.token}")
    return game, session_cookie(admin), cookies


@pytest.mark.slow
def test_questions_take_the_fast_path_under_daphne_and_everything_else_still_works(transactional_db):
    game, host_cookie, cookies = make_game(players=3)
    proc, url = start_server()
    ws_url = url.replace("http://", "ws://")
    frames: dict[int, list[dict]] = {i: [] for i in range(len(cookies))}
    used: dict[int, set[int]] = {i: set() for i in range(len(cookies))}

    async def read_until(i, ws, predicate):
        """Phone i's first frame not returned before that matches: frames already read are looked at first (the
        reveal that the last answer causes can overtake that answer's ack), then new ones are read."""
        for n, frame in enumerate(frames[i]):
            if n not in used[i] and predicate(frame):
                used[i].add(n)
                return frame
        async with asyncio.timeout(10):
            while True:
                frame = json.loads(await ws.recv())
                frames[i].append(frame)
                if predicate(frame):
                    used[i].add(len(frames[i]) - 1)
                    return frame

    def phase(name, index):
        return lambda f: f.get("type") == "state" and f.get("phase") == name and f.get("index") == index

    async def scenario():
        host = await websockets.connect(f"{ws_url}/ws/host/{game.pk}/", additional_headers={"Cookie": host_cookie})
        phones = [
            await websockets.connect(f"{ws_url}/ws/play/{game.pin}/", additional_headers={"Cookie": c}) for c in cookies
        ]
        for i, ws in enumerate(phones):
            first = await read_until(i, ws, lambda f: f.get("type") == "state")
            assert "me" in first  # the state on (re)connect is personal
        for index, action in enumerate(("start", "next")):
            if index:
                await host.send(json.dumps({"action": "next"}))  # reveal -> leaderboard
                for i, ws in enumerate(phones):
                    await read_until(i, ws, phase("leaderboard", 0))
            await host.send(json.dumps({"action": action}))
            for i, ws in enumerate(phones):
                question = await read_until(i, ws, phase("question", index))
                assert "me" not in question, "a question should go out as the one shared frame"
                assert "correct" not in json.dumps(question["question"]) and question["remaining"] > 50
            for i, ws in enumerate(phones):
                await ws.send(json.dumps({"action": "answer", "index": index, "choice": [CORRECT if i else 0]}))
                ack = await read_until(i, ws, lambda f: f.get("type") in ("ack", "error"))
                assert ack == {"type": "ack", "index": index, "status": "accepted"}
            for i, ws in enumerate(phones):  # the last answer closes the question: personal results follow
                reveal = await read_until(i, ws, phase("reveal", index))
                assert reveal["me"]["last"]["correct"] is bool(i) and reveal["reveal"]["correct"] == [CORRECT]
        for ws in [*phones, host]:
            await ws.close()

    try:
        asyncio.run(scenario())
    finally:
        stop_server(proc)
    for seen in frames.values():
        versions = [f["version"] for f in seen if f.get("type") == "state"]
        assert versions == sorted(versions), "state frames arrived out of order"


def test_the_asgi_module_freezes_the_loaded_heap_and_raises_the_collector_thresholds():
    code = "import gc, elearn.asgi; print(gc.get_freeze_count(), gc.get_threshold()[0])"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "elearn.settings.test"},
    ).stdout.split()
    assert int(out[0]) > 100_000 and int(out[1]) >= 10_000


async def test_a_failing_direct_delivery_falls_back_to_the_ordinary_path():
    class Broken(DirectConsumer):
        def fanout_direct(self, message):
            raise RuntimeError("boom")

    group = "test.direct.broken"
    broken, fine = Broken(), DirectConsumer()
    await fanout.join(group, broken)
    await fanout.join(group, fine)
    try:
        await abroadcast(group, {"type": "t.m", "kind": "fast", "n": 1})
        async with asyncio.timeout(3):
            while not broken.got or not fine.got:
                await asyncio.sleep(0.01)
    finally:
        await fanout.leave_all(broken)
        await fanout.leave_all(fine)
    assert broken.got == [("deliver", 1)] and fine.got == [("direct", 1)]


def test_a_leaderboard_update_is_framed_once_and_written_to_each_viewer():
    from leaderboard.rankings.consumers import LeaderboardConsumer

    viewers = []
    for _ in range(2):
        viewer = LeaderboardConsumer()
        viewer.writer, protocol, _ = writer_with()
        viewers.append((viewer, protocol))
    message = {"type": "leaderboard.update", "board": "exam.1", "top": [{"rank": 1, "name": "王芳"}]}
    assert all(viewer.fanout_direct(message) for viewer, _ in viewers)
    [first], [second] = (protocol.transport.written for _, protocol in viewers)
    assert first is second  # one frame for both
    assert parse_frame(first) == (0x81, fanout.json_text(message))
    assert json.loads(fanout.json_text(message)) == {k: v for k, v in message.items() if not k.startswith("__")}
    assert not LeaderboardConsumer().fanout_direct(message)  # no writer (not daphne): the ordinary path


# --- personal frames (reveal, leaderboard, finished): prepared once per process, written in the dispatch loop --------
def _player(player_id, me=None):
    from quizzes.competitions.consumers import PlayerConsumer

    phone = PlayerConsumer()
    phone.player_id, phone.me = player_id, me or {"index": 0, "answered": True}
    phone.writer, protocol, _ = writer_with()
    return phone, protocol


def _reveal(**extra):
    state = {"game": 7, "version": 5, "phase": "reveal", "index": 0, "reveal": {"correct": [1]}}
    return {"type": "game.state", "state": state, **extra}


def test_a_reveal_with_its_prepared_results_is_written_as_each_players_own_frame():
    results = {1: {"index": 0, "rank": 1, "score": 1000}, 2: {"index": 0, "rank": 2, "score": 600}}
    message = _reveal(__results__=results)
    phones = [_player(1), _player(2), _player(3, me={"index": 0, "answered": False})]
    assert all(phone.fanout_direct(message) for phone, _ in phones)
    frames = [json.loads(parse_frame(protocol.transport.written[0])[1]) for _, protocol in phones]
    assert [f["me"] for f in frames] == [results[1], results[2], {"index": 0, "answered": False}]  # 3: not in table
    assert all(f["phase"] == "reveal" and f["remaining"] is None and "__results__" not in f for f in frames)
    assert frames[0]["server_time"] == frames[1]["server_time"]  # one clock for the dispatch loop
    assert phones[0][0].me is results[1]  # the phone's own state follows what it was sent


def test_a_personal_state_without_prepared_results_takes_the_ordinary_path():
    phone, protocol = _player(1)
    assert not phone.fanout_direct(_reveal())
    phone.writer = None  # not under daphne
    assert not phone.fanout_direct(_reveal(__results__={1: {"rank": 1}}))
    assert protocol.transport.written == [] and phone.me == {"index": 0, "answered": True}


async def test_the_hub_prepares_a_message_once_before_any_consumer_sees_it_and_survives_a_failing_preparation():
    seen = []

    async def prepare(message):
        seen.append(message["n"])
        if message["n"] == 2:
            raise RuntimeError("database gone")
        await asyncio.sleep(0.02)
        message["__prepared__"] = f"table {message['n']}"

    class Reader(DirectConsumer):
        def fanout_direct(self, message):
            self.got.append(("direct", message["n"], message.get("__prepared__")))
            return True

    fanout.prepare_with("t.prepared", prepare)
    group = "test.direct.prepared"
    readers = [Reader(), Reader()]
    for reader in readers:
        await fanout.join(group, reader)
    try:
        for n in (1, 2, 3):
            await abroadcast(group, {"type": "t.prepared", "kind": "fast", "n": n})
        async with asyncio.timeout(3):
            while any(len(r.got) < 3 for r in readers):
                await asyncio.sleep(0.01)
    finally:
        for reader in readers:
            await fanout.leave_all(reader)
        fanout._preparers.pop("t.prepared", None)
    assert seen == [1, 2, 3]  # once per message, not per consumer
    for reader in readers:  # in order; the failed preparation still delivers, without its cache
        assert reader.got == [("direct", 1, "table 1"), ("direct", 2, None), ("direct", 3, "table 3")]
