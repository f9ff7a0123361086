"""The fan-out's own cost, in one process: one broadcast to N local consumers through elearn.realtime.fanout, beside
Channels' own group_send to an N-member group (one layer message per member, each consumer reading its own channel).

Consumers here do no socket work (they record the arrival time), so the figures isolate the layer + fan-out path from
daphne/autobahn framing. Each case is repeated --repeat times; medians are printed. Bounded: every wait has a timeout.

    DJANGO_SETTINGS_MODULE=elearn.settings.dev .venv/bin/python bench/bench_fanout.py --sizes 500,1000,2000
    REDIS_URL=redis://127.0.0.1:6379/0 ... (the same on channels-redis)
"""

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elearn.settings.dev")

import django

django.setup()

from channels.layers import get_channel_layer  # noqa: E402

from elearn.realtime import fanout  # noqa: E402
from elearn.realtime.broadcast import abroadcast  # noqa: E402

PAYLOAD = {"type": "bench.msg", "text": "x" * 290}


class Sink(fanout.FanoutMixin):
    __slots__ = ("arrived", "waiter")

    def __init__(self, waiter):
        self.waiter = waiter
        self.arrived = None

    async def fanout_deliver(self, message):
        self.waiter.hit()


class Waiter:
    def __init__(self, n):
        self.n, self.count = n, 0
        self.done = asyncio.get_running_loop().create_future()

    def hit(self):
        self.count += 1
        if self.count >= self.n and not self.done.done():
            self.done.set_result(time.perf_counter())


async def fanout_case(n: int, group: str) -> float:
    waiter = Waiter(n)
    sinks = [Sink(waiter) for _ in range(n)]
    for s in sinks:
        await fanout.join(group, s)
    await asyncio.sleep(0.2)
    times = []
    for _ in range(3):
        waiter.count = 0
        waiter.done = asyncio.get_running_loop().create_future()
        start = time.perf_counter()
        await abroadcast(group, PAYLOAD)
        end = await asyncio.wait_for(waiter.done, 60)
        times.append((end - start) * 1000)
        await asyncio.sleep(0.1)
    for s in sinks:
        await fanout.leave_all(s)
    return statistics.median(times)


async def group_send_case(n: int, group: str) -> float:
    """Channels' default: every consumer has its own channel in the group, one layer message each."""
    layer = get_channel_layer()
    waiter = Waiter(n)
    channels = [await layer.new_channel() for _ in range(n)]
    for c in channels:
        await layer.group_add(group, c)

    async def reader(c):
        while True:
            await layer.receive(c)
            waiter.hit()

    readers = [asyncio.create_task(reader(c)) for c in channels]
    await asyncio.sleep(0.2)
    times = []
    for _ in range(3):
        waiter.count = 0
        waiter.done = asyncio.get_running_loop().create_future()
        start = time.perf_counter()
        await layer.group_send(group, PAYLOAD)
        try:
            end = await asyncio.wait_for(waiter.done, 60)
        except TimeoutError:
            end = float("nan")
        times.append((end - start) * 1000)
        await asyncio.sleep(0.2)
    for r in readers:
        r.cancel()
    await asyncio.gather(*readers, return_exceptions=True)
    for c in channels:
        await layer.group_discard(group, c)
    return statistics.median(times)


async def main(sizes, repeat, skip_group_send_above):
    layer = get_channel_layer()
    name = type(layer).__name__
    print(f"layer: {name}")
    print(f"{'N':>6}{'fan-out ms':>12}{'group_send ms':>15}")
    for n in sizes:
        fo = statistics.median([await fanout_case(n, f"bench.fo.{n}.{r}") for r in range(repeat)])
        if n <= skip_group_send_above:
            gs = statistics.median([await group_send_case(n, f"bench.gs.{n}.{r}") for r in range(repeat)])
            gs_text = f"{gs:>15.1f}"
        else:
            gs_text = f"{'skipped':>15}"
        print(f"{n:>6}{fo:>12.1f}{gs_text}", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="500,1000,2000,4000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-group-send-above", type=int, default=4000)
    args = parser.parse_args()
    import uvloop

    uvloop.run(main([int(x) for x in args.sizes.split(",")], args.repeat, args.skip_group_send_above))
