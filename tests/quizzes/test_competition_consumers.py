"""Live competition over WebSockets (WebsocketCommunicator on the real ASGI stack: origin check, session auth,
URL routing, per-process fan-out): a full game, late and duplicate answers, reconnection, hygiene, and no correct
option in any payload before the reveal."""

import asyncio
import datetime as dt
import json
import threading

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.utils import timezone

from elearn.asgi import application
from quizzes.competitions import services as svc
from quizzes.competitions.consumers import PLAYER_MAX_FRAME
from quizzes.competitions.models import Game, GameQuestion, Player, PlayerAnswer
from quizzes.competitions.selectors import player_cookie
from tests.factories import AdminFactory, InstitutionFactory, UserFactory
from tests.quizzes.competition_factories import CORRECT, make_competition

pytestmark = pytest.mark.django_db(transaction=True)
WRONG = 0


@database_sync_to_async
def setup_game(players=3, questions=3):
    inst = InstitutionFactory()
    admin = AdminFactory(institution=None)
    game = svc.competition_host(competition=make_competition(questions=questions), actor=admin)
    joined = []
    for _ in range(players):
        user = UserFactory(institution=inst)
        result = svc.competition_join(game=game, user=user)
        joined.append((user, result.player, result.token))
    return game, admin, joined


@database_sync_to_async
def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


async def communicator(path, user=None, cookies=None) -> WebsocketCommunicator:
    """A WebSocket client for `path` from this site's origin, logged in as `user` and/or carrying `cookies`."""
    cookie = dict(cookies or {})
    if user is not None:
        cookie["sessionid"] = await session_cookie(user)
    headers = [(b"origin", b"http://testserver")]
    if cookie:
        headers.append((b"cookie", "; ".join(f"{k}={v}" for k, v in cookie.items()).encode()))
    comm = WebsocketCommunicator(application, path, headers=headers)
    forget(comm)
    return comm


async def connect(path, user=None, cookies=None):
    comm = await communicator(path, user, cookies)
    connected, _ = await comm.connect(timeout=5)
    assert connected
    return comm


async def player_socket(game, user, player, token):
    return await connect(f"/ws/play/{game.pin}/", user=user, cookies={player_cookie(game.pk): token})


async def until(comm, predicate, timeout=5.0):
    """The first frame not returned before that matches: frames already read are looked at first (a broadcast may
    overtake an acknowledgement), then new ones are read. Every frame is kept in comm.frames."""
    for i, frame in enumerate(comm.frames):
        if i not in comm.used and predicate(frame):
            comm.used.add(i)
            return frame

    async def read():
        while True:
            frame = json.loads(await comm.receive_from(timeout=timeout))
            comm.frames.append(frame)
            if predicate(frame):
                comm.used.add(len(comm.frames) - 1)
                return frame

    return await asyncio.wait_for(read(), timeout)


def forget(comm):
    comm.frames, comm.used = [], set()


def is_state(phase, index=None):
    return lambda f: f.get("type") == "state" and f["phase"] == phase and (index is None or f["index"] == index)


def assert_no_answer_leak(frames):
    """Before the reveal no frame may carry the correct options, the distribution or the explanation."""
    for frame in frames:
        text = json.dumps(frame, ensure_ascii=False)
        assert "reveal" not in text and "correct" not in text and "distribution" not in text, text
        assert "竞赛解析" not in text, text


async def test_full_game_with_three_players_and_no_leak_before_reveal():
    game, admin, joined = await setup_game(players=3, questions=3)
    host = await connect(f"/ws/host/{game.pk}/", user=admin)
    lobby = await until(host, is_state("lobby"))
    assert lobby["pin"] == game.pin and lobby["players"] == 3
    phones = [await player_socket(game, *j) for j in joined]
    for phone, (_u, player, _t) in zip(phones, joined, strict=True):
        first = await until(phone, is_state("lobby"))
        assert first["me"]["id"] == player.pk
    await host.send_json_to({"action": "start"})
    for index in range(3):
        if index:
            await host.send_json_to({"action": "next"})
        for phone in phones:
            forget(phone)
        opened = [await until(p, is_state("question", index)) for p in phones]
        assert all(0 < s["remaining"] <= 20 and s["question"]["options"] for s in opened)
        # The first two answer right, the third wrong; all answers are acknowledged after they are stored.
        for n, phone in enumerate(phones):
            await phone.send_json_to({"action": "answer", "index": index, "choice": [CORRECT if n < 2 else WRONG]})
            ack = await until(phone, lambda f: f.get("type") in ("ack", "error"))
            assert ack == {"type": "ack", "index": index, "status": "accepted"}
        # Everyone answered: the question closes at once and the answer is revealed to every screen.
        for phone in phones:  # every frame a phone got while this question was open
            assert_no_answer_leak([f for f in phone.frames if f.get("type") == "ack" or f.get("phase") == "question"])
        reveals = [await until(p, is_state("reveal", index)) for p in phones]
        host_reveal = await until(host, is_state("reveal", index))
        assert host_reveal["reveal"]["correct"] == [CORRECT]
        assert host_reveal["reveal"]["distribution"] == [1, 2, 0, 0]
        assert [r["me"]["last"]["correct"] for r in reveals] == [True, True, False]
        assert reveals[2]["me"]["last"]["points"] == 0 and reveals[0]["me"]["last"]["points"] >= 500
        await host.send_json_to({"action": "next"})
        board = await until(host, is_state("leaderboard", index))
        assert len(board["top"]) == 3 and board["top"][-1]["score"] == 0
    await host.send_json_to({"action": "next"})
    final = await until(host, is_state("finished"))
    assert len(final["podium"]) == 3
    ends = [await until(p, is_state("finished")) for p in phones]
    assert ends[2]["me"]["rank"] == 3 and ends[2]["me"]["score"] == 0
    assert {e["me"]["rank"] for e in ends[:2]} <= {1, 2}
    for comm in (host, *phones):
        await comm.disconnect()


async def test_host_frames_before_reveal_carry_no_correct_option():
    game, admin, joined = await setup_game(players=2, questions=1)
    host = await connect(f"/ws/host/{game.pk}/", user=admin)
    phone = await player_socket(game, *joined[0])
    await until(host, is_state("lobby"))
    await host.send_json_to({"action": "start"})
    await until(host, is_state("question", 0))
    await phone.send_json_to({"action": "answer", "index": 0, "choice": [CORRECT]})
    await until(phone, lambda f: f.get("type") == "ack")
    await until(host, lambda f: f.get("type") == "progress" and f["answered"] == 1)
    assert_no_answer_leak(host.frames)
    assert_no_answer_leak(phone.frames)
    await host.send_json_to({"action": "skip"})
    revealed = await until(host, is_state("reveal", 0))
    assert revealed["reveal"]["correct"] == [CORRECT]
    for comm in (host, phone):
        await comm.disconnect()


async def test_duplicate_answer_is_ignored_and_late_answer_refused():
    game, admin, joined = await setup_game(players=3, questions=2)
    host = await connect(f"/ws/host/{game.pk}/", user=admin)
    await until(host, is_state("lobby"))
    first, second = [await player_socket(game, *j) for j in joined[:2]]
    await host.send_json_to({"action": "start"})
    await until(first, is_state("question", 0))
    await first.send_json_to({"action": "answer", "index": 0, "choice": [WRONG]})
    assert (await until(first, lambda f: f.get("type") == "ack"))["status"] == "accepted"
    await first.send_json_to({"action": "answer", "index": 0, "choice": [CORRECT]})
    assert (await until(first, lambda f: f.get("type") == "ack"))["status"] == "duplicate"
    # Time runs out (the stored deadline moves into the past): the next answer is refused and closes the question.
    past = timezone.now() - dt.timedelta(seconds=5)
    await database_sync_to_async(GameQuestion.objects.filter(game=game, index=0).update)(closes_at=past)
    await second.send_json_to({"action": "answer", "index": 0, "choice": [CORRECT]})
    error = await until(second, lambda f: f.get("type") == "error")
    assert error["error"] == "closed" and error["index"] == 0
    await until(second, is_state("reveal", 0))
    answers = await database_sync_to_async(lambda: list(PlayerAnswer.objects.values_list("player_id", "choice")))()
    assert answers == [(joined[0][1].pk, [WRONG])]
    for comm in (host, first, second):
        await comm.disconnect()


async def test_the_reveal_may_overtake_the_last_answers_ack_and_both_arrive(monkeypatch):
    """The last answer closes the question: the reveal is broadcast when its batch commits, the ack is sent when the
    batch call returns, so under load the reveal can reach that phone first. Held here until the reveal has arrived:
    nothing is lost and the ack still follows."""
    game, admin, joined = await setup_game(players=2, questions=1)
    host = await connect(f"/ws/host/{game.pk}/", user=admin)
    first, last = [await player_socket(game, *j) for j in joined]
    await host.send_json_to({"action": "start"})
    for phone in (first, last):
        await until(phone, is_state("question", 0))
    await first.send_json_to({"action": "answer", "index": 0, "choice": [CORRECT]})
    assert (await until(first, lambda f: f.get("type") in ("ack", "error")))["status"] == "accepted"
    revealed, record = threading.Event(), svc.competition_answers_record

    def record_then_hold(**kwargs):
        results = record(**kwargs)
        revealed.wait(5)
        return results

    monkeypatch.setattr(svc, "competition_answers_record", record_then_hold)
    await last.send_json_to({"action": "answer", "index": 0, "choice": [WRONG]})
    reveal = await until(last, is_state("reveal", 0))
    revealed.set()
    ack = await until(last, lambda f: f.get("type") in ("ack", "error"))
    assert ack == {"type": "ack", "index": 0, "status": "accepted"}
    assert last.frames.index(reveal) < last.frames.index(ack)
    assert reveal["me"]["last"]["correct"] is False and reveal["reveal"]["correct"] == [CORRECT]
    assert (await until(first, is_state("reveal", 0)))["me"]["last"]["correct"] is True
    for comm in (host, first, last):
        await comm.disconnect()


async def test_reconnection_keeps_identity_and_score():
    game, admin, joined = await setup_game(players=2, questions=2)
    user, player, token = joined[0]
    host = await connect(f"/ws/host/{game.pk}/", user=admin)
    await until(host, is_state("lobby"))
    phone = await player_socket(game, user, player, token)
    await host.send_json_to({"action": "start"})
    await until(phone, is_state("question", 0))
    await phone.send_json_to({"action": "answer", "index": 0, "choice": [CORRECT]})
    await until(phone, lambda f: f.get("type") == "ack")
    await phone.disconnect()  # lost connection while the question is open
    again = await player_socket(game, user, player, token)
    state = await until(again, lambda f: f.get("type") == "state")
    assert state["phase"] == "question" and state["me"]["id"] == player.pk and state["me"]["answered"] is True
    await host.send_json_to({"action": "skip"})
    revealed = await until(again, is_state("reveal", 0))
    score = revealed["me"]["score"]
    assert score >= 500 and revealed["me"]["last"]["correct"] is True
    await again.disconnect()
    # A reload after the reveal: same player, same score, same rank.
    third = await player_socket(game, user, player, token)
    state = await until(third, lambda f: f.get("type") == "state")
    assert (state["me"]["id"], state["me"]["score"], state["me"]["rank"]) == (player.pk, score, 1)
    assert await database_sync_to_async(Player.objects.filter(game=game).count)() == 2
    for comm in (host, third):
        await comm.disconnect()


async def test_a_restarted_server_resumes_the_game_from_the_database():
    """Nothing lives in memory: a host connecting to a fresh process gets the open question with its time left."""
    game, admin, _joined = await setup_game(players=1, questions=2)
    await database_sync_to_async(svc.competition_start)(game_id=game.pk, actor=admin)
    host = await connect(f"/ws/host/{game.pk}/", user=admin)
    state = await until(host, lambda f: f.get("type") == "state")
    assert state["phase"] == "question" and state["index"] == 0 and 15 < state["remaining"] <= 20
    await host.disconnect()


async def test_hygiene_malformed_oversized_unknown_rate_limited_and_ping():
    game, admin, joined = await setup_game(players=1, questions=1)
    phone = await player_socket(game, *joined[0])
    await until(phone, lambda f: f.get("type") == "state")
    await phone.send_to(text_data="{not json")
    assert (await until(phone, lambda f: "error" in f))["error"] == "malformed"
    await phone.send_to(text_data="[1, 2]")
    assert (await until(phone, lambda f: "error" in f))["error"] == "malformed"
    await phone.send_to(text_data=json.dumps({"action": "x" * (PLAYER_MAX_FRAME + 10)}))
    assert (await until(phone, lambda f: "error" in f))["error"] == "too_large"
    await phone.send_json_to({"action": "start"})  # a host action on a player socket
    assert (await until(phone, lambda f: "error" in f))["error"] == "unknown_action"
    await phone.send_json_to({"action": "answer", "index": 0, "choice": [1]})  # still in the lobby
    assert (await until(phone, lambda f: "error" in f))["error"] == "closed"
    await phone.send_to(bytes_data=b"\x00\x01")
    assert (await until(phone, lambda f: "error" in f))["error"] == "malformed"
    await phone.send_json_to({"action": "ping", "t": 42})
    pong = await until(phone, lambda f: f.get("type") == "pong")
    assert pong["t"] == 42 and pong["server_time"] > 0
    # A burst of answers hits the per-connection limit (2/s, burst 4).
    for _ in range(8):
        await phone.send_json_to({"action": "answer", "index": 0, "choice": [1]})
    errors = [(await until(phone, lambda f: "error" in f))["error"] for _ in range(8)]
    assert errors.count("rate_limited") >= 3
    await phone.send_json_to({"action": "sync"})  # the connection is still usable
    assert (await until(phone, lambda f: f.get("type") == "state"))["phase"] == "lobby"
    await phone.disconnect()


async def test_player_without_token_and_staff_as_host_are_refused():
    game, _admin, joined = await setup_game(players=1, questions=1)
    user = joined[0][0]
    comm = WebsocketCommunicator(application, f"/ws/play/{game.pin}/", headers=[(b"origin", b"http://testserver")])
    assert (await comm.connect())[0]
    assert json.loads(await comm.receive_from())["error"] == "not_joined"
    assert (await comm.receive_output())["code"] == 4401
    host = WebsocketCommunicator(
        application,
        f"/ws/host/{game.pk}/",
        headers=[(b"origin", b"http://testserver"), (b"cookie", f"sessionid={await session_cookie(user)}".encode())],
    )
    assert (await host.connect())[0]
    assert json.loads(await host.receive_from())["error"] == "forbidden"
    assert (await host.receive_output())["code"] == 4403
    unknown = WebsocketCommunicator(application, "/ws/play/000000/", headers=[(b"origin", b"http://testserver")])
    assert (await unknown.connect())[0]
    assert json.loads(await unknown.receive_from())["error"] == "not_found"


async def test_host_removes_a_player_whose_socket_closes():
    game, admin, joined = await setup_game(players=2, questions=1)
    host = await connect(f"/ws/host/{game.pk}/", user=admin)
    await until(host, is_state("lobby"))
    phone = await player_socket(game, *joined[0])
    await until(phone, lambda f: f.get("type") == "state")
    await host.send_json_to({"action": "remove", "player": joined[0][1].pk})
    await until(phone, lambda f: f.get("type") == "removed")
    assert (await phone.receive_output(timeout=3))["type"] == "websocket.close"
    state = await until(host, lambda f: f.get("type") == "state" and f["players"] == 1)
    assert state["phase"] == "lobby"
    await host.disconnect()


async def test_a_demoted_host_is_refused_on_the_next_action():
    game, admin, _joined = await setup_game(players=1, questions=1)
    host = await connect(f"/ws/host/{game.pk}/", user=admin)
    await until(host, is_state("lobby"))

    @database_sync_to_async
    def demote():
        admin.role = "staff"
        admin.is_superuser = False
        admin.save()

    await demote()
    await host.send_json_to({"action": "start"})
    assert (await until(host, lambda f: "error" in f))["error"] == "forbidden"
    assert (await database_sync_to_async(Game.objects.get)(pk=game.pk)).phase == Game.Phase.LOBBY
    await host.disconnect()


async def test_question_closes_on_time_without_any_request():
    """The per-process timer closes the question at its deadline + grace; nobody has to send anything."""

    @database_sync_to_async
    def short_game():
        admin = AdminFactory(institution=None)
        competition = make_competition(questions=1, seconds_per_question=5)
        game = svc.competition_host(competition=competition, actor=admin)
        user = UserFactory()
        joined = svc.competition_join(game=game, user=user)
        svc.competition_join(game=game, user=UserFactory())
        return game, admin, (user, joined.player, joined.token)

    game, admin, joined = await short_game()
    phone = await player_socket(game, *joined)
    await until(phone, is_state("lobby"))
    await database_sync_to_async(svc.competition_start)(game_id=game.pk, actor=admin)
    opened = await until(phone, is_state("question", 0))
    assert 4 < opened["remaining"] <= 5
    revealed = await until(phone, is_state("reveal", 0), timeout=10)
    assert revealed["me"]["last"]["choice"] is None and revealed["reveal"]["correct"] == [CORRECT]
    await phone.disconnect()


async def test_frames_queued_behind_an_abuse_close_get_no_answer():
    """A connection closed for abuse sends nothing more: under daphne a frame after the close raised autobahn's
    "Attempt to send on a closed protocol" out of the consumer (found by the flooding test under load, when the
    flood's frames were already queued for the consumer as it closed)."""
    game, _admin, joined = await setup_game(players=1, questions=1)
    phone = await player_socket(game, *joined[0])
    await until(phone, lambda f: f.get("type") == "state")
    for _ in range(80):  # all queued before the consumer handles the first: 51 complaints close the connection
        await phone.send_to(text_data="{not json")
    outputs = []
    while True:
        output = await phone.receive_output(timeout=5)
        outputs.append(output)
        if output["type"] == "websocket.close":
            break
    assert output["code"] == 4408
    assert sum(1 for o in outputs if o["type"] == "websocket.send") >= 51
    assert await phone.receive_nothing(timeout=0.5)


async def test_a_frame_to_a_connection_closed_meanwhile_is_dropped():
    """The client may close while the consumer still answers its earlier frames: daphne's send then raises autobahn's
    Disconnected. The frame is dropped (at most once, as every frame), the consumer carries on to its disconnect."""
    from autobahn.exception import Disconnected

    from quizzes.competitions.consumers import PlayerConsumer

    consumer = PlayerConsumer()

    async def closed(message):
        raise Disconnected("Attempt to send on a closed protocol")

    consumer.base_send = closed
    await consumer.send_error("malformed")  # no exception
    await consumer.send_text('{"type":"pong"}')
