"""Ranking store: sorted boards of (member, score), highest score first.

`get_store()` returns the backend chosen by settings: with REDIS_URL, Redis sorted sets (leaderboard.rankings.store_redis);
without it, an in-process sorted structure (leaderboard.rankings.store_memory). Only the store_*.py modules know which one is
active; everything else uses this interface:

    add_score(board, member, delta) -> new score        set_score(board, member, score, *, gt=False)
    top(board, n) -> [(member, score)]  best first      rank(board, member) -> 1-based rank or None
    score(board, member) -> float | None                size(board) -> int            clear(board)
    count_above(board, score) -> int (tie-aware rank = count_above + 1)
    scores(board) -> {member: score}  (whole board)     replace(board, {member: score})  (atomic rebuild)
    is_built(board) -> True once replace() wrote it: a board that is not built is rebuilt from the database
      before it is read (the in-process store starts empty in every process, Redis may be flushed)
    set_labels(board, {member: label}) / labels(board, [members]) -> {member: label}

Members are strings; scores are floats (integers up to 2**53 are exact, so composite scores from
leaderboard.rankings.keys keep every tie-breaker). Order: score descending; members with EXACTLY equal scores are
ordered by member in reverse byte order (Redis ZREVRANGE semantics, reproduced by the memory backend) — so every
tie that matters must be encoded into the score, never left to the member name.

Boards are namespaced by settings.LEADERBOARD_KEY_PREFIX (test settings set one per run), default "elearn".
The database is the source of truth: boards are caches that leaderboard.rankings.services can rebuild at any time.
"""

from functools import lru_cache

from django.conf import settings


def key_prefix() -> str:
    return getattr(settings, "LEADERBOARD_KEY_PREFIX", "") or "elearn"


@lru_cache(maxsize=4)
def _store_for(redis_url: str, prefix: str):
    if redis_url:
        from leaderboard.rankings.store_redis import RedisStore

        return RedisStore(redis_url, prefix)
    from leaderboard.rankings.store_memory import MemoryStore

    return MemoryStore(prefix)


def get_store():
    """The ranking store for the current settings (one instance per process and configuration)."""
    return _store_for(getattr(settings, "LEADERBOARD_REDIS_URL", "") or "", key_prefix())
