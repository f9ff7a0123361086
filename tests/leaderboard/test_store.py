"""The ranking store contract, on whichever backend the environment selects (run with and without REDIS_URL)."""

import threading

from leaderboard.rankings.store import get_store


def test_backend_follows_settings(settings):
    expected = "redis" if settings.LEADERBOARD_REDIS_URL else "memory"
    assert get_store().backend == expected


def test_add_score_accumulates_and_orders(store):
    assert store.add_score("b", "alice", 10) == 10
    assert store.add_score("b", "bob", 30) == 30
    assert store.add_score("b", "alice", 25) == 35
    store.add_score("b", "carol", 5)
    assert store.top("b", 10) == [("alice", 35.0), ("bob", 30.0), ("carol", 5.0)]
    assert store.top("b", 2) == [("alice", 35.0), ("bob", 30.0)]
    assert store.rank("b", "alice") == 1
    assert store.rank("b", "carol") == 3
    assert store.rank("b", "nobody") is None
    assert store.score("b", "bob") == 30
    assert store.score("b", "nobody") is None
    assert store.size("b") == 3
    assert store.size("empty") == 0
    assert store.top("empty", 5) == []


def test_set_score_and_gt(store):
    assert store.set_score("b", "x", 50)
    assert store.set_score("b", "x", 20)
    assert store.score("b", "x") == 20
    assert not store.set_score("b", "x", 10, gt=True)
    assert store.score("b", "x") == 20
    assert store.set_score("b", "x", 70, gt=True)
    assert store.set_score("b", "new", 1, gt=True)
    assert store.score("b", "x") == 70 and store.score("b", "new") == 1


def test_ties_follow_redis_order(store):
    # Equal scores: member in reverse byte order, on both backends (so ties that matter go into the score).
    for m in ["m1", "m3", "m2"]:
        store.set_score("t", m, 7)
    store.set_score("t", "m0", 8)
    assert [m for m, _ in store.top("t", 10)] == ["m0", "m3", "m2", "m1"]
    assert [store.rank("t", m) for m in ["m0", "m3", "m2", "m1"]] == [1, 2, 3, 4]


def test_boards_are_separate_and_clear(store):
    store.add_score("one", "a", 1)
    store.add_score("two", "a", 2)
    store.set_labels("one", {"a": "甲"})
    store.clear("one")
    assert store.size("one") == 0 and store.labels("one", ["a"]) == {}
    assert store.score("two", "a") == 2


def test_replace_swaps_whole_board(store):
    store.set_score("r", "stale", 99)
    assert not store.is_built("r")
    store.replace("r", {"a": 1, "b": 3})
    assert store.scores("r") == {"a": 1.0, "b": 3.0}
    assert store.top("r", 5) == [("b", 3.0), ("a", 1.0)]
    assert store.is_built("r")
    store.replace("r", {})
    assert store.size("r") == 0 and store.is_built("r")
    store.clear("r")
    assert not store.is_built("r")


def test_labels(store):
    store.set_labels("l", {"1": "张三", 2: "李四"})
    assert store.labels("l", ["1", "2", "3"]) == {"1": "张三", "2": "李四"}
    assert store.labels("l", []) == {}


def test_large_composite_scores_are_exact(store):
    big = 2**53 - 1
    store.set_score("c", "a", big)
    store.set_score("c", "b", big - 1)
    assert store.score("c", "a") == big
    assert [m for m, _ in store.top("c", 2)] == ["a", "b"]


def test_concurrent_increments_are_not_lost(store):
    def worker():
        for _ in range(200):
            store.add_score("cc", "p", 1)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.score("cc", "p") == 800


def test_count_above_gives_tie_aware_ranks(store):
    for m, s in {"a": 10, "b": 7, "c": 7, "d": 3}.items():
        store.set_score("k", m, s)
    assert store.count_above("k", 10) == 0
    assert store.count_above("k", 7) == 1
    assert store.count_above("k", 3) == 3
    assert store.count_above("k", 2**52 + 0.0) == 0
    assert store.count_above("none", 1) == 0
