"""Scale-out: two daphne processes sharing Redis serve one competition, host on one, players on both.

Each process puts ONE channel into the competition's channel-layer group (per-process fan-out) and delivers every
broadcast to its own players; a ranking change made by a third process (this test) reaches leaderboard viewers on
both servers. Skipped without REDIS_URL (the in-memory layer cannot span processes).
"""

import asyncio
import json
import os

import pytest
import redis
import websockets
from channels.layers import get_channel_layer

from elearn.realtime.groups import board_group, competition_group
from leaderboard.rankings import boards, services
from quizzes.bank.models import Category, Question
from quizzes.competitions import services as competition_services
from quizzes.competitions.models import Competition, CompetitionQuestion
from tests.e2e.conftest import session_cookie, start_server, stop_server
from tests.factories import AdminFactory, InstitutionFactory, UserFactory
from tests.leaderboard.factories import make_exam, submit

pytestmark = [
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL: two processes share a Redis layer"),
    pytest.mark.slow,
]


@pytest.fixture
def two_servers(transactional_db):
    procs = []
    urls = []
    for _ in range(2):
        proc, url = start_server()
        procs.append(proc)
        urls.append(url.replace("http://", "ws://"))
    yield urls
    for proc in procs:
        stop_server(proc)


def make_game(questions=2):
    inst_a = InstitutionFactory(name="甲镇卫生院", short_name="甲院")
    inst_b = InstitutionFactory(name="乙镇卫生院", short_name="乙院")
    category = Category.objects.create(name="扩展测试")
    competition = Competition.objects.create(
        title="双进程竞赛",
        seconds_per_question=60,
        scoring=Competition.Scoring.SPEED,
        audience=Competition.Audience.STAFF,
        institution_min_players=2,
    )
    for i in range(questions):
        q = Question.objects.create(
            category=category,
            type=Question.Type.SINGLE,
            stem=f"第{i + 1}题：发现火灾应当立即拨打哪个电话？",
            options=["110", "119", "120", "122"],
            correct_options=[1],
            status=Question.Status.ACTIVE,
        )
        CompetitionQuestion.objects.create(competition=competition, question=q, sort_order=i)
    admin = AdminFactory(institution=None)
    game = competition_services.competition_host(competition=competition, actor=admin)
    players = []
    for i in range(4):
        user = UserFactory(institution=inst_a if i % 2 == 0 else inst_b, real_name=f"选手{i}")
        joined = competition_services.competition_join(game=game, user=user)
        cookie = f"{session_cookie(user)}; elearn_player_{game.pk}={joined.token}"
        players.append({"user": user, "player": joined.player, "cookie": cookie})
    return game, admin, players


_unread: dict = {}


async def frame_until(ws, predicate, timeout=10.0) -> dict:
    """The first frame that satisfies `predicate` (bounded by `timeout`). Frames read on the way are kept for later
    calls: the reveal may overtake the acknowledgement of the answer that closed the question (the protocol allows
    it), and waiting for the acknowledgement must not throw the reveal away."""
    backlog = _unread.setdefault(ws, [])
    for i, frame in enumerate(backlog):
        if predicate(frame):
            return backlog.pop(i)
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if predicate(frame):
                return frame
            backlog.append(frame)


def group_members(group: str) -> int:
    layer = get_channel_layer()
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    try:
        return client.zcard(layer._group_key(group))
    finally:
        client.close()


def test_two_processes_one_competition(two_servers):
    a, b = two_servers
    game, admin, players = make_game()
    host_cookie = session_cookie(admin)
    results = {}

    async def scenario():
        host = await websockets.connect(f"{a}/ws/host/{game.pk}/", additional_headers={"Cookie": host_cookie})
        conns = []
        for i, p in enumerate(players):  # players 0 and 2 on server A, 1 and 3 on server B
            server = a if i % 2 == 0 else b
            ws = await websockets.connect(f"{server}/ws/play/{game.pin}/", additional_headers={"Cookie": p["cookie"]})
            first = await frame_until(ws, lambda f: f.get("type") == "state")
            assert first["phase"] == "lobby" and first["me"]["id"] == p["player"].pk
            conns.append(ws)
        await frame_until(host, lambda f: f.get("type") == "state")
        # One layer channel per process, however many consumers each holds.
        results["members"] = await asyncio.to_thread(group_members, competition_group(game.pk))

        await host.send(json.dumps({"action": "start"}))
        for ws in conns:
            q = await frame_until(ws, lambda f: f.get("type") == "state" and f.get("phase") == "question")
            assert q["index"] == 0 and "reveal" not in q
        for i, ws in enumerate(conns):
            await ws.send(json.dumps({"action": "answer", "index": 0, "choice": [1 if i < 3 else 0]}))
            ack = await frame_until(ws, lambda f: f.get("type") in ("ack", "error"))
            assert ack == {"type": "ack", "index": 0, "status": "accepted"}, ack
        ranks = []
        for ws in conns:  # the last answer closes the question early: every player, on both servers, gets a rank
            reveal = await frame_until(ws, lambda f: f.get("type") == "state" and f.get("phase") == "reveal")
            assert reveal["reveal"]["correct"] == [1]
            ranks.append((reveal["me"]["rank"], reveal["me"]["last"]["correct"]))
        results["ranks"] = ranks

        await host.send(json.dumps({"action": "next"}))
        boards_seen = []
        for ws in conns:
            lb = await frame_until(ws, lambda f: f.get("type") == "state" and f.get("phase") == "leaderboard")
            boards_seen.append([p["name"] for p in lb["top"]])
        results["boards"] = boards_seen
        for ws in [*conns, host]:
            await ws.close()

    asyncio.run(scenario())
    assert results["members"] == 2
    assert [c for _, c in results["ranks"]] == [True, True, True, False]
    assert all(r <= 3 for r, _ in results["ranks"][:3]) and results["ranks"][3][0] == 4
    assert all(seen == results["boards"][0] and len(seen) == 4 for seen in results["boards"])
    assert results["boards"][0][-1] == "选手3"  # the one wrong answer is last


def test_leaderboard_push_from_a_third_process_reaches_both_servers(two_servers, store):
    a, b = two_servers
    inst = InstitutionFactory(name="丙镇卫生院", short_name="丙院", headcount=5)
    exam = make_exam(institutions=[inst])
    viewer = AdminFactory(institution=None)
    cookie = session_cookie(viewer)
    key = boards.exam_board(exam.pk)
    candidate = UserFactory(institution=inst, real_name="王五")
    got = {}

    async def scenario():
        conns = [
            await websockets.connect(f"{server}/ws/leaderboard/{key}/", additional_headers={"Cookie": cookie})
            for server in (a, b, a)
        ]
        for ws in conns:
            state = await frame_until(ws, lambda f: f.get("type") == "leaderboard.state")
            assert state["state"]["top"] == []
        got["members"] = await asyncio.to_thread(group_members, board_group(key))
        # This test process is a third process: the service records the attempt and pushes through Redis.
        attempt = await asyncio.to_thread(submit, exam, candidate, score=93)
        await asyncio.to_thread(services.exam_attempt_record, attempt=attempt)
        got["updates"] = [
            (await frame_until(ws, lambda f: f.get("type") == "leaderboard.update"))["state"]["top"] for ws in conns
        ]
        for ws in conns:
            await ws.close()

    asyncio.run(scenario())
    assert got["members"] == 2  # two servers, three viewers: two channels in the layer group
    assert all([(r["name"], r["score"]) for r in top] == [("王五", 93.0)] for top in got["updates"])
