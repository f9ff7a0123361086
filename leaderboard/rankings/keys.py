"""Composite ranking scores: several ordered criteria packed into one integer, so one ZREVRANGE gives the final order.

A board orders by score descending (leaderboard.rankings.store). Each criterion gets a fixed number of bits, most important
first; "smaller is better" criteria are stored inverted. The total stays below 2**53, so the value is exact both as a
Python float and as a Redis sorted-set score (an IEEE double). Values outside a criterion's range are clamped.

Exam ranking (the always-open knowledge contest), best first:
  1. higher score        (hundredths of a point, 20 bits: up to 10,485.75 points)
  2. shorter duration    (seconds from start to submission, 14 bits: up to 4 h 33 min; longer counts as that)
  3. earlier submission  (whole minutes after the exam opened, 19 bits: up to 364 days)
Two attempts equal on all three (same score and duration, submitted in the same minute) share a score; their order
is then by member id (reverse), and the selectors show them with the same rank.

Competition ranking: accuracy-then-time mode = (score 24 bits, shorter total answer time in ms 29 bits: up to 149 h);
speed and flat modes = score only (equal scores share a rank).
"""

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

MAX_BITS = 53

# (name, bits, higher_is_better)
EXAM_PARTS = (("score_centi", 20, True), ("duration_s", 14, False), ("submitted_min", 19, False))
COMPETITION_TIME_PARTS = (("score", 24, True), ("total_ms", 29, False))
COMPETITION_PARTS = (("score", 53, True),)


def pack(values: Sequence[int], parts: Sequence[tuple[str, int, bool]]) -> int:
    if len(values) != len(parts):
        raise ValueError("one value per part")
    if sum(bits for _, bits, _ in parts) > MAX_BITS:
        raise ValueError("composite wider than 53 bits")
    total = 0
    for value, (_, bits, higher_is_better) in zip(values, parts, strict=True):
        top = (1 << bits) - 1
        v = min(max(int(value), 0), top)
        if not higher_is_better:
            v = top - v
        total = (total << bits) | v
    return total


def unpack(composite: float, parts: Sequence[tuple[str, int, bool]]) -> dict[str, int]:
    value = int(composite)
    out = {}
    for name, bits, higher_is_better in reversed(parts):
        top = (1 << bits) - 1
        v = value & top
        value >>= bits
        out[name] = v if higher_is_better else top - v
    return out


def exam_key(*, score: Decimal | float | int, duration_s: float, submitted_min: float) -> int:
    centi = int((Decimal(str(score)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return pack([centi, int(duration_s), int(submitted_min)], EXAM_PARTS)


def exam_unpack(composite: float) -> dict:
    raw = unpack(composite, EXAM_PARTS)
    return {
        "score": Decimal(raw["score_centi"]) / 100,
        "duration_s": raw["duration_s"],
        "submitted_min": raw["submitted_min"],
    }


def competition_key(*, score: int, total_ms: int = 0, by_time: bool = False) -> int:
    if by_time:
        return pack([score, total_ms], COMPETITION_TIME_PARTS)
    return pack([max(int(score), 0)], COMPETITION_PARTS)


def competition_unpack(composite: float, *, by_time: bool = False) -> dict:
    if by_time:
        return unpack(composite, COMPETITION_TIME_PARTS)
    return {"score": int(composite), "total_ms": None}
