"""Filling the ranking store from the database, the source of truth: a whole board at once (after a restart of the
embedded store, a Redis flush, a removed player) and on demand before a board is read (board_ensure). Below both
the services (which then tell viewers) and the selectors (which read through it)."""

from __future__ import annotations

from django.db.models import Q

from leaderboard.rankings import boards
from leaderboard.rankings import keys as ranking_keys
from leaderboard.rankings.store import get_store


def exam_attempt_key(*, score, started_at, submitted_at, opens_at) -> int:
    """Composite ranking value of one submitted attempt (see leaderboard.rankings.keys)."""
    duration = max((submitted_at - started_at).total_seconds(), 0)
    submitted_min = max((submitted_at - opens_at).total_seconds(), 0) // 60
    return ranking_keys.exam_key(score=score, duration_s=duration, submitted_min=submitted_min)


def exam_board_fill(*, exam_id: int) -> int:
    """Recompute an exam's ranking from its submitted attempts (the database is the source of truth).
    Returns the number of ranked candidates."""
    from quizzes.exams.models import Attempt, Exam

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
    return len(best)


def competition_board_fill(*, game_id: int) -> int:
    """Recompute a game's boards from its active players (on game load after a restart, after removing a player)."""
    from quizzes.competitions.models import Competition, Game, Player

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
        exam_board_fill(exam_id=object_id)
    else:
        competition_board_fill(game_id=object_id)
