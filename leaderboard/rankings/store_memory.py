"""In-process ranking store (embedded default): one sorted list per board, guarded by a lock.

Each board keeps {member: score} and a list of (score, member) in ascending order (bisect), so reading it backwards
gives exactly Redis' ZREVRANGE order: score descending, then member in reverse order. Inserts cost O(n) memmove,
which stays far below a millisecond for boards of tens of thousands of members.
"""

import threading
from bisect import bisect_left, bisect_right, insort


class _Board:
    __slots__ = ("order", "scores")

    def __init__(self):
        self.scores: dict[str, float] = {}
        self.order: list[tuple[float, str]] = []

    def set(self, member: str, value: float) -> None:
        old = self.scores.get(member)
        if old is not None:
            del self.order[bisect_left(self.order, (old, member))]
        self.scores[member] = value
        insort(self.order, (value, member))


class MemoryStore:
    backend = "memory"

    def __init__(self, prefix: str):
        self.prefix = prefix
        self._boards: dict[str, _Board] = {}
        self._labels: dict[str, dict[str, str]] = {}
        self._built: set[str] = set()
        self._lock = threading.Lock()

    def _board(self, board: str) -> _Board:
        found = self._boards.get(board)
        if found is None:
            found = self._boards[board] = _Board()
        return found

    def add_score(self, board: str, member: str, delta: float) -> float:
        member = str(member)
        with self._lock:
            b = self._board(board)
            value = b.scores.get(member, 0.0) + float(delta)
            b.set(member, value)
            return value

    def set_score(self, board: str, member: str, score: float, *, gt: bool = False) -> bool:
        """Set a member's score; with gt=True only if it is higher than the current one. Returns True if written."""
        member = str(member)
        with self._lock:
            b = self._board(board)
            old = b.scores.get(member)
            if gt and old is not None and float(score) <= old:
                return False
            b.set(member, float(score))
            return True

    def top(self, board: str, n: int) -> list[tuple[str, float]]:
        with self._lock:
            b = self._boards.get(board)
            if b is None or n <= 0:
                return []
            return [(m, s) for s, m in reversed(b.order[-n:])]

    def rank(self, board: str, member: str) -> int | None:
        member = str(member)
        with self._lock:
            b = self._boards.get(board)
            if b is None or member not in b.scores:
                return None
            return len(b.order) - bisect_left(b.order, (b.scores[member], member))

    def count_above(self, board: str, score: float) -> int:
        """How many members score strictly higher (so a tie-aware rank is count_above + 1)."""
        with self._lock:
            b = self._boards.get(board)
            if b is None:
                return 0
            return len(b.order) - bisect_right(b.order, float(score), key=lambda item: item[0])

    def score(self, board: str, member: str) -> float | None:
        with self._lock:
            b = self._boards.get(board)
            return None if b is None else b.scores.get(str(member))

    def scores(self, board: str) -> dict[str, float]:
        with self._lock:
            b = self._boards.get(board)
            return {} if b is None else dict(b.scores)

    def size(self, board: str) -> int:
        with self._lock:
            b = self._boards.get(board)
            return 0 if b is None else len(b.scores)

    def clear(self, board: str) -> None:
        with self._lock:
            self._boards.pop(board, None)
            self._labels.pop(board, None)
            self._built.discard(board)

    def replace(self, board: str, mapping: dict[str, float]) -> None:
        fresh = _Board()
        fresh.scores = {str(m): float(s) for m, s in mapping.items()}
        fresh.order = sorted((s, m) for m, s in fresh.scores.items())
        with self._lock:
            self._boards[board] = fresh
            self._built.add(board)

    def is_built(self, board: str) -> bool:
        """Has this board been (re)built from the database since the store started (see replace)?"""
        with self._lock:
            return board in self._built

    def set_labels(self, board: str, labels: dict[str, str]) -> None:
        if not labels:
            return
        with self._lock:
            self._labels.setdefault(board, {}).update({str(m): str(v) for m, v in labels.items()})

    def labels(self, board: str, members) -> dict[str, str]:
        with self._lock:
            known = self._labels.get(board, {})
            return {str(m): known[str(m)] for m in members if str(m) in known}

    def delete_prefix(self) -> int:
        """Remove every board (tests and full rebuilds)."""
        with self._lock:
            count = len(self._boards)
            self._boards.clear()
            self._labels.clear()
            self._built.clear()
            return count
