"""Redis ranking store (scale-out): one sorted set per board, shared by every server process.

Keys: "<LEADERBOARD_KEY_PREFIX>:lb:<board>" (sorted set) and "<prefix>:lbl:<board>" (hash of display labels).
redis-py 8 defaults to a 5 s socket timeout and a 100-connection pool; both are set explicitly here.
"""

import redis


class RedisStore:
    backend = "redis"

    def __init__(self, url: str, prefix: str):
        self.prefix = prefix
        self.client = redis.Redis.from_url(
            url, decode_responses=True, socket_timeout=5, socket_connect_timeout=5, max_connections=200
        )

    def _key(self, board: str) -> str:
        return f"{self.prefix}:lb:{board}"

    def _label_key(self, board: str) -> str:
        return f"{self.prefix}:lbl:{board}"

    def _built_key(self, board: str) -> str:
        return f"{self.prefix}:lbb:{board}"

    def add_score(self, board: str, member: str, delta: float) -> float:
        return float(self.client.zincrby(self._key(board), float(delta), str(member)))

    def set_score(self, board: str, member: str, score: float, *, gt: bool = False) -> bool:
        """ZADD (GT: only if higher). Returns True if the score was written."""
        changed = self.client.zadd(self._key(board), {str(member): float(score)}, gt=gt, ch=True)
        if changed:
            return True
        if gt:
            return False
        return True  # ZADD reports 0 when the same score was written again

    def top(self, board: str, n: int) -> list[tuple[str, float]]:
        if n <= 0:
            return []
        return [(m, float(s)) for m, s in self.client.zrevrange(self._key(board), 0, n - 1, withscores=True)]

    def rank(self, board: str, member: str) -> int | None:
        found = self.client.zrevrank(self._key(board), str(member))
        return None if found is None else int(found) + 1

    def count_above(self, board: str, score: float) -> int:
        """How many members score strictly higher (so a tie-aware rank is count_above + 1)."""
        return int(self.client.zcount(self._key(board), f"({float(score)!r}", "+inf"))

    def score(self, board: str, member: str) -> float | None:
        found = self.client.zscore(self._key(board), str(member))
        return None if found is None else float(found)

    def scores(self, board: str) -> dict[str, float]:
        return {m: float(s) for m, s in self.client.zrange(self._key(board), 0, -1, withscores=True)}

    def size(self, board: str) -> int:
        return int(self.client.zcard(self._key(board)))

    def clear(self, board: str) -> None:
        self.client.delete(self._key(board), self._label_key(board), self._built_key(board))

    def replace(self, board: str, mapping: dict[str, float]) -> None:
        """Atomically swap in a rebuilt board (written to a temporary key, then RENAME)."""
        key = self._key(board)
        pipe = self.client.pipeline(transaction=True)
        if mapping:
            tmp = f"{key}:rebuild"
            pipe.delete(tmp)
            pipe.zadd(tmp, {str(m): float(s) for m, s in mapping.items()})
            pipe.rename(tmp, key)
        else:
            pipe.delete(key)
        pipe.set(self._built_key(board), "1")
        pipe.execute()

    def is_built(self, board: str) -> bool:
        """Has this board been (re)built from the database since Redis last lost it (see replace)?"""
        return bool(self.client.exists(self._built_key(board)))

    def set_labels(self, board: str, labels: dict[str, str]) -> None:
        if labels:
            self.client.hset(self._label_key(board), mapping={str(m): str(v) for m, v in labels.items()})

    def labels(self, board: str, members) -> dict[str, str]:
        members = [str(m) for m in members]
        if not members:
            return {}
        values = self.client.hmget(self._label_key(board), members)
        return {m: v for m, v in zip(members, values, strict=True) if v is not None}

    def delete_prefix(self) -> int:
        """Remove every board under this prefix (tests and full rebuilds)."""
        count = 0
        for key in self.client.scan_iter(match=f"{self.prefix}:lb*", count=500):
            count += self.client.delete(key)
        return count
