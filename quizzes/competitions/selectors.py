"""Reads across the rows of a live competition: the public game state, rankings of people and institutions, and
what one player sees about themselves.

`game_state` is the one description of a game that every client receives, on (re)connect and in each broadcast.
It never contains a correct option before the question has closed.
"""

from __future__ import annotations

from bisect import bisect_left
from itertools import accumulate

from django.db.models import Avg, Count
from django.utils import timezone

from quizzes.competitions.models import Competition, Game, GameQuestion, Player, PlayerAnswer
from quizzes.scoring import competition_ranks

TOP_N = 10


def current_question(game: Game) -> GameQuestion | None:
    if game.index < 0:
        return None
    return GameQuestion.objects.filter(game=game, index=game.index).first()


def game_version(game_id: int) -> int | None:
    """The version of a game's public state (bumped by every change clients see); None if there is no such game."""
    return Game.objects.filter(pk=game_id).values_list("version", flat=True).first()


def active_players(game_id: int):
    return Player.objects.filter(game_id=game_id, removed_at__isnull=True)


def _order(game: Game) -> list[str]:
    if game.scoring == Competition.Scoring.ACCURACY:
        return ["-score", "total_ms", "joined_at", "pk"]
    return ["-score", "joined_at", "pk"]


def ranked_players(game: Game, limit: int | None = None) -> list[dict]:
    """Active players best first with standard competition ranks (1, 2, 2, 4)."""
    rows = list(
        active_players(game.pk)
        .order_by(*_order(game))
        .values("pk", "nickname", "score", "correct_count", "total_ms", "institution__short_name", "institution__name")
    )
    ranks = competition_ranks(
        [(r["score"], r["total_ms"]) for r in rows], by_time=game.scoring == Competition.Scoring.ACCURACY
    )
    out = []
    for rank, row in zip(ranks, rows, strict=True):
        out.append(
            {
                "id": row["pk"],
                "rank": rank,
                "name": row["nickname"],
                "institution": row["institution__short_name"] or row["institution__name"] or "",
                "score": row["score"],
                "hits": row["correct_count"],
                "time": round(row["total_ms"] / 1000, 1),
            }
        )
        if limit is not None and len(out) >= limit:
            break
    return out


def institution_ranking(game: Game) -> dict:
    """Mean score of each institution's active players; only institutions with enough players are ranked."""
    rows = (
        active_players(game.pk)
        .filter(institution__isnull=False)
        .values("institution_id", "institution__name", "institution__short_name")
        .annotate(players=Count("pk"), mean=Avg("score"))
    )
    ranked, unranked = [], []
    for row in rows:
        item = {
            "id": row["institution_id"],
            "name": row["institution__short_name"] or row["institution__name"],
            "players": row["players"],
            "mean": round(float(row["mean"] or 0), 1),
        }
        (ranked if row["players"] >= game.institution_min_players else unranked).append(item)
    ranked.sort(key=lambda i: (-i["mean"], -i["players"], i["name"]))
    previous, rank = None, 0
    for position, item in enumerate(ranked, start=1):
        if item["mean"] != previous:
            rank, previous = position, item["mean"]
        item["rank"] = rank
    unranked.sort(key=lambda i: i["name"])
    return {"ranked": ranked, "unranked": unranked, "min_players": game.institution_min_players}


def lobby_players(game: Game, limit: int = 200) -> list[dict]:
    rows = active_players(game.pk).order_by("-joined_at").values("pk", "nickname", "institution__short_name")[:limit]
    return [{"id": r["pk"], "name": r["nickname"], "institution": r["institution__short_name"] or ""} for r in rows]


def _epoch(value) -> float | None:
    return round(value.timestamp(), 3) if value else None


_UNSET = object()


def game_state(game: Game, *, now=None, question=_UNSET, players: int | None = None) -> dict:
    """The public state of `game` (what the projector shows and what every player may know).

    Contains the correct options and the answer distribution only once the current question has closed."""
    now = now or timezone.now()
    gq = current_question(game) if question is _UNSET or question is None else question
    state = {
        "game": game.pk,
        "pin": game.pin,
        "title": game.competition.title,
        "phase": game.phase,
        "version": game.version,
        "index": game.index,
        "count": game.questions.count(),
        "scoring": game.scoring,
        "paused": game.is_paused,
        "players": active_players(game.pk).count() if players is None else players,
        "server_time": _epoch(now),
    }
    if gq is not None and game.phase in (Game.Phase.QUESTION, Game.Phase.REVEAL):
        state["question"] = {
            "index": gq.index,
            "type": gq.type,
            "stem": gq.stem,
            "options": list(gq.options),
            "seconds": gq.seconds,
        }
        state["answered"] = gq.answer_count
    if game.phase == Game.Phase.QUESTION and gq is not None:
        state["closes_at"] = _epoch(gq.closes_at)
        until = game.paused_at if game.is_paused else now
        state["remaining"] = max(0.0, round((gq.closes_at - until).total_seconds(), 2)) if gq.closes_at else None
    if game.phase == Game.Phase.REVEAL and gq is not None and gq.is_closed:
        state["reveal"] = {
            "correct": list(gq.correct_options),
            "distribution": list(gq.distribution),
            "explanation": gq.explanation,
            "source": gq.source,
        }
    if game.phase in (Game.Phase.LEADERBOARD, Game.Phase.FINISHED):
        state["top"] = ranked_players(game, limit=TOP_N)
        state["institutions"] = institution_ranking(game)
    if game.phase == Game.Phase.FINISHED:
        state["podium"] = [p for p in state["top"] if p["rank"] <= 3][:3]
    return state


def results_table(game_id: int, *, game: Game | None = None, question=_UNSET) -> dict[int, dict]:
    """Every active player's own view (`me`) of the current moment: score, rank and, after a question closed,
    whether their answer was right and what it earned. One pass for a whole game: computed once per state change
    (carried in the broadcast) and each consumer picks its own row."""
    game = game or Game.objects.select_related("competition").get(pk=game_id)
    gq = current_question(game) if question is _UNSET else question
    answers = {}
    if gq is not None:
        answers = {
            a["player_id"]: a
            for a in PlayerAnswer.objects.filter(game_question=gq).values(
                "player_id", "choice", "correct", "points", "bonus"
            )
        }
    ranked = ranked_players(game)
    total = len(ranked)
    table = {}
    for row in ranked:
        me = {
            "id": row["id"],
            "name": row["name"],
            "institution": row["institution"],
            "score": row["score"],
            "hits": row["hits"],
            "rank": row["rank"],
            "of": total,
        }
        me.update(_me_answer(gq, answers.get(row["id"])))
        table[row["id"]] = me
    return table


def _me_answer(gq: GameQuestion | None, answer: dict | None) -> dict:
    if gq is None:
        return {}
    out = {"answered": answer is not None}
    if gq.is_closed:
        out["last"] = (
            {
                "index": gq.index,
                "choice": answer["choice"],
                "correct": answer["correct"],
                "points": answer["points"] + answer["bonus"],
                "bonus": answer["bonus"],
            }
            if answer
            else {"index": gq.index, "choice": None, "correct": False, "points": 0, "bonus": 0}
        )
    return out


def player_me(game: Game, player: Player, *, question=_UNSET) -> dict:
    """One (re)connecting player's own view, read fresh (see players_me)."""
    player = Player.objects.select_related("institution").get(pk=player.pk)
    if player.removed_at is not None:
        return {"id": player.pk, "name": player.nickname, "removed": True}
    views, _count = players_me(game, [player], question=question)
    return views[player.pk]


def players_me(game: Game, players: list[Player], *, question=_UNSET) -> tuple[dict[int, dict], int]:
    """The own views (`me`) of (re)connecting active players, any number at once, and the number of active players,
    without ranking everyone: one query for the histogram of (score[, time]) over the game's active players, which
    gives each one's rank (1 + how many are better: standard competition ranking, as ranked_players) and the count;
    one for their answers to the current question. `players`: fresh rows with their institution selected."""
    by_time = game.scoring == Competition.Scoring.ACCURACY
    keys = ("score", "total_ms") if by_time else ("score",)

    def place(row) -> tuple:  # smaller is better
        return (-row["score"], row["total_ms"]) if by_time else (-row["score"],)

    histogram = sorted(
        (place(row), row["n"]) for row in active_players(game.pk).values(*keys).annotate(n=Count("pk")).order_by()
    )
    places = [p for p, _ in histogram]
    better_or_equal = list(accumulate(n for _, n in histogram))
    total = better_or_equal[-1] if better_or_equal else 0
    gq = current_question(game) if question is _UNSET else question
    answers = {}
    if gq is not None and players:
        answers = {
            a["player_id"]: a
            for a in PlayerAnswer.objects.filter(game_question=gq, player__in=[p.pk for p in players]).values(
                "player_id", "choice", "correct", "points", "bonus"
            )
        }
    views = {}
    for player in players:
        at = bisect_left(places, place({"score": player.score, "total_ms": player.total_ms}))
        institution = player.institution
        views[player.pk] = {
            "id": player.pk,
            "name": player.nickname,
            "institution": (institution.short_name or institution.name) if institution else "",
            "score": player.score,
            "hits": player.correct_count,
            "rank": 1 + (better_or_equal[at - 1] if at else 0),
            "of": total,
            **_me_answer(gq, answers.get(player.pk)),
        }
    return views, total


def player_cookie(game_id: int) -> str:
    """Name of the cookie holding a browser's player token for one game (set by the join view, HttpOnly)."""
    return f"elearn_player_{game_id}"
