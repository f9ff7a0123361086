"""Reads of rankings: people from the ranking store (fast, live), institutions and names from the database.

Ranks are standard competition ranks (1, 2, 2, 4): members whose composite scores are equal share a rank.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from django.db.models import Count, Max, Q
from django.utils import timezone

from elearn.org.models import Institution, User
from leaderboard.rankings import boards
from leaderboard.rankings import keys as ranking_keys
from leaderboard.rankings.rebuild import board_ensure
from leaderboard.rankings.store import get_store

TOP_N = 10
EXAM_TOP_N = 50


def _tied_ranks(rows: list[tuple[str, float]], first_rank: int = 1) -> list[int]:
    ranks: list[int] = []
    previous = None
    for position, (_, value) in enumerate(rows, start=first_rank):
        ranks.append(ranks[-1] if ranks and value == previous else position)
        previous = value
    return ranks


def _user_labels(user_ids) -> dict[int, dict]:
    rows = User.objects.filter(pk__in=list(user_ids)).values(
        "pk", "real_name", "institution_id", "institution__short_name", "institution__name"
    )
    return {
        r["pk"]: {
            "name": r["real_name"],
            "institution": r["institution__short_name"] or r["institution__name"] or "",
            "institution_id": r["institution_id"],
        }
        for r in rows
    }


# --- exams: the always-open knowledge-contest ranking ---------------------------------------------------------------
def contest_exam(now=None):
    """The exam the 排行 tab shows: the published exam open now (latest opened), else the last one that closed."""
    from quizzes.exams.models import Exam

    now = now or timezone.now()
    published = Exam.objects.published()
    return (
        published.open_at(now).order_by("-opens_at", "pk").first()
        or published.filter(opens_at__lte=now).order_by("-closes_at", "pk").first()
    )


def exam_ranking(exam_id: int, n: int = EXAM_TOP_N) -> list[dict]:
    """The best `n` candidates: best score, then shorter duration, then earlier submission."""
    key = boards.exam_board(exam_id)
    board_ensure(key)
    rows = get_store().top(key, n)
    labels = _user_labels(int(m) for m, _ in rows)
    out = []
    for rank, (member, value) in zip(_tied_ranks(rows), rows, strict=True):
        decoded = ranking_keys.exam_unpack(value)
        label = labels.get(int(member), {"name": "?", "institution": "", "institution_id": None})
        out.append(
            {
                "rank": rank,
                "user": int(member),
                "name": label["name"],
                "institution": label["institution"],
                "score": float(decoded["score"]),
                "duration_s": decoded["duration_s"],
            }
        )
    return out


def exam_my_rank(exam_id: int, user_id: int) -> dict | None:
    """The user's own place in the exam ranking (tie-aware), or None before their first submitted attempt."""
    key = boards.exam_board(exam_id)
    board_ensure(key)
    store = get_store()
    value = store.score(key, str(user_id))
    if value is None:
        return None
    decoded = ranking_keys.exam_unpack(value)
    return {
        "rank": store.count_above(key, value) + 1,
        "of": store.size(key),
        "score": float(decoded["score"]),
        "duration_s": decoded["duration_s"],
    }


def exam_institution_ranking(exam) -> list[dict]:
    """Per institution in the exam's audience: participants (candidates with a submitted attempt) against the roster
    headcount, and the average of each participant's best score. Ordered by participation rate, then average;
    institutions without a participant come last with rank None."""
    from quizzes.exams.models import Attempt

    audience = list(exam.institutions.all()) or list(Institution.objects.all())
    best = (
        Attempt.objects.filter(exam=exam, is_mock=False, state=Attempt.State.SUBMITTED, score__isnull=False)
        .values("user_id", "user__institution_id")
        .annotate(best=Max("score"))
    )
    totals: dict[int, list] = defaultdict(lambda: [0, Decimal(0)])
    for row in best:
        entry = totals[row["user__institution_id"]]
        entry[0] += 1
        entry[1] += row["best"]
    members = dict(
        Institution.objects.filter(pk__in=[i.pk for i in audience])
        .annotate(n=Count("members", filter=Q(members__is_active=True)))
        .values_list("pk", "n")
    )
    rows = []
    for inst in audience:
        participants, total = totals.get(inst.pk, (0, Decimal(0)))
        headcount = inst.headcount or members.get(inst.pk, 0)
        rate = min(participants / headcount, 1.0) if headcount else 0.0
        rows.append(
            {
                "id": inst.pk,
                "name": inst.display_name,
                "headcount": headcount,
                "participants": participants,
                "rate": round(rate * 100, 1),
                "average": round(float(total / participants), 2) if participants else None,
            }
        )
    # An institution nobody from has sat the exam is listed, last and without a rank: a medal or a shared "2nd place"
    # for taking no part would reward exactly what the board is meant to expose.
    rows.sort(key=lambda r: (not r["participants"], -r["rate"], -(r["average"] or 0), r["name"]))
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        if not row["participants"]:
            row["rank"] = None
            continue
        key = (row["rate"], row["average"])
        if key != previous:
            rank, previous = position, key
        row["rank"] = rank
    return rows


# --- live competitions -------------------------------------------------------------------------------------------
def competition_people(game_id: int, n: int = TOP_N, *, by_time: bool = False) -> list[dict]:
    """The best `n` players of a live game from the store (names from the database)."""
    from quizzes.competitions.models import Player

    board_ensure(boards.game_players_board(game_id))
    rows = get_store().top(boards.game_players_board(game_id), n)
    names = {
        r["pk"]: r
        for r in Player.objects.filter(pk__in=[int(m) for m, _ in rows]).values(
            "pk", "nickname", "institution__short_name", "institution__name"
        )
    }
    out = []
    for rank, (member, value) in zip(_tied_ranks(rows), rows, strict=True):
        decoded = ranking_keys.competition_unpack(value, by_time=by_time)
        row = names.get(int(member), {})
        out.append(
            {
                "rank": rank,
                "id": int(member),
                "name": row.get("nickname", "?"),
                "institution": row.get("institution__short_name") or row.get("institution__name") or "",
                "score": decoded["score"],
            }
        )
    return out


def institution_means(scores: dict[str, float], institution_of: dict[str, float], min_players: int) -> dict:
    """Mean score per institution; ranked only with at least `min_players` players (pure: no store, no database).

    `scores` maps player -> score, `institution_of` player -> institution id (0 = none)."""
    sums: dict[int, list] = defaultdict(lambda: [0, 0.0])
    for player, score in scores.items():
        inst = int(institution_of.get(player, 0))
        if inst:
            sums[inst][0] += 1
            sums[inst][1] += score
    ranked, unranked = [], []
    for inst, (count, total) in sums.items():
        item = {"id": inst, "players": count, "mean": round(total / count, 1)}
        (ranked if count >= min_players else unranked).append(item)
    ranked.sort(key=lambda i: (-i["mean"], -i["players"], i["id"]))
    previous, rank = None, 0
    for position, item in enumerate(ranked, start=1):
        if item["mean"] != previous:
            rank, previous = position, item["mean"]
        item["rank"] = rank
    unranked.sort(key=lambda i: i["id"])
    return {"ranked": ranked, "unranked": unranked, "min_players": min_players}


def competition_institutions(game_id: int, min_players: int, *, by_time: bool = False) -> dict:
    """Institution ranking of a live game: mean of its players' scores, from the store."""
    board_ensure(boards.game_players_board(game_id))
    store = get_store()
    composite = store.scores(boards.game_players_board(game_id))
    scores = {m: float(ranking_keys.competition_unpack(v, by_time=by_time)["score"]) for m, v in composite.items()}
    result = institution_means(scores, store.scores(boards.game_institutions_board(game_id)), min_players)
    names = {i.pk: i.display_name for i in Institution.objects.filter(pk__in=[r["id"] for r in result["ranked"]])}
    names.update(
        {i.pk: i.display_name for i in Institution.objects.filter(pk__in=[r["id"] for r in result["unranked"]])}
    )
    for item in result["ranked"] + result["unranked"]:
        item["name"] = names.get(item["id"], "?")
    return result


def competition_player_rank(game_id: int, player_id: int) -> dict | None:
    key = boards.game_players_board(game_id)
    board_ensure(key)
    store = get_store()
    value = store.score(key, str(player_id))
    if value is None:
        return None
    return {"rank": store.count_above(key, value) + 1, "of": store.size(key)}


# --- the state a board's viewers get (on connect and in every coalesced push) ------------------------------------
def board_state(key: str) -> dict:
    kind, object_id = boards.parse(key)
    if kind == "exam":
        from quizzes.exams.models import Exam

        exam = Exam.objects.get(pk=object_id)
        return {
            "board": key,
            "kind": "exam",
            "title": exam.title,
            "count": get_store().size(key),
            "top": exam_ranking(object_id, EXAM_TOP_N),
            "institutions": exam_institution_ranking(exam),
            "at": timezone.now().timestamp(),
        }
    from quizzes.competitions.models import Competition, Game

    game = Game.objects.select_related("competition").get(pk=object_id)
    by_time = game.scoring == Competition.Scoring.ACCURACY
    return {
        "board": key,
        "kind": "game",
        "title": game.competition.title,
        "count": get_store().size(key),
        "top": competition_people(object_id, TOP_N, by_time=by_time),
        "institutions": competition_institutions(object_id, game.institution_min_players, by_time=by_time),
        "at": timezone.now().timestamp(),
    }


# --- who may watch a board ----------------------------------------------------------------------------------------
def can_view_board(user, key: str) -> bool:
    """Exam rankings: anyone in the exam's audience, and the managers who may report on the exam (a safety officer:
    exams for their institution; never another institution's). A live game's board (projector): its hosts."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    try:
        kind, object_id = boards.parse(key)
    except ValueError:
        return False
    if kind == "exam":
        from quizzes.exams.models import Exam
        from quizzes.results.selectors import report_exam

        exam = Exam.objects.published().filter(pk=object_id).first()
        return exam is not None and (exam.is_for(user) or report_exam(user, exam.pk) is not None)
    from quizzes.competitions.models import Game

    game = Game.objects.select_related("competition").filter(pk=object_id).first()
    return game is not None and (game.host_id == user.pk or game.competition.can_host(user))
