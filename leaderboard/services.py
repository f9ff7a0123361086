"""Changes to rankings. The database is the source of truth; the ranking store is a cache these functions keep in
step (incrementally as results come in) and can always rebuild from the database.

Every change marks its board dirty (leaderboard.coalesce), which pushes the new state to viewers a few times a
second at most. Call the record functions after the result is committed (transaction.on_commit or a signal sent
after commit): a rolled-back answer must never reach a ranking.
"""

from __future__ import annotations

import logging

from django.db.models import Q

from . import boards, ranking_keys
from .coalesce import mark_dirty
from .store import get_store

logger = logging.getLogger(__name__)


# --- exams ----------------------------------------------------------------------------------------------------------
def _counts(attempt) -> bool:
    return (
        attempt.state == "submitted"
        and not attempt.is_mock
        and attempt.score is not None
        and attempt.submitted_at is not None
    )


def exam_attempt_key(*, score, started_at, submitted_at, opens_at) -> int:
    """Composite ranking value of one submitted attempt (see leaderboard.ranking_keys)."""
    duration = max((submitted_at - started_at).total_seconds(), 0)
    submitted_min = max((submitted_at - opens_at).total_seconds(), 0) // 60
    return ranking_keys.exam_key(score=score, duration_s=duration, submitted_min=submitted_min)


def exam_attempt_record(*, attempt) -> bool:
    """A candidate submitted an attempt: it replaces their ranking entry if it is better than their best so far.
    Returns True if the ranking changed. Mock attempts and unscored attempts never count."""
    if not _counts(attempt):
        return False
    exam = attempt.exam
    value = exam_attempt_key(
        score=attempt.score, started_at=attempt.started_at, submitted_at=attempt.submitted_at, opens_at=exam.opens_at
    )
    key = boards.exam_board(exam.pk)
    changed = get_store().set_score(key, str(attempt.user_id), value, gt=True)
    # The institution ranking (participation, average) changes with every counted attempt, even a worse one.
    mark_dirty(key)
    return changed


def exam_board_rebuild(*, exam_id: int, notify: bool = True) -> int:
    """Recompute an exam's ranking from its submitted attempts (the database is the source of truth).
    Returns the number of ranked candidates."""
    from quizzes.models import Attempt, Exam

    exam = Exam.objects.get(pk=exam_id)
    best: dict[str, int] = {}
    attempts = Attempt.objects.filter(
        exam=exam, is_mock=False, state=Attempt.State.SUBMITTED, score__isnull=False, submitted_at__isnull=False
    ).values_list("user_id", "score", "started_at", "submitted_at")
    for user_id, score, started_at, submitted_at in attempts.iterator(chunk_size=2000):
        value = exam_attempt_key(score=score, started_at=started_at, submitted_at=submitted_at, opens_at=exam.opens_at)
        member = str(user_id)
        if value > best.get(member, -1):
            best[member] = value
    get_store().replace(boards.exam_board(exam.pk), best)
    if notify:
        mark_dirty(boards.exam_board(exam.pk))
    return len(best)


def exam_boards_rebuild() -> int:
    """Rebuild every published exam's ranking (after a Redis flush, a restart of the embedded store, ...)."""
    from quizzes.models import Exam

    count = 0
    for exam_id in Exam.objects.published().values_list("pk", flat=True):
        exam_board_rebuild(exam_id=exam_id)
        count += 1
    return count


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
    """Recompute a game's boards from its active players (on game load after a restart, after removing a player)."""
    from quizzes.models import Competition, Game, Player

    game = Game.objects.get(pk=game_id)
    by_time = game.scoring == Competition.Scoring.ACCURACY
    players = Player.objects.filter(Q(game=game) & Q(removed_at__isnull=True)).values_list(
        "pk", "score", "total_ms", "institution_id", "nickname"
    )
    scores, institutions, labels = {}, {}, {}
    for pk, score, total_ms, institution_id, nickname in players:
        scores[str(pk)] = ranking_keys.competition_key(score=score, total_ms=total_ms, by_time=by_time)
        institutions[str(pk)] = institution_id or 0
        labels[str(pk)] = nickname
    store = get_store()
    store.replace(boards.game_players_board(game_id), scores)
    store.set_labels(boards.game_players_board(game_id), labels)
    store.replace(boards.game_institutions_board(game_id), institutions)
    if notify:
        mark_dirty(boards.game_players_board(game_id))
    return len(scores)


def board_ensure(key: str) -> None:
    """Rebuild board `key` from the database unless the store already holds a complete copy.

    The in-process store starts empty in every server process (and after a restart); Redis may have been flushed.
    Readers call this first, so a ranking is never shown from a partial cache."""
    store = get_store()
    if store.is_built(key):
        return
    kind, object_id = boards.parse(key)
    if kind == "exam":
        exam_board_rebuild(exam_id=object_id, notify=False)
    else:
        competition_board_rebuild(game_id=object_id, notify=False)
