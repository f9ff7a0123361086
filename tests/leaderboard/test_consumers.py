"""LeaderboardConsumer over WebsocketCommunicator: permission on connect, full state on connect, coalesced updates,
heartbeat, malformed frames answered with an error."""

import asyncio
import json

import pytest
from channels.db import database_sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.test import Client

from elearn.asgi import application
from elearn.routing import websocket_urlpatterns
from leaderboard.rankings import boards, services
from tests.factories import AdminFactory, InstitutionFactory, UserFactory
from tests.leaderboard.factories import make_exam, submit

pytestmark = pytest.mark.django_db(transaction=True)

router = URLRouter(websocket_urlpatterns)


async def connect(user, board):
    comm = WebsocketCommunicator(router, f"/ws/leaderboard/{board}/")
    comm.scope["user"] = user
    connected, code = await comm.connect(timeout=5)
    return comm, connected, code


async def receive(comm, timeout=3.0):
    return json.loads(await comm.receive_from(timeout=timeout))


@pytest.fixture
def world(store, settings):
    settings.LEADERBOARD_PUSH_INTERVAL = 0.2
    inst = InstitutionFactory(name="甲镇卫生院", short_name="甲院", headcount=4)
    other = InstitutionFactory(name="外单位", short_name="外", headcount=4)
    exam = make_exam(institutions=[inst])
    alice = UserFactory(institution=inst, real_name="张三")
    bob = UserFactory(institution=inst, real_name="李四")
    outsider = UserFactory(institution=other)
    services.exam_attempt_record(attempt=submit(exam, alice, score=80))
    return {"exam": exam, "alice": alice, "bob": bob, "outsider": outsider, "board": boards.exam_board(exam.pk)}


async def test_full_state_on_connect_and_updates_after(world):
    comm, connected, _ = await connect(world["alice"], world["board"])
    assert connected
    first = await receive(comm)
    assert first["type"] == "leaderboard.state"
    assert [(r["name"], r["score"], r["rank"]) for r in first["state"]["top"]] == [("张三", 80.0, 1)]
    assert first["state"]["institutions"][0]["participants"] == 1

    # Bob submits (the service runs in a worker thread, as under daphne); the viewer gets a coalesced update.
    attempt = await database_sync_to_async(submit)(world["exam"], world["bob"], score=95)
    await database_sync_to_async(services.exam_attempt_record)(attempt=attempt)
    update = await receive(comm)
    assert update["type"] == "leaderboard.update" and update["board"] == world["board"]
    assert [(r["name"], r["rank"]) for r in update["state"]["top"]] == [("李四", 1), ("张三", 2)]
    assert update["state"]["institutions"][0]["participants"] == 2

    # A reconnecting viewer gets the full current state, not a replay.
    await comm.disconnect()
    again, connected, _ = await connect(world["alice"], world["board"])
    state = (await receive(again))["state"]
    assert [r["name"] for r in state["top"]] == ["李四", "张三"]
    await again.disconnect()


async def test_many_viewers_get_one_update_each(world):
    viewers = [(await connect(world["alice"], world["board"]))[0] for _ in range(5)]
    for v in viewers:
        await receive(v)
    attempt = await database_sync_to_async(submit)(world["exam"], world["bob"], score=60)
    await database_sync_to_async(services.exam_attempt_record)(attempt=attempt)
    for v in viewers:
        update = await receive(v)
        assert [r["name"] for r in update["state"]["top"]] == ["张三", "李四"]
        assert await v.receive_nothing(timeout=0.3)
        await v.disconnect()


async def test_permission_checked_on_connect(world):
    from django.contrib.auth.models import AnonymousUser

    for user in (AnonymousUser(), world["outsider"]):
        comm, connected, code = await connect(user, world["board"])
        assert not connected and code == 4403
    comm, connected, code = await connect(world["alice"], "exam.999999")
    assert not connected
    comm, connected, code = await connect(world["alice"], "not-a-board")
    assert not connected
    admin = await database_sync_to_async(AdminFactory)(institution=None)
    comm, connected, _ = await connect(admin, world["board"])  # managers see any exam's ranking
    assert connected
    await comm.disconnect()


async def test_heartbeat_and_bad_frames(world):
    comm, _, _ = await connect(world["alice"], world["board"])
    await receive(comm)
    await comm.send_to(text_data='{"type":"ping","t":42}')
    assert await receive(comm) == {"type": "pong", "t": 42}
    await comm.send_to(text_data="{not json")
    assert await receive(comm) == {"error": "malformed"}
    await comm.send_to(text_data='{"type":"answer"}')
    assert await receive(comm) == {"error": "unknown_type"}
    await comm.send_to(text_data="x" * 5000)
    assert await receive(comm) == {"error": "frame_too_large"}
    await comm.send_to(bytes_data=b"\x00")
    assert await receive(comm) == {"error": "text_only"}
    await comm.send_to(text_data='{"type":"ping"}')  # still alive
    assert (await receive(comm))["type"] == "pong"
    await comm.disconnect()


async def test_through_the_real_asgi_stack_with_session_cookie(world):
    client = Client()
    await database_sync_to_async(client.force_login)(world["bob"])
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    comm = WebsocketCommunicator(
        application,
        f"/ws/leaderboard/{world['board']}/",
        headers=[(b"cookie", cookie), (b"origin", b"http://testserver"), (b"host", b"testserver")],
    )
    connected, _ = await comm.connect(timeout=5)
    assert connected
    assert (await receive(comm))["type"] == "leaderboard.state"
    await comm.disconnect()
    anonymous = WebsocketCommunicator(
        application, f"/ws/leaderboard/{world['board']}/", headers=[(b"host", b"testserver")]
    )
    connected, _ = await anonymous.connect(timeout=5)
    assert not connected
    await asyncio.sleep(0)
