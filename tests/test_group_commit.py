"""elearn.realtime.group_commit: what arrives while a batch runs goes into the next one; every item gets its own
result, or its batch's exception; keys are batched apart; a batch never exceeds max_batch."""

import asyncio
import threading

from elearn.realtime.group_commit import GroupCommit, for_loop


async def test_items_arriving_during_a_batch_form_the_next_one_and_get_their_own_results():
    calls, release = [], threading.Event()

    def double(key, items):
        calls.append((key, list(items)))
        if len(calls) == 1:
            release.wait(5)  # the first batch is still in the database while more items arrive
        return [key * 10 + i * 2 for i in items]

    group = GroupCommit(double)
    first = asyncio.ensure_future(group.submit(1, 1))
    while not calls:
        await asyncio.sleep(0.001)
    more = [asyncio.ensure_future(group.submit(1, i)) for i in (2, 3, 4)]
    await asyncio.sleep(0.01)
    release.set()
    assert await first == 12
    assert [await f for f in more] == [14, 16, 18]
    assert calls == [(1, [1]), (1, [2, 3, 4])]
    assert group.runners == {} and group.pending == {}  # nothing (no task, so no loop) is kept once done


async def test_a_key_held_up_in_the_database_does_not_hold_up_another_key():
    release = threading.Event()

    def slow_for_one(key, items):
        if key == "locked game":
            release.wait(5)
        return list(items)

    group = GroupCommit(slow_for_one)
    held = asyncio.ensure_future(group.submit("locked game", 1))
    await asyncio.sleep(0.01)
    assert await asyncio.wait_for(group.submit("other game", 2), 2) == 2
    assert not held.done()
    release.set()
    assert await held == 1


async def test_a_batch_that_gives_the_wrong_number_of_results_leaves_nobody_waiting():
    group = GroupCommit(lambda key, items: [])
    results = await asyncio.gather(group.submit(0, 1), group.submit(0, 2), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)
    assert await asyncio.wait_for(GroupCommit(lambda key, items: items).submit(0, 3), 2) == 3


async def test_a_failing_batch_answers_each_of_its_items_with_the_error_and_the_next_batch_runs():
    def picky(key, items):
        if key == "bad":
            raise ValueError("the database said no")
        return list(items)

    group = GroupCommit(picky)
    bad = await asyncio.gather(group.submit("bad", 1), group.submit("bad", 2))
    assert all(isinstance(r, ValueError) for r in bad)
    assert await group.submit("good", 3) == 3


async def test_a_batch_never_exceeds_max_batch():
    sizes = []

    def count(key, items):
        sizes.append(len(items))
        return list(items)

    group = GroupCommit(count, max_batch=4)
    assert await asyncio.gather(*(group.submit(0, i) for i in range(10))) == list(range(10))
    assert max(sizes) <= 4 and sum(sizes) == 10


async def test_one_instance_per_loop_and_function():
    def a(key, items):
        return items

    def b(key, items):
        return items

    assert for_loop(a) is for_loop(a) and for_loop(a) is not for_loop(b)
