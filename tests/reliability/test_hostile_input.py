"""Hostile input: whatever a careless or malicious client sends, the server stays up, writes nothing half-way, and
answers with an error that says what is wrong.

- WebSockets, against a real daphne process: random and malformed frames (random bytes, binary frames, broken JSON,
  JSON of the wrong type or shape, unknown actions, huge numbers, deep nesting, unusual Unicode), frames over the
  consumer's size cap and over daphne's 1 MiB limit, invalid UTF-8, a flood, sent to a player's competition socket
  and a leaderboard socket. Every frame gets an error frame (or its normal reply), or the connection is closed with a
  reason code; the server answers normally afterwards; its memory stays bounded; its log shows no traceback.
- Uploads to every import endpoint (question bank and roster, API and admin pages; statute import page): zip bomb,
  XML bombs in Moodle XML and inside an xlsx, wrong file types, empty and truncated files, unexpected encodings, and
  names/questions carrying 10,000 characters, NUL, bidi overrides, zero-width joiners, emoji, combining marks.
- A guest's nickname with unusual Unicode.

In-process consumer hygiene (one frame of each kind) is in tests/quizzes/test_competition_consumers.py and
tests/leaderboard/test_consumers.py; parse-level import errors in tests/quizzes/test_bank_import.py.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import random
import re
import time
import zipfile
from collections import Counter
from dataclasses import dataclass, field

import pytest
import websockets
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from leaderboard.rankings import boards
from quizzes.competitions import services as competition_services
from quizzes.competitions.consumers import PLAYER_MAX_FRAME
from quizzes.competitions.selectors import player_cookie
from tests.e2e.conftest import _server_log_path, session_cookie, start_server, stop_server
from tests.factories import AdminFactory, InstitutionFactory, UserFactory
from tests.leaderboard.factories import make_exam
from tests.quizzes.competition_factories import make_competition

# --- WebSockets against a real daphne process ------------------------------------------------------------------

SUITE_FRAMES = int(os.environ.get("HOSTILE_FRAMES", "2000"))  # per socket, in the normal suite
FULL_FRAMES = 10_000  # per socket, under `make reliability`
BATCH = 20  # a player connection's burst allowance (10 actions/s, burst 20): every frame of a batch is parsed
RSS_BOUND_KB = 50 * 1024
DAPHNE_MAX_MESSAGE = 1024 * 1024  # daphne's default --websocket_max_message_size (autobahn closes with 1009 above)
LEADERBOARD_MAX_FRAME = 1024
CLOSE_TOO_BIG, CLOSE_INVALID_PAYLOAD, CLOSE_DROPPED, CLOSE_ABUSE = 1009, 1007, 1006, 4408

WEIRD_TEXT = [
    "\u202e\u6d4b\u8bd5",  # right-to-left override
    "\u200d\u200d\u200d",  # zero-width joiners
    "\U0001f469\U0001f3fd\u200d\u2695\ufe0f",  # woman health worker, skin tone, ZWJ sequence
    "e\u0301\u0301\u0301\u0301\u0301",  # stacked combining marks
    "\u0000nul",
    "\ufeffbom",
    "\U0010ffff\U000e0001",
    "\u0663\u0664",  # Arabic-Indic digits
    "\uff10",  # fullwidth zero
    "p\u0456ng",  # Cyrillic і: a lookalike of "ping"
    "ping\u200b",
    "\ufffd" * 10,
    "\U0001f600" * 50,
]
HUGE_NUMBERS = [
    "1" + "0" * 300,
    "-" + "9" * 300,
    "1e308",
    "1e999",
    "-1e999",
    "NaN",
    "Infinity",
    "-0",
    "9223372036854775808",
    "18446744073709551616",
    "0.000000000000000000000001",
    "32768",
    "-1",
]


def _json_value(rng: random.Random, depth: int = 0) -> str:
    """Raw JSON text of a random value: wrong types, huge numbers, unusual strings, nested containers."""
    kind = rng.randrange(8 if depth < 3 else 5)
    if kind == 0:
        return rng.choice(HUGE_NUMBERS)
    if kind == 1:
        return json.dumps(rng.choice(WEIRD_TEXT))
    if kind == 2:
        return rng.choice(["null", "true", "false", '""', "0", "1.5", '"0"', '"\\ud800"', '"\\udfff\\ud800"'])
    if kind == 3:
        return json.dumps("".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(rng.randrange(30))))
    if kind == 4:
        return str(rng.randrange(-5, 10))
    if kind == 5:
        return "[" + ",".join(_json_value(rng, depth + 1) for _ in range(rng.randrange(4))) + "]"
    if kind == 6:
        return "{" + ",".join(f"{json.dumps(k)}:{_json_value(rng, depth + 1)}" for k in rng.sample(KEYS, 2)) + "}"
    return "[" * rng.randrange(50, 400) + "]" * rng.randrange(0, 400)


KEYS = ["action", "type", "index", "choice", "t", "player", "\u0000", "", "action\u200b", "__proto__", "constructor"]
ACTIONS = ["answer", "sync", "ping", "start", "next", "remove", "end", "", "ANSWER", " ping", *WEIRD_TEXT]


def _frame(rng: random.Random) -> str | bytes:
    """One hostile frame: text (str) or binary (bytes)."""
    kind = rng.randrange(14)
    if kind == 0:
        return rng.randbytes(rng.randrange(0, 300))
    if kind == 1:  # random Unicode junk
        return "".join(chr(rng.choice([rng.randrange(0x20, 0x7F), rng.randrange(0x300, 0x370), 0x200D, 0x202E,
                                        rng.randrange(0x4E00, 0x9FFF), rng.randrange(0x1F300, 0x1FAFF)]))
                       for _ in range(rng.randrange(0, 200)))  # fmt: skip
    if kind == 2:  # a well-formed frame, broken: truncated, a character dropped or inserted
        text = json.dumps({"action": "answer", "index": 0, "choice": [1]})
        cut = rng.randrange(1, len(text))
        return rng.choice(
            [text[:cut], text[:cut] + text[cut + 1 :], text[:cut] + rng.choice("{}[],:\"'\\") + text[cut:]]
        )
    if kind == 3:  # JSON of the wrong type or shape
        return _json_value(rng)
    if kind == 4:  # an action (or leaderboard type) that is unknown or of the wrong type
        value = rng.choice([json.dumps(rng.choice(ACTIONS)), _json_value(rng)])
        return "{" + f'"{rng.choice(["action", "type"])}":{value}' + "}"
    if kind in (5, 6, 7):  # answers whose index or choice is hostile
        index = rng.choice([*HUGE_NUMBERS, '"0"', "null", "[0]", "{}", "true", "1.0", "0", "1", "2"])
        choice = rng.choice(
            ["[]", "[1]", "[0,1]", '["1"]', "[true]", "[1.0]", "[[1]]", '{"0":1}', '"1"', "null", "[-1]",
             "[" + rng.choice(HUGE_NUMBERS) + "]", "[" + ",".join(["1"] * rng.randrange(2, 300)) + "]"]
        )  # fmt: skip
        return f'{{"action":"answer","index":{index},"choice":{choice}}}'
    if kind == 8:  # pings whose echo value is hostile
        return f'{{"action":"ping","type":"ping","t":{_json_value(rng)}}}'
    if kind == 9:  # deep nesting, closed and unclosed, near the size cap
        depth = rng.randrange(100, 1100)
        return rng.choice(["[" * depth + "]" * depth, "[" * depth, '{"a":' * (depth // 5) + "1" + "}" * (depth // 5)])
    if kind == 10:  # just over and just under the consumer's cap
        filler = rng.choice(["x", "\u6d4b", "\U0001f600"])
        size = PLAYER_MAX_FRAME + rng.choice([-40, -2, 1, 5, 200, 5000])
        return '{"action":"ping","type":"ping","t":"' + filler * max(0, size // len(filler.encode())) + '"}'
    if kind == 11:  # keys and values carrying NUL, surrogates, overrides
        key = rng.choice(KEYS)
        return "{" + json.dumps(key) + ":" + json.dumps(rng.choice(WEIRD_TEXT)) + ',"action":"\\u0000"}'
    if kind == 12:
        return rng.choice(["", " ", "\n", "{}", "[]", "null", '"ping"', "{'action':'ping'}", '{"action":"ping",}',
                           "\ufeff{}", '{"action":"ping"}{"action":"ping"}'])  # fmt: skip
    return rng.randbytes(rng.randrange(0, 50)).decode("latin-1")


def _loads(text: str):
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


def expected_replies(frame: str | bytes, socket: str) -> set[str]:
    """What a correct server may answer to `frame`: "error" for every malformed frame; the normal reply otherwise."""
    if isinstance(frame, bytes):
        return {"error"}
    if socket == "player":
        if len(frame.encode()) > PLAYER_MAX_FRAME:
            return {"error"}
        value = _loads(frame)
        action = value.get("action") if isinstance(value, dict) else None
        action = action if isinstance(action, str) else None
        return {"ping": {"pong"}, "answer": {"error", "ack"}, "sync": {"state"}}.get(action, {"error"})
    if len(frame) > LEADERBOARD_MAX_FRAME:
        return {"error"}
    value = _loads(frame)
    return {"pong"} if isinstance(value, dict) and value.get("type") == "ping" else {"error"}


def hostile_frames(seed: int, count: int, socket: str) -> list[str | bytes]:
    rng = random.Random(seed)
    frames = []
    while len(frames) < count:
        frame = _frame(rng)
        if "state" in expected_replies(frame, socket):
            continue  # a valid request, not a hostile one (its reply is a full state frame)
        frames.append(frame)
    return frames


@dataclass
class Tally:
    """What one socket's fuzzing saw."""

    sent: int = 0
    replies: Counter = field(default_factory=Counter)  # reply kind -> count ("error:<code>", "pong", "ack")
    wrong: list = field(default_factory=list)  # (frame, reply) where the reply was not an allowed one
    unanswered: int = 0
    closes: Counter = field(default_factory=Counter)  # close code -> count
    connections: int = 0

    @property
    def server_errors(self) -> int:
        return self.replies["error:server_error"] + self.closes[1011]


def strict_json(text: str):
    """JSON as browsers parse it: NaN and Infinity are not JSON."""

    def refuse(name):
        raise ValueError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


def _kind(reply: dict) -> str:
    if "error" in reply:
        return "error"
    return {"leaderboard.update": "", "leaderboard.state": ""}.get(reply.get("type"), reply.get("type", ""))


REPLY_KINDS = {"error", "pong", "ack"}


async def _replies(ws, tally: Tally, frames: list, socket: str) -> None:
    """Read one reply per frame, in order (skipping broadcasts and initial states), and check each against its
    frame. A closed connection or 20 s of silence leaves the rest unanswered."""
    pending = list(frames)
    try:
        async with asyncio.timeout(20):
            while pending:
                text = await ws.recv()
                try:
                    reply = strict_json(text)
                except ValueError:  # a browser's JSON.parse would throw
                    tally.wrong.append((pending[0], text))
                    reply = json.loads(text)
                kind = _kind(reply)
                if kind not in REPLY_KINDS:
                    continue
                frame = pending.pop(0)
                tally.replies[f"error:{reply['error']}" if kind == "error" else kind] += 1
                if kind not in expected_replies(frame, socket):
                    tally.wrong.append((frame, reply))
    except websockets.ConnectionClosed as closed:
        tally.closes[closed.rcvd.code if closed.rcvd else 1006] += 1
    except TimeoutError:
        tally.wrong.append(("no reply within 20 s", pending[:3]))
    tally.unanswered += len(pending)


async def _connect(url: str, cookie: str, first: str):
    ws = await websockets.connect(url, additional_headers={"Cookie": cookie}, max_size=None, open_timeout=20)
    async with asyncio.timeout(20):
        while json.loads(await ws.recv()).get("type") != first:
            pass
    return ws


async def fuzz_player(url: str, cookie: str, frames: list, tally: Tally) -> None:
    """A fresh connection per batch of BATCH frames, so each one is parsed (not merely rate limited)."""
    for start in range(0, len(frames), BATCH):
        batch = frames[start : start + BATCH]
        ws = await _connect(url, cookie, "state")
        tally.connections += 1
        for frame in batch:
            await ws.send(frame)
        tally.sent += len(batch)
        await _replies(ws, tally, batch, "player")
        await ws.close()


async def fuzz_leaderboard(url: str, cookie: str, frames: list, tally: Tally, batch: int = 100) -> None:
    """One connection (the leaderboard socket has no rate limit): pipelined batches."""
    ws = await _connect(url, cookie, "leaderboard.state")
    tally.connections += 1
    for start in range(0, len(frames), batch):
        chunk = frames[start : start + batch]
        for frame in chunk:
            await ws.send(frame)
        tally.sent += len(chunk)
        await _replies(ws, tally, chunk, "leaderboard")
        if ws.state is not websockets.State.OPEN:
            ws = await _connect(url, cookie, "leaderboard.state")
            tally.connections += 1
    await ws.close()


async def _closed_with(url: str, cookie: str, first: str, send) -> int:
    """Open a connection, run `send(ws)`, and return the close code the server gives."""
    ws = await _connect(url, cookie, first)
    try:
        await send(ws)
        async with asyncio.timeout(20):
            while True:
                await ws.recv()
    except websockets.ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd else 1006
    finally:
        await ws.close()


async def oversized_and_invalid(url: str, cookie: str, first: str) -> dict[str, int | str]:
    """Frames over the consumer's cap get an error frame; frames daphne's protocol layer refuses (over 1 MiB,
    invalid UTF-8 in a text frame) end their connection. Returns what each case got: an error code or a close code."""

    async def error_reply(frame) -> str:
        ws = await _connect(url, cookie, first)
        await ws.send(frame)
        async with asyncio.timeout(20):
            while "error" not in (reply := json.loads(await ws.recv())):
                pass
        await ws.close()
        return reply["error"]

    async def big_text(ws):
        await ws.send("x" * (DAPHNE_MAX_MESSAGE + 1))

    async def big_binary(ws):
        await ws.send(b"\0" * (2 * DAPHNE_MAX_MESSAGE))

    async def big_fragmented(ws):
        await ws.send(["y" * 65536 for _ in range(40)])  # one 2.5 MiB message in 40 fragments

    async def invalid_utf8(ws):
        await ws.send(b'{"action":"ping","t":"\xff\xfe\xed\xa0\x80"}', text=True)

    got: dict[str, int | str] = {
        "just under 1 MiB": await error_reply(json.dumps({"action": "ping", "type": "ping", "t": "x" * 1_000_000})),
        "binary just under 1 MiB": await error_reply(b"\1" * 1_000_000),
    }
    for name, send in (
        ("text over 1 MiB", big_text),
        ("binary over 1 MiB", big_binary),
        ("fragmented over 1 MiB", big_fragmented),
        ("invalid UTF-8 text", invalid_utf8),
    ):
        got[name] = await _closed_with(url, cookie, first, send)
    return got


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def log_problems(path) -> list[str]:
    """Tracebacks and error lines in the server's log."""
    text = path.read_text(errors="replace")
    return [
        line for line in text.splitlines() if re.search(r"Traceback|ERROR|CRITICAL|Exception|Internal Server", line)
    ]


@pytest.fixture
def live_game(transactional_db):
    """A staff competition with its first question open (10 minutes), two players, a published exam's board and a
    daphne process serving them."""
    inst = InstitutionFactory()
    admin = AdminFactory(institution=None)
    game = competition_services.competition_host(
        competition=make_competition(questions=2, seconds_per_question=600), actor=admin
    )
    cookies = []
    for _ in range(2):
        user = UserFactory(institution=inst)
        joined = competition_services.competition_join(game=game, user=user)
        cookies.append(f"{session_cookie(user)}; {player_cookie(game.pk)}={joined.token}")
    competition_services.competition_start(game_id=game.pk, actor=admin)
    exam = make_exam(institutions=[inst])
    proc, url = start_server()
    port = int(url.rsplit(":", 1)[1])
    ws = url.replace("http://", "ws://")
    yield {
        "proc": proc,
        "log": _server_log_path(port),
        "player_url": f"{ws}/ws/play/{game.pin}/",
        "player_cookie": cookies[0],
        "board_url": f"{ws}/ws/leaderboard/{boards.exam_board(exam.pk)}/",
        "admin_cookie": session_cookie(admin),
    }
    stop_server(proc)


async def still_serving(live) -> None:
    """A normal request on each socket is answered normally."""
    ws = await _connect(live["player_url"], live["player_cookie"], "state")
    await ws.send(json.dumps({"action": "ping", "t": 7}))
    await ws.send(json.dumps({"action": "sync"}))
    seen = set()
    async with asyncio.timeout(10):
        while seen != {"pong", "state"}:
            reply = json.loads(await ws.recv())
            assert "error" not in reply, reply
            seen.add(reply.get("type"))
    await ws.close()
    ws = await _connect(live["board_url"], live["admin_cookie"], "leaderboard.state")
    await ws.send(json.dumps({"type": "ping", "t": 7}))
    async with asyncio.timeout(10):
        assert json.loads(await ws.recv()) == {"type": "pong", "t": 7}
    await ws.close()


def run_hostile_frames(live, record_property, count: int) -> None:
    player, board = Tally(), Tally()
    player_frames = hostile_frames(1, count, "player")
    board_frames = hostile_frames(2, count, "leaderboard")
    warm = max(BATCH, count // 10) // BATCH * BATCH

    async def scenario():
        await asyncio.gather(
            fuzz_player(live["player_url"], live["player_cookie"], player_frames[:warm], player),
            fuzz_leaderboard(live["board_url"], live["admin_cookie"], board_frames[:warm], board),
        )
        before = rss_kb(live["proc"].pid)
        started = time.monotonic()
        await asyncio.gather(
            fuzz_player(live["player_url"], live["player_cookie"], player_frames[warm:], player),
            fuzz_leaderboard(live["board_url"], live["admin_cookie"], board_frames[warm:], board),
        )
        elapsed = time.monotonic() - started
        after = rss_kb(live["proc"].pid)
        await still_serving(live)
        return before, after, elapsed

    before, after, elapsed = asyncio.run(scenario())
    problems = log_problems(live["log"])
    errors = player.server_errors + board.server_errors + len(problems)
    record_property("frames_sent", player.sent + board.sent)
    record_property("frames_per_second", round((player.sent + board.sent - 2 * warm) / elapsed))
    record_property("player_connections", player.connections)
    record_property("rss_before_kb", before)
    record_property("rss_growth_kb", after - before)
    record_property("server_errors", errors)
    record_property("player_replies", dict(player.replies.most_common(12)))
    record_property("leaderboard_replies", dict(board.replies.most_common(12)))
    assert live["proc"].poll() is None, "daphne exited"
    assert player.sent == board.sent == count
    for name, tally in (("player", player), ("leaderboard", board)):
        assert tally.unanswered == 0 and not tally.closes, (name, tally.unanswered, tally.closes)
        assert not tally.wrong, (name, tally.wrong[:5])
    assert errors == 0, problems[:20]
    assert after - before < RSS_BOUND_KB, f"RSS grew {after - before} kB"


def test_hostile_frames_on_player_and_leaderboard_sockets(live_game, record_property):
    run_hostile_frames(live_game, record_property, SUITE_FRAMES)


@pytest.mark.reliability_only
def test_ten_thousand_hostile_frames_per_socket(live_game, record_property):
    run_hostile_frames(live_game, record_property, FULL_FRAMES)


def test_oversized_invalid_and_flooding_frames_get_an_error_or_lose_the_connection(live_game, record_property):
    live = live_game

    async def scenario():
        player = await oversized_and_invalid(live["player_url"], live["player_cookie"], "state")
        board = await oversized_and_invalid(live["board_url"], live["admin_cookie"], "leaderboard.state")

        async def flood(ws):  # past the rate limit and the consumer's patience
            for _ in range(200):
                await ws.send("{not json")

        flooded = await _closed_with(live["player_url"], live["player_cookie"], "state", flood)
        await still_serving(live)
        return player, board, flooded

    player, board, flooded = asyncio.run(scenario())
    problems = log_problems(live["log"])
    record_property("server_errors", len(problems))
    record_property("player_outcomes", player)
    record_property("leaderboard_outcomes", board)
    # daphne (autobahn) refuses these before the application sees them, and fails the connection by dropping it
    # (its failByDrop default): the client sees 1006, or the close frame (1009/1007) when it arrives first.
    dropped = {"text over 1 MiB", "binary over 1 MiB", "fragmented over 1 MiB", "invalid UTF-8 text"}
    allowed = {case: {CLOSE_DROPPED, CLOSE_INVALID_PAYLOAD if "UTF-8" in case else CLOSE_TOO_BIG} for case in dropped}
    for socket, got in (("player", player), ("leaderboard", board)):
        assert got["just under 1 MiB"] in ("too_large", "frame_too_large"), (socket, got)
        assert got["binary just under 1 MiB"] in ("malformed", "text_only"), (socket, got)
        assert all(got[case] in allowed[case] for case in dropped), (socket, got)
    assert flooded == CLOSE_ABUSE
    assert live["proc"].poll() is None and problems == []


# --- uploads -----------------------------------------------------------------------------------------------------

ROSTER_HEADER = ["姓名", "工号", "手机号", "单位", "科室/岗位", "角色"]
BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10))
    + "]>"
)
EXTERNAL_ENTITY = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Length 40 >>\nstream\n\x00\x01\x9c\xff\xfe binary\nendstream\n"
MARKER = "MARKER"
LEGIT_UNICODE = {  # unusual but legitimate: stored exactly as written
    "emoji": "\U0001f469\U0001f3fd\u200d\u2695\ufe0f\u674e",  # woman health worker (skin tone, ZWJ) + 李
    "combining": "Nguye\u0302\u0303n\u0110u\u031b\u0301c",
    "zwj": "\u5f20\u200d\u4e09",
}


@pytest.fixture(scope="module")
def bomb() -> bytes:
    from tests.quizzes.bank_files import zip_bomb

    return zip_bomb()


def with_part(data: bytes, part: str, edit) -> bytes:
    """The xlsx `data` with one XML part rewritten by `edit(text) -> text` (cells keep openpyxl's inline strings)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            target.writestr(info, edit(body.decode()).encode() if info.filename == part else body)
    return out.getvalue()


SHEET = "xl/worksheets/sheet1.xml"


def _roster(inst: str, name="张三", number="H5001", department="护理部") -> list[list[str]]:
    return [ROSTER_HEADER, [name, number, "", inst, department, "职工"]]


def _csv(rows, encoding="utf-8") -> bytes:
    from tests.quizzes.bank_files import csv_text

    return csv_text(rows).encode(encoding)


def _xlsx(rows) -> bytes:
    from tests.quizzes.bank_files import xlsx

    return xlsx(rows)


def _bank_rows(**fields) -> list[list]:
    from quizzes.bank.importers.template import TEMPLATE_HEADER
    from tests.quizzes.bank_files import template_row

    return [
        TEMPLATE_HEADER,
        template_row(**{"stem": "发生火灾时应当拨打哪个电话？", "options": ("110", "119"), "answer": "B", **fields}),
    ]


@dataclass(frozen=True)
class Case:
    """A hostile file; `phrase` must appear in what the user is told, `where` (row, column) names the cell."""

    id: str
    filename: str
    build: object  # (institution name, zip bomb) -> bytes
    phrase: str
    where: tuple[int, str] | None = None
    accepted: dict | None = None  # a legitimate file: the values that must be stored exactly


FILE_CASES = [  # every bank and roster endpoint
    Case("zip-bomb", "名单.xlsx", lambda inst, bomb: bomb, "压缩炸弹"),
    Case(
        "billion-laughs-in-xlsx",
        "名单.xlsx",
        lambda inst, bomb: with_part(_xlsx(_roster(inst, MARKER)), SHEET, lambda s: BILLION_LAUGHS + s.replace(MARKER, "&lol9;")),
        "实体或 DTD",
    ),
    Case(
        "external-entity-in-xlsx",
        "名单.xlsx",
        lambda inst, bomb: with_part(_xlsx(_roster(inst, MARKER)), SHEET, lambda s: EXTERNAL_ENTITY + s.replace(MARKER, "&xxe;")),
        "实体或 DTD",
    ),
    Case("png-renamed-xlsx", "照片.xlsx", lambda inst, bomb: PNG, "不是有效的 Excel"),
    Case("pdf-renamed-csv", "通知.csv", lambda inst, bomb: PDF, "编码"),
    Case("empty-csv", "空.csv", lambda inst, bomb: b"", "空"),
    Case("zero-byte-xlsx", "空.xlsx", lambda inst, bomb: b"", "空"),
    Case("truncated-xlsx", "半截.xlsx", lambda inst, bomb: _xlsx(_roster(inst))[:700], "不是有效的 Excel"),
    Case("utf16-csv", "名单.csv", lambda inst, bomb: "\n".join(",".join(r) for r in _roster(inst)).encode("utf-16"), "编码"),
    Case("cesu8-surrogates-csv", "名单.csv", lambda inst, bomb: _csv(_roster(inst, MARKER)).replace(b"MARKER", b"\xed\xa0\x80\xed\xb0\x80"), "编码"),
    Case(
        "lone-surrogate-reference-xlsx",
        "名单.xlsx",
        lambda inst, bomb: with_part(_xlsx(_roster(inst, MARKER)), SHEET, lambda s: s.replace(MARKER, "&#xD800;")),
        "无法读取 Excel",
    ),
]  # fmt: skip
ROSTER_CASES = [
    Case("name-10000-chars", "名单.xlsx", lambda inst, bomb: _xlsx(_roster(inst, "名" * 10_000)), "超过 50", (2, "姓名")),
    Case("employee-no-10000-chars", "名单.csv", lambda inst, bomb: _csv(_roster(inst, number="9" * 10_000)), "超过 32", (2, "工号")),
    Case("nul-in-name-csv", "名单.csv", lambda inst, bomb: _csv(_roster(inst, "张\x00三")), "U+0000", (2, "姓名")),
    Case("c1-control-in-name-xlsx", "名单.xlsx", lambda inst, bomb: _xlsx(_roster(inst, "张\x85三")), "U+0085", (2, "姓名")),
    Case("rtl-override-in-name", "名单.csv", lambda inst, bomb: _csv(_roster(inst, "\u202e三张")), "U+202E", (2, "姓名")),
    Case("control-in-department", "名单.csv", lambda inst, bomb: _csv(_roster(inst, department="护理\x07部")), "U+0007", (2, "科室/岗位")),
    Case("bidi-isolate-in-name-xlsx", "名单.xlsx", lambda inst, bomb: _xlsx(_roster(inst, "\u2067张三")), "U+2067", (2, "姓名")),
    Case("gbk-csv", "名单.csv", lambda inst, bomb: _csv(_roster(inst, "王\u00b7五"), "gbk"), "", accepted={"real_name": "王\u00b7五"}),
    *(
        Case(f"legit-{key}", "名单.xlsx", lambda inst, bomb, v=value: _xlsx(_roster(inst, v, department=v)), "", accepted={"real_name": value, "department": value})
        for key, value in LEGIT_UNICODE.items()
    ),
]  # fmt: skip
BANK_CASES = [
    Case("stem-10000-chars", "题库.xlsx", lambda inst, bomb: _xlsx(_bank_rows(stem="题" * 10_000)), "超过 5000", (2, "题干")),
    Case("nul-in-stem-csv", "题库.csv", lambda inst, bomb: _csv(_bank_rows(stem="火灾\x00报警")), "U+0000", (2, "题干")),
    Case(
        "nul-in-option-xlsx",
        "题库.xlsx",
        lambda inst, bomb: with_part(_xlsx(_bank_rows(options=("110", MARKER))), SHEET, lambda s: s.replace(MARKER, "11_x0000_9")),
        "U+0000",
        (2, "选项B"),
    ),
    Case("rtl-override-in-category", "题库.csv", lambda inst, bomb: _csv(_bank_rows(category="消防\u202e安全")), "U+202E", (2, "分类")),
    Case("nul-in-tags", "题库.csv", lambda inst, bomb: _csv(_bank_rows(tags="报警\x00")), "U+0000", (2, "标签")),
    Case("nul-in-gift", "题库.gift", lambda inst, bomb: "::q1:: 火警电话是\x00多少？{=119 ~110}\n".encode(), "U+0000", (1, "题干")),
    Case(
        "billion-laughs-moodle-xml",
        "题库.xml",
        lambda inst, bomb: (f'<?xml version="1.0"?>{BILLION_LAUGHS}<quiz><question type="truefalse"><questiontext>'
                            "<text>&lol9;</text></questiontext></question></quiz>").encode(),
        "安全原因",
    ),  # fmt: skip
    Case(
        "external-entity-moodle-xml",
        "题库.xml",
        lambda inst, bomb: (f'<?xml version="1.0"?>{EXTERNAL_ENTITY}<quiz><question type="truefalse"><questiontext>'
                            "<text>&xxe;</text></questiontext></question></quiz>").encode(),
        "安全原因",
    ),  # fmt: skip
    *(
        Case(f"legit-{key}", "题库.xlsx", lambda inst, bomb, v=value: _xlsx(_bank_rows(stem=v + "？", tags=v)), "", accepted={"stem": value + "？", "tags": [value]})
        for key, value in LEGIT_UNICODE.items()
    ),
]  # fmt: skip
LAW_HEAD = "# 示例安全办法\n\n## 第一章 总则\n\n"
LAW_CASES = [
    Case("empty-md", "办法.md", lambda inst, bomb: b"", "空"),
    Case("pdf-renamed-md", "办法.md", lambda inst, bomb: PDF, "编码"),
    Case("utf16-md", "办法.md", lambda inst, bomb: (LAW_HEAD + "第一条 内容。\n").encode("utf-16"), "编码"),
    Case("title-10000-chars", "办法.md", lambda inst, bomb: ("# " + "法" * 10_000 + "\n\n## 第一章 总则\n\n第一条 内容。\n").encode(), "第 1 行：法规名称超过 100"),
    Case("chapter-10000-chars", "办法.md", lambda inst, bomb: ("# 办法\n\n## 第一章 " + "章" * 10_000 + "\n\n第一条 内容。\n").encode(), "第 3 行：章标题超过"),
    Case("nul-in-article", "办法.md", lambda inst, bomb: (LAW_HEAD + "第一条 内\x00容。\n").encode(), "第 5 行：含有不可见的控制字符 U+0000"),
    Case("rtl-override-in-title", "办法.md", lambda inst, bomb: ("# 示例\u202e办法\n\n## 第一章 总则\n\n第一条 内容。\n").encode(), "第 1 行：含有不可见的控制字符 U+202E"),
    Case("huge-article-number", "办法.md", lambda inst, bomb: (LAW_HEAD + "第" + "9" * 5000 + "条 内容。\n").encode(), "第 5 行：序号"),
    Case("legit-unicode-article", "办法.md", lambda inst, bomb: (LAW_HEAD + "第一条 " + "".join(LEGIT_UNICODE.values()) + "。\n").encode(), "", accepted={}),
]  # fmt: skip


@dataclass
class Outcome:
    statuses: list[int]
    text: str  # everything the user was shown (JSON or the page), unescaped
    issues: set[tuple[int, str, str]]  # (row, column, reason)


_ISSUE_ROW = re.compile(r"<td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>")


def _page(response) -> tuple[str, set]:
    import html

    body = response.content.decode()
    issues = {(int(r), html.unescape(c), html.unescape(m)) for r, c, m in _ISSUE_ROW.findall(body)}
    return html.unescape(body), issues


def _api(response) -> tuple[str, set]:
    body = response.json()
    report = body.get("report", body) if isinstance(body, dict) else {}  # a refused import: its report, in the error
    issues = {(i["row"], i["column"], i["reason"]) for i in report.get("rejected", [])}
    return json.dumps(body, ensure_ascii=False), issues


def upload(endpoint: str, client, api, filename: str, data: bytes) -> Outcome:
    """Upload as a district admin the way each endpoint is used, committing whatever the preview allows."""
    file = SimpleUploadedFile(filename, data)
    if endpoint in ("bank-api", "roster-api"):
        url = "/api/v1/bank/import/" if endpoint == "bank-api" else "/api/v1/roster-import/"
        response = api.post(url, {"file": file, "commit": True}, format="multipart")
        return Outcome([response.status_code], *_api(response))
    if endpoint == "bank-page":
        first = client.post(reverse("quizzes_bank_import"), {"file": file})
        statuses = [first.status_code]
        if first.status_code != 302:
            return Outcome(statuses, *_page(first))
        job = client.get(first["Location"])
        text, issues = _page(job)
        statuses.append(job.status_code)
        if 'data-count="rejected"' in text or "确认导入" in text:
            commit = client.post(first["Location"], {})
            statuses.append(commit.status_code)
            more, more_issues = _page(commit)
            text, issues = text + more, issues | more_issues
        return Outcome(statuses, text, issues)
    if endpoint == "roster-page":
        preview = client.post(reverse("org_roster_import"), {"action": "preview", "file": file})
        statuses = [preview.status_code]
        text, issues = _page(preview)
        token = (preview.context or {}).get("token") if preview.status_code == 200 else None
        if token and not issues:
            commit = client.post(reverse("org_roster_import"), {"action": "commit", "token": token})
            statuses.append(commit.status_code)
            more, more_issues = _page(commit)
            text, issues = text + more, issues | more_issues
        return Outcome(statuses, text, issues)
    response = client.post("/admin/courses/import-law/", {"file": file})
    return Outcome([response.status_code], *_page(response))


def stored_counts() -> dict[str, int]:
    from taggit.models import Tag
    from wagtail.models import Page, Revision

    from elearn.org.models import User
    from quizzes.bank.models import Category, Question

    return {model.__name__: model.objects.count() for model in (User, Question, Category, Tag, Page, Revision)}


UPLOAD_PARAMS = [
    *(pytest.param(case, endpoint, id=f"{endpoint}-{case.id}") for case in FILE_CASES
      for endpoint in ("bank-api", "bank-page", "roster-api", "roster-page")),
    *(pytest.param(case, endpoint, id=f"{endpoint}-{case.id}") for case in ROSTER_CASES for endpoint in ("roster-api", "roster-page")),
    *(pytest.param(case, endpoint, id=f"{endpoint}-{case.id}") for case in BANK_CASES for endpoint in ("bank-api", "bank-page")),
    *(pytest.param(case, "law-page", id=f"law-page-{case.id}") for case in LAW_CASES),
]  # fmt: skip


@pytest.mark.parametrize(("case", "endpoint"), UPLOAD_PARAMS)
def test_hostile_upload_is_refused_clearly_and_writes_nothing(
    case, endpoint, client_for, api_for, district_admin, inst_a, bomb, record_property
):
    from tests.courses.factories import make_index

    make_index()
    client, api = client_for(district_admin), api_for(district_admin)
    before = stored_counts()
    outcome = upload(endpoint, client, api, case.filename, case.build(inst_a.name, bomb))
    record_property("server_errors", sum(s >= 500 for s in outcome.statuses))
    assert all(s < 500 for s in outcome.statuses), outcome.statuses
    if case.accepted is not None:
        assert not outcome.issues and outcome.statuses[-1] in (200, 201, 302), (outcome.statuses, outcome.text[:500])
        _assert_stored_exactly(case, endpoint)
        return
    assert stored_counts() == before, "a refused upload wrote something"
    assert case.phrase in outcome.text, outcome.text[:2000]
    if case.where is not None:
        row, column = case.where
        assert any((r, c) == (row, column) and case.phrase in m for r, c, m in outcome.issues), outcome.issues


def _assert_stored_exactly(case, endpoint) -> None:
    from elearn.org.models import User
    from quizzes.bank.models import Question

    if endpoint.startswith("roster"):
        user = User.objects.get(employee_no="H5001")
        assert {k: getattr(user, k) for k in case.accepted} == case.accepted
    elif endpoint.startswith("bank"):
        question = Question.objects.get()
        assert question.stem == case.accepted["stem"] and list(question.tags.names()) == case.accepted["tags"]
    else:
        from courses.models import CoursePage

        assert CoursePage.objects.filter(law_title="示例安全办法").exists()


def test_unusual_unicode_nicknames_are_refused_without_a_player(client, db, record_property):
    """Guests pick a generated nickname; anything else typed into the form is refused with the picker's message."""
    from quizzes.competitions.models import Competition, Player

    admin = AdminFactory(institution=None)
    game = competition_services.competition_host(
        competition=make_competition(questions=1, audience=Competition.Audience.PUBLIC), actor=admin
    )
    generated = competition_services.nickname_choices(game=game, count=1)[0]
    nicknames = [
        generated + "9" * 10_000,  # passes the "generated name + number" rule, far over the column
        generated + "\x00",
        generated + "\u202e",
        "\u202e" + generated,
        generated + "\u200d",
        generated + "\U0001f469\U0001f3fd\u200d\u2695\ufe0f",
        generated + "\u0301\u0301",
        generated + "\u0663",  # an Arabic-Indic digit is not a number suffix here
        "名" * 10_000,
        "",
    ]
    statuses = []
    for nickname in nicknames:
        response = client.post(reverse("quizzes:play_game", args=[game.pin]), {"nickname": nickname}, follow=True)
        statuses.append(response.status_code)
        assert response.status_code == 200
        assert "请从列表中选择一个未被使用的昵称" in response.content.decode(), nickname[:20]
    record_property("server_errors", sum(s >= 500 for s in statuses))
    assert not Player.objects.filter(game=game).exists()
    ok = client.post(reverse("quizzes:play_game", args=[game.pin]), {"nickname": generated + "7"})
    assert ok.status_code == 302 and Player.objects.get(game=game).nickname == generated + "7"


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("\u202e三张", "U+202E"),
        ("张\u2066三", "U+2066"),
        ("张\x00三", "空"),  # Django's own null-character validator
        ("名" * 10_000, "50"),
        (LEGIT_UNICODE["emoji"], None),
        (LEGIT_UNICODE["combining"], None),
        (LEGIT_UNICODE["zwj"], None),
    ],
)
def test_player_names_typed_in_the_staff_admin(client_for, district_admin, inst_a, name, error, record_property):
    """A member of staff's name is their player name on leaderboards and the projector; officers type it here."""
    from elearn.org.models import User

    client = client_for(district_admin)
    response = client.post(
        reverse("staff:add"),
        {"employee_no": "H5900", "real_name": name, "mobile": "", "institution": inst_a.pk, "department": "急诊科",
         "role": "staff", "is_active": "on"},
    )  # fmt: skip
    record_property("server_errors", int(response.status_code >= 500))
    if error is None:
        assert response.status_code == 302 and User.objects.get(employee_no="H5900").real_name == name
    else:
        assert response.status_code == 200 and error in response.content.decode()
        assert not User.objects.filter(employee_no="H5900").exists()
