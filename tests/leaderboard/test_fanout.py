"""Per-process fan-out: one layer message per process, delivered to every local consumer; slow ones do not block."""

import asyncio

import pytest
from channels.layers import get_channel_layer

from elearn.realtime import fanout
from elearn.realtime.broadcast import abroadcast, broadcast, envelope


class FakeConsumer(fanout.FanoutMixin):
    def __init__(self, name, delay=0.0):
        self.name = name
        self.delay = delay
        self.got = []
        self.times = []
        self.event = asyncio.Event()

    async def fanout_deliver(self, message):
        if self.delay:
            await asyncio.sleep(self.delay)
        self.got.append(message)
        self.times.append(asyncio.get_running_loop().time())
        self.event.set()

    async def wait(self, count=1, timeout=3.0):
        async def until():
            while len(self.got) < count:
                self.event.clear()
                await self.event.wait()

        await asyncio.wait_for(until(), timeout)


@pytest.fixture
async def consumers():
    made = []

    def make(*args, **kwargs):
        c = FakeConsumer(*args, **kwargs)
        made.append(c)
        return c

    yield make
    for c in made:
        await fanout.leave_all(c)
    assert fanout.hub().channel is None, "hub should stop when its last consumer leaves"


async def test_one_layer_message_reaches_all_local_consumers(consumers):
    group = "test.fanout.one"
    a, b, c = consumers("a"), consumers("b"), consumers("c")
    for x in (a, b, c):
        await fanout.join(group, x)
    assert fanout.local_count(group) == 3
    hub = fanout.hub()
    before = hub.stats["received"]
    assert await abroadcast(group, {"type": "t.msg", "n": 1})
    for x in (a, b, c):
        await x.wait()
        assert x.got == [{"type": "t.msg", "n": 1}]
    assert hub.stats["received"] - before == 1  # the layer carried ONE message to this process


async def test_process_channel_is_the_only_group_member(consumers):
    group = "test.fanout.members"
    for i in range(5):
        await fanout.join(group, consumers(i))
    layer = get_channel_layer()
    if hasattr(layer, "groups"):  # in-memory layer
        assert list(layer.groups[group]) == [fanout.hub().channel]
    else:  # channels-redis
        conn = layer.connection(layer.consistent_hash(group))
        assert await conn.zcard(layer._group_key(group)) == 1


async def test_leave_stops_delivery_and_other_groups_are_separate(consumers):
    a, b = consumers("a"), consumers("b")
    await fanout.join("test.g1", a)
    await fanout.join("test.g1", b)
    await fanout.join("test.g2", b)
    await fanout.leave("test.g1", a)
    await abroadcast("test.g1", {"type": "x", "n": 1})
    await abroadcast("test.g2", {"type": "x", "n": 2})
    await b.wait(2)
    await asyncio.sleep(0.1)
    assert a.got == []
    assert sorted(m["n"] for m in b.got) == [1, 2]


async def test_slow_consumer_does_not_block_others(consumers, settings):
    settings.LEADERBOARD_FANOUT_TIMEOUT = 0.5
    fanout.hub().timeout = 0.5
    group = "test.fanout.slow"
    slow = consumers("slow", delay=30)
    fast = [consumers(f"f{i}") for i in range(20)]
    await fanout.join(group, slow)
    for f in fast:
        await fanout.join(group, f)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await abroadcast(group, {"type": "x", "n": 1})
    await abroadcast(group, {"type": "x", "n": 2})
    for f in fast:
        await f.wait(2, timeout=1.0)
        assert [m["n"] for m in f.got] == [1, 2]  # in order
    assert loop.time() - started < 0.4
    assert slow.got == []
    await asyncio.sleep(1.2)  # both deliveries to the slow one time out, one after the other
    assert fanout.hub().stats["timeouts"] >= 2


async def test_failing_consumer_does_not_break_others(consumers):
    class Broken(FakeConsumer):
        async def fanout_deliver(self, message):
            raise RuntimeError("boom")

    group = "test.fanout.broken"
    broken = Broken("broken")
    ok = consumers("ok")
    await fanout.join(group, broken)
    await fanout.join(group, ok)
    await abroadcast(group, {"type": "x"})
    await ok.wait()
    await fanout.leave_all(broken)


async def test_removed_process_channel_is_re_added(consumers, settings):
    group = "test.fanout.expire"
    a = consumers("a")
    await fanout.join(group, a)
    layer = get_channel_layer()
    # The layer drops our process channel (in-memory: an expired message; Redis: group expiry or a flush).
    await layer.group_discard(group, fanout.hub().channel)
    await abroadcast(group, {"type": "x", "n": 1})
    await asyncio.sleep(0.2)
    assert a.got == []
    await fanout.refresh()  # what the periodic refresher does
    await abroadcast(group, {"type": "x", "n": 2})
    await a.wait()
    assert [m["n"] for m in a.got] == [2]
    # A join re-adds membership once it is older than LEADERBOARD_FANOUT_REFRESH.
    await layer.group_discard(group, fanout.hub().channel)
    fanout.hub().refresh = 0.0
    await fanout.join(group, consumers("b"))
    await abroadcast(group, {"type": "x", "n": 3})
    await a.wait(2)
    assert [m["n"] for m in a.got] == [2, 3]


async def test_periodic_refresh_loop_re_adds(consumers):
    group = "test.fanout.periodic"
    a = consumers("a")
    hub = fanout.hub()
    hub.refresh = 0.1
    await fanout.join(group, a)
    # restart so the refresher picks up the short interval
    await get_channel_layer().group_discard(group, hub.channel)
    await asyncio.sleep(0.4)
    await abroadcast(group, {"type": "x"})
    await a.wait()


async def test_hub_restarts_after_idle(consumers):
    a = consumers("a")
    await fanout.join("test.idle", a)
    first = fanout.hub().channel
    await fanout.leave_all(a)
    assert fanout.hub().channel is None
    await fanout.join("test.idle", a)
    assert fanout.hub().channel not in (None, first)
    await abroadcast("test.idle", {"type": "x"})
    await a.wait()


def test_envelope_rejects_untyped_messages():
    with pytest.raises(ValueError):
        envelope("g", {"no": "type"})
    with pytest.raises(ValueError):
        broadcast("g", {"no": "type"})


def test_sync_broadcast_without_listeners_is_harmless():
    assert broadcast("test.nobody", {"type": "x"}) is True


def test_json_text_encodes_once():
    msg = {"type": "x", "名": "张"}
    text = fanout.json_text(msg)
    assert text == '{"type":"x","名":"张"}'
    assert fanout.json_text(msg) is text


async def test_a_request_thread_does_not_wait_for_its_broadcasts_and_they_arrive_in_order(consumers, monkeypatch):
    """A view under daphne broadcasts from its own thread (a service's on_commit). It used to wait there for the event
    loop and the layer (a trip through a busy loop and a Redis round trip): the exam start's account.exam_started
    was the largest part of a start in a py-spy profile of the opening, while the start held one of its lane's few
    places. Now the thread hands the message to the loop and goes on; the loop sends one thread's messages in order."""
    from asgiref.sync import sync_to_async

    from elearn.realtime import broadcast as broadcast_module

    group = "test.fanout.from-thread"
    a = consumers("a")
    await fanout.join(group, a)
    release = asyncio.Event()
    real = broadcast_module.abroadcast

    async def slow_layer(group_name, message):
        await release.wait()  # the layer is slow: the thread must not wait for it
        return await real(group_name, message)

    monkeypatch.setattr(broadcast_module, "abroadcast", slow_layer)

    def view_thread():
        return [broadcast(group, {"type": "x", "n": n}) for n in range(5)]

    assert await asyncio.wait_for(sync_to_async(view_thread)(), 2) == [True] * 5
    assert a.got == []
    release.set()
    await a.wait(5)
    assert [m["n"] for m in a.got] == [0, 1, 2, 3, 4]


async def test_a_slow_group_holds_up_no_other_groups_broadcasts(consumers, monkeypatch):
    from asgiref.sync import sync_to_async

    from elearn.realtime import broadcast as broadcast_module

    stuck, game = "test.fanout.stuck", "test.fanout.game"
    a = consumers("a")
    await fanout.join(game, a)
    release = asyncio.Event()
    real = broadcast_module.abroadcast

    async def layer(group_name, message):
        if group_name == stuck:
            await release.wait()  # a send that hangs (a black-holed Redis, say)
        return await real(group_name, message)

    monkeypatch.setattr(broadcast_module, "abroadcast", layer)
    await sync_to_async(lambda: broadcast(stuck, {"type": "x", "n": -1}))()
    await sync_to_async(lambda: [broadcast(game, {"type": "x", "n": n}) for n in range(3)])()
    await a.wait(3)
    assert [m["n"] for m in a.got] == [0, 1, 2]
    release.set()
