"""Scoring rules as pure functions (no database): one place for exams, practice, mock exams and competitions.

Points are `Decimal` values rounded to two places. A response is what the candidate chose or typed:
- single choice / true-false / multiple choice: a list of option indexes (in the order the options were shown,
  which is the order stored in the frozen paper);
- fill-in: a list of strings, one per blank, compared after `quizzes.normalise.normalise_text`.

Other areas (live competitions) may add their own functions below; keep the existing ones stable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from quizzes.normalise import normalise_text

CENT = Decimal("0.01")
ZERO = Decimal("0")


class MultipleMode(StrEnum):
    """How a multiple-choice question scores."""

    ALL_OR_NOTHING = "all"  # every correct option and no wrong one, or nothing
    PARTIAL = "partial"  # no wrong option chosen: points x (correct options chosen / correct options); else nothing


class GradingMethod(StrEnum):
    """How the exam grade is taken from several submitted attempts."""

    HIGHEST = "highest"
    LATEST = "latest"
    FIRST = "first"
    AVERAGE = "average"


def to_points(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _indexes(response) -> set[int] | None:
    """A choice response as a set of ints, or None when it is not one (then it scores nothing)."""
    if response is None:
        return set()
    if isinstance(response, int | str):
        response = [response]
    out = set()
    for item in response:
        if isinstance(item, bool):
            return None
        try:
            out.add(int(item))
        except (TypeError, ValueError):
            return None
    return out


def score_single(correct: Iterable[int], response, points) -> Decimal:
    """Single choice and true/false: exactly the one correct option."""
    chosen = _indexes(response)
    correct_set = set(correct)
    return to_points(points) if chosen is not None and chosen and chosen == correct_set else ZERO.quantize(CENT)


def score_multiple(correct: Iterable[int], response, points, mode: MultipleMode | str = MultipleMode.ALL_OR_NOTHING):
    """Multiple choice, all-or-nothing or partial (a wrong option chosen always scores nothing)."""
    chosen = _indexes(response)
    correct_set = set(correct)
    points = to_points(points)
    if not chosen or not correct_set or not chosen <= correct_set:
        return ZERO.quantize(CENT)
    if chosen == correct_set:
        return points
    if MultipleMode(mode) == MultipleMode.PARTIAL:
        return (points * len(chosen) / len(correct_set)).quantize(CENT, rounding=ROUND_HALF_UP)
    return ZERO.quantize(CENT)


def fill_blank_matches(accepted: Sequence[Sequence[str]], response) -> list[bool]:
    """Per blank: does the answer match one of the accepted spellings after normalisation?"""
    given = list(response or []) if not isinstance(response, str) else [response]
    out = []
    for i, spellings in enumerate(accepted):
        answer = normalise_text(given[i]) if i < len(given) and isinstance(given[i], str) else ""
        out.append(bool(answer) and answer in {normalise_text(s) for s in spellings})
    return out


def score_fill(accepted: Sequence[Sequence[str]], response, points) -> Decimal:
    """Fill-in: each blank is worth an equal share of the points."""
    if not accepted:
        return ZERO.quantize(CENT)
    matches = fill_blank_matches(accepted, response)
    points = to_points(points)
    if all(matches):
        return points
    return (points * sum(matches) / len(accepted)).quantize(CENT, rounding=ROUND_HALF_UP)


def score_question(snapshot: dict, response, points, multiple_mode: MultipleMode | str = MultipleMode.ALL_OR_NOTHING):
    """Score one response against a question snapshot ({"type", "correct", "accepted_answers", ...})."""
    qtype = snapshot["type"]
    if qtype in ("single", "truefalse"):
        return score_single(snapshot.get("correct", []), response, points)
    if qtype == "multiple":
        return score_multiple(snapshot.get("correct", []), response, points, multiple_mode)
    if qtype == "fill":
        return score_fill(snapshot.get("accepted_answers", []), response, points)
    raise ValueError(f"unknown question type {qtype!r}")


def is_full_marks(score, points) -> bool:
    return to_points(score) >= to_points(points) > 0


def total(scores: Iterable) -> Decimal:
    return sum((to_points(s) for s in scores), ZERO).quantize(CENT)


def percentage(score, max_score) -> Decimal:
    """Score as a percentage of the paper's maximum (0 when the paper is worth nothing)."""
    max_score = to_points(max_score)
    if max_score <= 0:
        return ZERO.quantize(CENT)
    return (to_points(score) * 100 / max_score).quantize(CENT, rounding=ROUND_HALF_UP)


def is_pass(score, max_score, pass_mark_percent) -> bool:
    """Passed when the score reaches `pass_mark_percent` of the maximum (pass mark 80 on a 100-point paper = 80)."""
    return to_points(max_score) > 0 and percentage(score, max_score) >= to_points(pass_mark_percent)


def grade(scores_in_order: Sequence, method: GradingMethod | str) -> Decimal | None:
    """The exam grade from the submitted attempts' scores, oldest first; None when there are none."""
    scores = [to_points(s) for s in scores_in_order if s is not None]
    if not scores:
        return None
    method = GradingMethod(method)
    if method == GradingMethod.HIGHEST:
        return max(scores)
    if method == GradingMethod.LATEST:
        return scores[-1]
    if method == GradingMethod.FIRST:
        return scores[0]
    return (sum(scores, ZERO) / len(scores)).quantize(CENT, rounding=ROUND_HALF_UP)


# --- Live competitions (quizzes.competitions.services): points per answer, pure functions. ---

SPEED_MAX_POINTS = 1000
SPEED_MIN_POINTS = 500
SPEED_FULL_POINTS_SECONDS = 0.5  # an answer within this time earns full points
FLAT_POINTS = 1000
ACCURACY_POINTS = 100  # accuracy-then-time: 100 per correct answer; ties broken by total answer time
STREAK_STEP = 100
STREAK_MAX = 500


def speed_points(elapsed: float, limit: float) -> int:
    """A correct answer in a speed game: 1000 points within 0.5 s, then falling linearly to 500 at the time limit
    (and 500 for an answer accepted in the network grace after it)."""
    if elapsed <= SPEED_FULL_POINTS_SECONDS or limit <= SPEED_FULL_POINTS_SECONDS:
        return SPEED_MAX_POINTS
    fraction = min(1.0, (elapsed - SPEED_FULL_POINTS_SECONDS) / (limit - SPEED_FULL_POINTS_SECONDS))
    return round(SPEED_MAX_POINTS - (SPEED_MAX_POINTS - SPEED_MIN_POINTS) * fraction)


def streak_points(streak: int) -> int:
    """Bonus for the `streak`-th correct answer in a row: nothing for the first, +100 per answer after it, at most
    +500."""
    return min(STREAK_STEP * max(0, streak - 1), STREAK_MAX)


def competition_points(mode: str, *, correct: bool, elapsed: float, limit: float) -> int:
    """Base points of one competition answer (before any streak bonus); mode is speed / accuracy / flat."""
    if not correct:
        return 0
    if mode == "speed":
        return speed_points(elapsed, limit)
    if mode == "accuracy":
        return ACCURACY_POINTS
    if mode == "flat":
        return FLAT_POINTS
    raise ValueError(f"unknown scoring mode {mode!r}")


def competition_ranks(rows: Sequence[tuple], *, by_time: bool) -> list[int]:
    """Standard competition ranks (1, 2, 2, 4) for rows of (score, total_ms) already sorted best first; with
    `by_time` (accuracy-then-time) equal scores are told apart by the shorter total time."""
    ranks: list[int] = []
    previous = None
    for position, (score, total_ms) in enumerate(rows, start=1):
        key = (score, total_ms) if by_time else (score,)
        ranks.append(ranks[-1] if key == previous else position)
        previous = key
    return ranks
