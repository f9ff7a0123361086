"""Changes to rankings. The database is the source of truth; the ranking store is a cache these functions keep in
step (incrementally as results come in) and can always rebuild from the database.

Every change marks its board dirty (leaderboard.rankings.coalesce), which pushes the new state to viewers a few times a
second at most. Call the record functions after the result is committed (transaction.on_commit or a signal sent
after commit): a rolled-back answer must never reach a ranking.
"""

from __future__ import annotations

import logging

from leaderboard.rankings import boards, rebuild
from leaderboard.rankings import keys as ranking_keys
from leaderboard.rankings.coalesce import mark_dirty
from leaderboard.rankings.store import get_store

logger = logging.getLogger(__name__)


# --- exams ----------------------------------------------------------------------------------------------------------
def _counts(attempt) -> bool:
    return (
        attempt.state == "submitted"
        and not attempt.is_mock
        and attempt.score is not None
        and attempt.submitted_at is not None
    )


def exam_attempt_record(*, attempt) -> bool:
    """A candidate submitted an attempt: it replaces their ranking entry if it is better than their best so far.
    Returns True if the ranking changed. Mock attempts and unscored attempts never count."""
    if not _counts(attempt):
        return False
    exam = attempt.exam
    value = rebuild.exam_attempt_key(
        score=attempt.score, started_at=attempt.started_at, submitted_at=attempt.submitted_at, opens_at=exam.opens_at
    )
    key = boards.exam_board(exam.pk)
    changed = get_store().set_score(key, str(attempt.user_id), value, gt=True)
    # The institution ranking (participation, average) changes with every counted attempt, even a worse one.
    mark_dirty(key)
    return changed


def exam_board_rebuild(*, exam_id: int, notify: bool = True) -> int:
    """Recompute an exam's ranking from its submitted attempts (the database is the source of truth) and, unless
    `notify` is False, push it to viewers. Returns the number of ranked candidates."""
    count = rebuild.exam_board_fill(exam_id=exam_id)
    if notify:
        mark_dirty(boards.exam_board(exam_id))
    return count


def exam_boards_rebuild() -> int:
    """Rebuild every published exam's ranking (after a Redis flush, a restart of the embedded store, ...)."""
    from quizzes.exams.models import Exam

    count = 0
    for exam_id in Exam.objects.published().values_list("pk", flat=True):
        exam_board_rebuild(exam_id=exam_id)
        count += 1
    return count


def on_game_players_changed(sender, game_id: int, **kwargs) -> None:
    """Receiver of quizzes.signals.game_players_changed (sent after the change committed)."""
    try:
        competition_board_rebuild(game_id=game_id)
    except Exception:  # a ranking cache must never break the game
        logger.exception("ranking store update for game %s failed", game_id)


def on_attempt_submitted(sender, attempt, **kwargs) -> None:
    """Receiver of quizzes.signals.attempt_submitted (sent after the submission committed)."""
    try:
        exam_attempt_record(attempt=attempt)
    except Exception:  # a ranking cache must never break a submission
        logger.exception("leaderboard: recording attempt %s failed", getattr(attempt, "pk", None))


# --- live competitions -----------------------------------------------------------------------------------------------
def competition_player_record(
    *, game_id: int, player_id: int, score: int, total_ms: int = 0, institution_id: int | None, by_time: bool
) -> None:
    """A player's total changed (call after the answer committed): set it on the game's board and mark it dirty."""
    store = get_store()
    store.set_score(
        boards.game_players_board(game_id),
        str(player_id),
        ranking_keys.competition_key(score=score, total_ms=total_ms, by_time=by_time),
    )
    store.set_score(boards.game_institutions_board(game_id), str(player_id), institution_id or 0)
    mark_dirty(boards.game_players_board(game_id))


def competition_board_rebuild(*, game_id: int, notify: bool = True) -> int:
    """Recompute a game's boards from its active players (on game load after a restart, after removing a player)
    and, unless `notify` is False, push them to viewers."""
    count = rebuild.competition_board_fill(game_id=game_id)
    if notify:
        mark_dirty(boards.game_players_board(game_id))
    return count
