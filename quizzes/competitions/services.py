"""Live competitions: every change to a game goes through here (HTML views, the API and the WebSocket consumers all
call these functions). Keyword-only, atomic; the game row is locked (select_for_update) for every change of phase;
refusals raise quizzes.competitions.exceptions; clients are told with elearn.realtime.broadcast after commit.

Rules the server owns:
- a question opens and closes at stored server times (GameQuestion.opened_at / closes_at);
- an answer counts only if it is received while its question is open, or within ANSWER_GRACE_SECONDS after closes_at
  (then scored as if received at the deadline); points come from the server's receive time;
- only a player's first answer counts (a unique constraint, not a check-then-insert);
- a question closes when its time is up (the first request after the deadline closes it: a consumer's timer, the
  host console's poll, any player's answer or reconnection), when every player has answered, or when the host skips;
- the correct option leaves the server only after the question has closed;
- a host action may name the state version it was taken on (the console sends the one it shows); once the game has
  moved past it the action is refused (StaleAction, code stale_action) and changes nothing, so a double click, two
  consoles, a retry after a reconnect or two API calls never skip a question. Without a version the action is
  applied to the current state, as before (older clients and scripts);
- a person sitting a counting exam attempt takes no part in a live game, which reveals answers (see
  _ensure_may_see_answers).
"""

from __future__ import annotations

import logging
import random
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import F, prefetch_related_objects
from django.utils import timezone

from elearn.org.bank_permissions import can_manage_bank
from elearn.realtime.broadcast import broadcast
from elearn.realtime.groups import competition_group, competition_host_group
from quizzes.bank.models import Category, Question
from quizzes.competitions.exceptions import (
    AnswerClosed,
    CompetitionError,
    ExamInProgress,
    GameNotFound,
    GameOver,
    GamePaused,
    InvalidAnswer,
    NicknameUnavailable,
    NoQuestions,
    NotAllowed,
    PlayerRemoved,
    StaleAction,
    WrongPhase,
)
from quizzes.competitions.models import PIN_LENGTH, Competition, Game, GameQuestion, Player, PlayerAnswer, hash_token
from quizzes.competitions.selectors import (
    active_players,
    game_state,
    game_version,
    lobby_players,
    player_cookie,
    player_me,
    players_me,
)
from quizzes.exams.selectors import sitting_user_ids
from quizzes.exams.services import ensure_not_sitting_exam
from quizzes.scoring import competition_points, streak_points
from quizzes.signals import game_players_changed

logger = logging.getLogger(__name__)

# Guests at the consultation-day booth pick a nickname from generated ones (no free text on a public projector).
NICK_ADJECTIVES = "机智的 勇敢的 细心的 冷静的 敏捷的 可靠的 热心的 认真的 沉着的 乐观的 专注的 果断的".split()
NICK_NOUNS = "消防员 安全员 急救员 巡检员 守护者 灭火器 护士长 逃生门 应急灯 警报器 救援队 指挥员".split()
MAX_INDEX = 32767  # GameQuestion.index is a PositiveSmallIntegerField


# --- helpers ---------------------------------------------------------------------------------------------------------


def _lock(game_id: int) -> Game:
    try:
        return Game.objects.select_for_update().select_related("competition").get(pk=game_id)
    except Game.DoesNotExist:
        raise GameNotFound


def _ensure_may_see_answers(user, *, host: bool = False) -> None:
    """Exam integrity: a live game reveals the correct answer after every question (on the projector and on every
    phone), so a person sitting a counting exam attempt takes no part in one until it is submitted (ExamInProgress,
    code exam_in_progress; the exam core's one guard, quizzes.exams.services.ensure_not_sitting_exam).

    - Players are refused joining (or rejoining), connecting and answering. A guest without an account cannot be
      told apart from anyone else; a logged-in browser is checked even in a public game.
    - Hosts who manage the bank (district admins) are NOT refused: they read every question and its answer in the
      bank admin anyway, so refusing them would protect nothing, and would stall a live event for its audience.
    - Any other host (a safety officer hosting their institution's staff game sees answers only through the game) is
      refused like a player: opening, connecting to, reading the state of and driving a game."""
    if not getattr(user, "is_authenticated", False):
        return
    if host and can_manage_bank(user):
        return
    ensure_not_sitting_exam(user, refusal=ExamInProgress)


def host_admit(*, actor) -> None:
    """Refuse (ExamInProgress) a host who may not see answers now (a connecting console, the state API)."""
    _ensure_may_see_answers(actor, host=True)


def _check_host(game: Game, actor) -> None:
    if not game.competition.can_host(actor):
        raise NotAllowed
    _ensure_may_see_answers(actor, host=True)


def _check_version(game: Game, version: int | None) -> None:
    """A host action taken on state `version` (the one the console shows) acts only on that state: if the game has
    moved on since (the same action already applied, another console, the question's time ran out), it is refused
    and nothing changes. None: the caller named no version (an older client); the action applies to the current state.
    Called under the game row's lock, so of two identical actions at once exactly one passes."""
    if version is not None and version != game.version:
        raise StaleAction(version=game.version)


def _question(game: Game, index: int | None = None) -> GameQuestion | None:
    index = game.index if index is None else index
    if index < 0:
        return None
    return GameQuestion.objects.filter(game=game, index=index).first()


def _publish(game: Game, *, question: GameQuestion | None = None, now=None) -> dict:
    """Bump the version, save, and broadcast the new public state once the transaction commits."""
    game.version = F("version") + 1
    game.save()
    game.refresh_from_db(fields=["version"])
    state = game_state(game, now=now, question=question)
    message = {"type": "game.state", "state": state}
    group = competition_group(game.pk)
    transaction.on_commit(lambda: broadcast(group, message))
    if game.__dict__.pop("_store_stale", False):  # after the broadcast: see _update_store
        game_id = game.pk
        transaction.on_commit(lambda: game_players_changed.send(sender=Game, game_id=game_id))
    return state


def _tell_host(game_id: int, message: dict) -> None:
    group = competition_host_group(game_id)
    transaction.on_commit(lambda: broadcast(group, message))


def _update_store(game: Game) -> None:
    """The game's players changed: once the new state has been broadcast (_publish, which follows in the same
    transaction), tell the leaderboard, so that it mirrors them into its ranking store and pushes the board (the
    database stays the source of truth; leaderboard.rankings owns the boards). Not before: rebuilding the board of
    5,000 players takes ~40 ms on the in-process store and ~150 ms on Redis, and the phones' reveal would wait for it."""
    game._store_stale = True


# --- creating and joining --------------------------------------------------------------------------------------------


def _draw_questions(competition: Competition, rng: random.Random) -> list[Question]:
    choice = Question.objects.active().exclude(type=Question.Type.FILL)
    if competition.source == Competition.Source.PICKED:
        picked = competition.picked_questions.select_related("question").order_by("sort_order", "pk")
        return [p.question for p in picked if p.question.status == Question.Status.ACTIVE and p.question.is_choice]
    if competition.draw_category_id:
        category = Category.objects.get(pk=competition.draw_category_id)
        choice = choice.filter(category_id__in=category.descendant_ids())
    ids = list(choice.values_list("pk", flat=True))
    chosen = rng.sample(ids, min(len(ids), competition.draw_count))
    by_id = Question.objects.in_bulk(chosen)
    return [by_id[pk] for pk in chosen]


def _new_pin(rng: random.Random) -> str:
    return str(rng.randrange(10 ** (PIN_LENGTH - 1), 10**PIN_LENGTH))


def competition_host(*, competition: Competition, actor, rng: random.Random | None = None) -> Game:
    """Open a game of `competition` in the lobby (or return the one already live, so a host resumes it)."""
    if not competition.can_host(actor):
        raise NotAllowed
    _ensure_may_see_answers(actor, host=True)
    live = Game.objects.live().filter(competition=competition).order_by("-created_at").first()
    if live is not None:
        return live
    rng = rng or random.Random(secrets.randbits(64))
    questions = _draw_questions(competition, rng)
    if not questions:
        raise NoQuestions
    for _attempt in range(20):
        try:
            with transaction.atomic():
                game = Game.objects.create(
                    competition=competition,
                    pin=_new_pin(rng),
                    host=actor,
                    scoring=competition.scoring,
                    streak_bonus=competition.streak_bonus,
                    institution_min_players=competition.institution_min_players,
                )
                GameQuestion.objects.bulk_create(
                    GameQuestion(
                        game=game,
                        index=i,
                        question=q,
                        type=q.type,
                        stem=q.stem,
                        options=list(q.options),
                        correct_options=sorted(q.correct_options),
                        explanation=q.explanation,
                        source=q.source[:160],
                        seconds=competition.seconds_per_question,
                    )
                    for i, q in enumerate(questions)
                )
                return game
        except IntegrityError:
            continue  # the PIN is in use by another live game: draw another
    raise IntegrityError("no free PIN found")


def find_game(pin: str) -> Game:
    """The live (or most recent) game with this PIN."""
    pin = (pin or "").strip()
    if not (len(pin) == PIN_LENGTH and pin.isdigit()):
        raise GameNotFound
    game = Game.objects.select_related("competition").filter(pin=pin).order_by("-created_at").first()
    if game is None:
        raise GameNotFound
    return game


def nickname_choices(*, game: Game, count: int = 6, rng: random.Random | None = None) -> list[str]:
    """Generated nicknames not yet taken in `game`, for a guest to pick from."""
    rng = rng or random.Random()
    taken = set(Player.objects.filter(game=game).values_list("nickname", flat=True))
    pool = [a + n for a in NICK_ADJECTIVES for n in NICK_NOUNS]
    rng.shuffle(pool)
    free = [name for name in pool if name not in taken][:count]
    suffix = 2
    while len(free) < count:  # more guests than combinations: number them
        name = f"{rng.choice(NICK_ADJECTIVES)}{rng.choice(NICK_NOUNS)}{suffix}"
        if name not in taken and name not in free:
            free.append(name)
        suffix += 1
    return free


def is_generated_nickname(name: str) -> bool:
    if len(name) > Player._meta.get_field("nickname").max_length:
        return False
    stripped = name.rstrip("0123456789")
    return any(stripped == a + n for a in NICK_ADJECTIVES for n in NICK_NOUNS)


@dataclass
class JoinResult:
    player: Player
    token: str | None  # a new secret for the browser's cookie, or None when the one it sent is still valid


def _staff_nickname(game: Game, user) -> str:
    taken = set(Player.objects.filter(game=game).values_list("nickname", flat=True))
    name = user.real_name or user.employee_no
    institution = user.institution.short_name or user.institution.name if user.institution_id else ""
    for candidate in (name, f"{name}·{institution}" if institution else None, f"{name}·{user.employee_no}"):
        if candidate and candidate[:40] not in taken:
            return candidate[:40]
    return f"{name}·{secrets.token_hex(2)}"[:40]


def competition_join(*, game: Game, user=None, token: str = "", nickname: str = "") -> JoinResult:
    """Join `game`, or rejoin it as the same player: by the secret token cookie, or (staff) by the user account.
    Refused (ExamInProgress) while the person sits a counting exam attempt."""
    _ensure_may_see_answers(user)
    with transaction.atomic():
        game = _lock(game.pk)
        competition = game.competition
        if token:
            player = Player.objects.filter(game=game, token_hash=hash_token(token)).first()
            if player is not None and (player.user_id is None or player.user_id == getattr(user, "pk", None)):
                if player.removed_at is not None:
                    raise PlayerRemoved
                return JoinResult(player, None)
        if game.phase == Game.Phase.FINISHED:
            raise GameOver
        new_token = Player.new_token()
        if competition.audience == Competition.Audience.STAFF:
            if not competition.may_join(user):
                raise NotAllowed
            player = Player.objects.filter(game=game, user=user).first()
            if player is not None:
                if player.removed_at is not None:
                    raise PlayerRemoved
                # Same person on a new device (or a cleared cookie): same player, new secret.
                player.token_hash = hash_token(new_token)
                player.save(update_fields=["token_hash"])
                return JoinResult(player, new_token)
            player = Player.objects.create(
                game=game,
                user=user,
                nickname=_staff_nickname(game, user),
                institution_id=user.institution_id,
                token_hash=hash_token(new_token),
            )
        else:
            nickname = (nickname or "").strip()
            if not is_generated_nickname(nickname) or Player.objects.filter(game=game, nickname=nickname).exists():
                raise NicknameUnavailable
            player = Player.objects.create(game=game, nickname=nickname, token_hash=hash_token(new_token))
        _tell_host(game.pk, {"type": "lobby.changed"})
        return JoinResult(player, new_token)


def player_for_token(*, game: Game, token: str, user=None) -> Player | None:
    """The player this browser is, if its token is valid (and, for staff, belongs to the logged-in user)."""
    if not token:
        return None
    return _playing(game, Player.objects.filter(game=game, token_hash=hash_token(token)).first(), user)


def _playing(game: Game, player: Player | None, user) -> Player | None:
    """`player` (found by a browser's token) if that browser may play as them now, else None: not removed, the
    logged-in account is the player's own (staff), and a staff game's audience still includes the account."""
    if player is None or player.removed_at is not None:
        return None
    if player.user_id is not None and player.user_id != getattr(user, "pk", None):
        return None
    if game.competition.audience == Competition.Audience.STAFF and not game.competition.may_join(user):
        return None
    return player


@dataclass
class Visitor:
    """A phone opening the game's WebSocket: its cookies (the player token is the game's own cookie,
    selectors.player_cookie) and the connection's account (or anonymous)."""

    cookies: dict
    user: object = None


@dataclass
class Connected:
    """What a connecting phone needs: its game, the public state and its own view (player None: not joined)."""

    game: Game
    state: dict | None = None
    player: Player | None = None
    me: dict | None = None


def players_connect(pin: str, visitors: list[Visitor]) -> list:
    """Admit phones connecting to the game with this PIN at the same moment (a join storm comes in batches: see
    elearn.realtime.group_commit). Per visitor, in order: Connected (player None without a valid token), or the
    CompetitionError refusing it (GameNotFound; ExamInProgress for an account sitting a counting exam attempt). The
    rules are player_for_token's and the exam guard's, per visitor; the reads are shared: the game, the players by
    token, the accounts sitting an exam, one public state and one histogram of scores for everyone's rank."""
    try:
        game = find_game(pin)
    except GameNotFound as error:
        return [error] * len(visitors)
    hashes = [hash_token(t) if (t := v.cookies.get(player_cookie(game.pk))) else None for v in visitors]
    if not any(hashes):  # nobody here has joined: nothing more to read (a connect without a token costs one query)
        return [Connected(game=game)] * len(visitors)
    if game.competition.audience == Competition.Audience.STAFF:
        prefetch_related_objects([game.competition], "institutions")  # may_join, once for the batch
    found = {
        p.token_hash: p
        for p in Player.objects.select_related("institution").filter(game=game, token_hash__in=set(hashes) - {None})
    }
    players = [_playing(game, found.get(h), v.user) if h else None for v, h in zip(visitors, hashes, strict=True)]
    if not any(players):
        return [Connected(game=game)] * len(visitors)
    now = timezone.now()
    accounts = [
        v.user if p is not None and getattr(v.user, "is_authenticated", False) else None
        for v, p in zip(visitors, players, strict=True)
    ]
    sitting = sitting_user_ids({a.pk for a in accounts if a is not None}, now)
    current, gq = _current(game.pk, now)
    views, count = players_me(current, list({p.pk: p for p in players if p is not None}.values()), question=gq)
    state = game_state(current, now=now, question=gq, players=count)
    out = []
    for account, player in zip(accounts, players, strict=True):
        if player is None:
            out.append(Connected(game=game))
        elif account is not None and account.pk in sitting:
            out.append(ExamInProgress())
        else:
            out.append(Connected(game=game, state=state, player=player, me=views[player.pk]))
    return out


def players_recheck(game_id: int, accounts: list) -> list[tuple[int | None, str | None]]:
    """After connecting phones joined the game's broadcast group (and their accounts' groups): per phone, the game's
    stored version and the refusal that now applies to its account (a user id, or None for a guest): "account_disabled",
    "exam_in_progress" (a counting exam attempt started meanwhile), or None. What changed between players_connect's
    read and those joins was broadcast before the phones could hear it: the version tells whether the game moved on,
    and an account's exam or disabling is read again here. One batch for every phone that asked meanwhile."""
    version = game_version(game_id)
    ids = {a for a in accounts if a is not None}
    active, sitting = set(), set()
    if ids:
        active = set(get_user_model().objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
        sitting = sitting_user_ids(ids)
    return [
        (
            version,
            None
            if a is None
            else "account_disabled"
            if a not in active
            else "exam_in_progress"
            if a in sitting
            else None,
        )
        for a in accounts
    ]


# --- the game's phases -----------------------------------------------------------------------------------------------


def _open(game: Game, index: int, now) -> GameQuestion:
    gq = GameQuestion.objects.get(game=game, index=index)
    gq.opened_at = now
    gq.closes_at = now + timedelta(seconds=gq.seconds)
    gq.save(update_fields=["opened_at", "closes_at"])
    game.index = index
    game.phase = Game.Phase.QUESTION
    game.paused_at = None
    return gq


def _bulk_set(model, columns: list[str], rows: list[tuple[int, ...]], chunk: int = 500) -> None:
    """UPDATE many rows to different integer values in one statement per chunk:
    UPDATE t SET a = v.column2, ... FROM (VALUES (id, a, ...), ...) AS v WHERE t.id = v.column1.
    The same SQL runs on SQLite (3.33+) and PostgreSQL; values are ints, so they are inlined (no parameters)."""
    table = connection.ops.quote_name(model._meta.db_table)
    sets = ", ".join(f"{connection.ops.quote_name(c)} = v.column{i + 2}" for i, c in enumerate(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            values = ", ".join("(" + ", ".join(str(int(x)) for x in row) + ")" for row in rows[start : start + chunk])
            cursor.execute(f"UPDATE {table} SET {sets} FROM (VALUES {values}) AS v WHERE {table}.id = v.column1")


def _close(game: Game, gq: GameQuestion, now) -> bool:
    """Close and score the current question (game row locked by the caller). False if it was already closed."""
    # Conditional update: takes the question row's lock, so an answer that incremented answer_count first commits
    # before this continues (and is scored), and one that comes later finds closed_at set and is refused.
    if not GameQuestion.objects.filter(pk=gq.pk, closed_at__isnull=True).update(closed_at=now):
        return False
    gq.refresh_from_db()
    limit_ms = gq.seconds * 1000
    bonus_on = game.streak_bonus and game.scoring != Competition.Scoring.ACCURACY
    players = {
        p["pk"]: p
        for p in active_players(game.pk)
        .filter(answers__game_question=gq)
        .values("pk", "score", "streak", "correct_count", "total_ms")
    }
    answers = list(
        PlayerAnswer.objects.filter(game_question=gq, player_id__in=list(players)).values(
            "pk", "player_id", "choice", "correct", "points", "elapsed_ms"
        )
    )
    player_rows, bonus_rows = [], []
    distribution = [0] * len(gq.options)
    for answer in answers:
        player = players[answer["player_id"]]
        streak, hits, score = 0, player["correct_count"], player["score"]
        if answer["correct"]:
            streak, hits = player["streak"] + 1, hits + 1
            bonus = streak_points(streak) if bonus_on else 0
            score += answer["points"] + bonus
            if bonus:
                bonus_rows.append((answer["pk"], bonus))
        total_ms = player["total_ms"] + min(answer["elapsed_ms"], limit_ms)
        player_rows.append((player["pk"], score, streak, hits, total_ms))
        for i in answer["choice"]:
            if 0 <= i < len(distribution):
                distribution[i] += 1
    _bulk_set(Player, ["score", "streak", "correct_count", "total_ms"], player_rows)
    _bulk_set(PlayerAnswer, ["bonus"], bonus_rows)
    # Players who did not answer: the streak breaks and the whole time counts (accuracy-then-time tie-break).
    active_players(game.pk).exclude(pk__in=list(players)).update(streak=0, total_ms=F("total_ms") + limit_ms)
    gq.distribution = distribution
    gq.save(update_fields=["distribution"])
    game.phase = Game.Phase.REVEAL
    game.paused_at = None
    _update_store(game)
    return True


def _finish(game: Game, now) -> None:
    game.phase = Game.Phase.FINISHED
    game.finished_at = now
    game.paused_at = None
    _update_store(game)


def competition_start(*, game_id: int, actor, version: int | None = None, now=None) -> dict:
    """From the lobby to the first question. Every host action takes the state `version` it was taken on (see
    _check_version)."""
    now = now or timezone.now()
    with transaction.atomic():
        game = _lock(game_id)
        _check_host(game, actor)
        _check_version(game, version)
        if game.phase != Game.Phase.LOBBY:
            raise WrongPhase
        gq = _open(game, 0, now)
        game.started_at = now
        return _publish(game, question=gq, now=now)


def competition_advance(*, game_id: int, actor, version: int | None = None, now=None) -> dict:
    """The host's "next": lobby -> question 1 -> reveal -> leaderboard -> question 2 ... -> leaderboard -> podium.
    During a question "next" closes it now (like skip)."""
    now = now or timezone.now()
    with transaction.atomic():
        game = _lock(game_id)
        _check_host(game, actor)
        _check_version(game, version)
        if game.phase == Game.Phase.LOBBY:
            gq = _open(game, 0, now)
            game.started_at = now
        elif game.phase == Game.Phase.QUESTION:
            gq = _question(game)
            _close(game, gq, now)
        elif game.phase == Game.Phase.REVEAL:
            game.phase = Game.Phase.LEADERBOARD
            gq = None
        elif game.phase == Game.Phase.LEADERBOARD:
            if game.index + 1 < game.questions.count():
                gq = _open(game, game.index + 1, now)
            else:
                _finish(game, now)
                gq = None
        else:
            raise GameOver
        return _publish(game, question=gq, now=now)


def competition_skip(*, game_id: int, actor, version: int | None = None, now=None) -> dict:
    """Stop the current question now: answers given so far count, then the answer is revealed."""
    now = now or timezone.now()
    with transaction.atomic():
        game = _lock(game_id)
        _check_host(game, actor)
        _check_version(game, version)
        if game.phase != Game.Phase.QUESTION:
            raise WrongPhase
        gq = _question(game)
        _close(game, gq, now)
        return _publish(game, question=gq, now=now)


def competition_pause(*, game_id: int, actor, version: int | None = None, now=None) -> dict:
    """Freeze the countdown of the open question (answers are refused while paused)."""
    now = now or timezone.now()
    with transaction.atomic():
        game = _lock(game_id)
        _check_host(game, actor)
        _check_version(game, version)
        gq = _question(game)
        if game.phase != Game.Phase.QUESTION or game.is_paused or gq.is_closed:
            raise WrongPhase
        if gq.is_due(now):
            _close(game, gq, now)
        else:
            game.paused_at = min(now, gq.closes_at)
        return _publish(game, question=gq, now=now)


def competition_resume(*, game_id: int, actor, version: int | None = None, now=None) -> dict:
    """Continue a paused question with the time it had left (its open and close times move by the pause)."""
    now = now or timezone.now()
    with transaction.atomic():
        game = _lock(game_id)
        _check_host(game, actor)
        _check_version(game, version)
        if game.phase != Game.Phase.QUESTION or not game.is_paused:
            raise WrongPhase
        gq = _question(game)
        shift = now - game.paused_at
        gq.opened_at += shift
        gq.closes_at += shift
        gq.save(update_fields=["opened_at", "closes_at"])
        game.paused_at = None
        return _publish(game, question=gq, now=now)


def competition_end(*, game_id: int, actor, version: int | None = None, now=None) -> dict:
    """End the game now (an open question is scored first) and show the podium."""
    now = now or timezone.now()
    with transaction.atomic():
        game = _lock(game_id)
        _check_host(game, actor)
        _check_version(game, version)
        if game.phase == Game.Phase.FINISHED:
            raise GameOver
        if game.phase == Game.Phase.QUESTION:
            _close(game, _question(game), now)
        _finish(game, now)
        return _publish(game, now=now)


def competition_remove_player(*, game_id: int, player_id: int, actor, now=None) -> dict:
    """Take a player out of the game (their score leaves the rankings; they cannot rejoin)."""
    now = now or timezone.now()
    with transaction.atomic():
        game = _lock(game_id)
        _check_host(game, actor)
        updated = Player.objects.filter(pk=player_id, game=game, removed_at__isnull=True).update(removed_at=now)
        if not updated:
            raise GameNotFound
        group = competition_group(game.pk)
        transaction.on_commit(lambda: broadcast(group, {"type": "player.removed", "player": player_id}))
        _tell_host(game.pk, {"type": "lobby.changed"})
        gq = _question(game)
        if game.phase == Game.Phase.QUESTION and not game.is_paused and gq is not None:
            if gq.answer_count and gq.answer_count >= active_players(game.pk).count():
                _close(game, gq, now)
        if game.phase in (Game.Phase.LEADERBOARD, Game.Phase.FINISHED, Game.Phase.REVEAL):
            _update_store(game)
        return _publish(game, question=gq, now=now)


def competition_tick(*, game_id: int, now=None) -> dict:
    """Close the open question if its time (plus grace) is up. Called by timers, the host's poll and any request;
    returns the live counts {"phase", "index", "answered", "players", "closed"}."""
    now = now or timezone.now()
    game = Game.objects.filter(pk=game_id).only("phase", "index", "paused_at").first()
    if game is None:
        raise GameNotFound
    gq = _question(game)
    closed = False
    if game.phase == Game.Phase.QUESTION and not game.is_paused and gq is not None and gq.is_due(now):
        with transaction.atomic():
            game = _lock(game_id)
            gq = _question(game)
            if game.phase == Game.Phase.QUESTION and not game.is_paused and gq.is_due(now):
                closed = _close(game, gq, now)
                if closed:
                    _publish(game, question=gq, now=now)
    return {
        "phase": game.phase,
        "index": game.index,
        "answered": gq.answer_count if gq is not None else 0,
        "players": active_players(game_id).count(),
        "closed": closed,
    }


def _current(game_id: int, now) -> tuple[Game, GameQuestion | None]:
    """The game and its current question, after closing the question if its time (plus grace) is up."""
    game = Game.objects.select_related("competition").filter(pk=game_id).first()
    if game is None:
        raise GameNotFound
    gq = _question(game)
    if game.phase == Game.Phase.QUESTION and not game.is_paused and gq is not None and gq.is_due(now):
        competition_tick(game_id=game_id, now=now)
        game = Game.objects.select_related("competition").get(pk=game_id)
        gq = _question(game)
    return game, gq


def competition_state(*, game_id: int, now=None) -> dict:
    """The full current public state (after closing a question whose time is up): what a (re)connecting client gets."""
    now = now or timezone.now()
    game, gq = _current(game_id, now)
    return game_state(game, now=now, question=gq)


def player_snapshot(*, game_id: int, player_id: int, now=None) -> tuple[dict, dict]:
    """(public state, the player's own view) for a (re)connecting player, in a handful of queries."""
    now = now or timezone.now()
    game, gq = _current(game_id, now)
    state = game_state(game, now=now, question=gq)
    me = player_me(game, Player(pk=player_id), question=gq)
    return state, me


# --- answers -----------------------------------------------------------------------------------------------------


@dataclass
class AnswerResult:
    index: int
    status: str  # "accepted" | "duplicate"
    closed: bool = False  # this answer was the last one missing and closed the question


def _valid_choice(gq: GameQuestion, choice) -> list[int]:
    if not isinstance(choice, list) or not choice or len(choice) > len(gq.options):
        raise InvalidAnswer
    if any(isinstance(i, bool) or not isinstance(i, int) or not 0 <= i < len(gq.options) for i in choice):
        raise InvalidAnswer
    chosen = sorted(set(choice))
    if gq.type in (Question.Type.SINGLE, Question.Type.TRUE_FALSE) and len(chosen) != 1:
        raise InvalidAnswer
    return chosen


@dataclass
class AnswerIn:
    """One answer as received: `received_at` is the server's clock when the frame arrived (points and the open
    window are judged by it, not by when the batch reaches the database)."""

    player_id: int
    index: int
    choice: object
    received_at: object


class _ClosedMeanwhile(Exception):
    """The question closed between reading it and counting this batch: retry, so its answers are refused."""


def _check_answer(
    item: AnswerIn, gq: GameQuestion | None, player: Player | None, sitting: frozenset | set = frozenset()
) -> list[int]:
    """The refusal for one answer (raised), or its validated choice. `sitting`: ids of users sitting an exam."""
    if gq is None or player is None:
        raise AnswerClosed
    if player.removed_at is not None:
        raise PlayerRemoved
    if player.user_id is not None and player.user_id in sitting:
        raise ExamInProgress
    game = gq.game
    if game.phase != Game.Phase.QUESTION or game.index != item.index or gq.is_closed or gq.opened_at is None:
        raise AnswerClosed
    if game.is_paused:
        raise GamePaused
    if item.received_at < gq.opened_at or gq.is_due(item.received_at):
        raise AnswerClosed
    return _valid_choice(gq, item.choice)


def _record_batch(game_id: int, items: list[AnswerIn], results: list) -> set[int]:
    """One transaction for many answers (group commit). Fills `results` in place; returns the ids of the questions
    that received answers."""
    pending = [i for i, item in enumerate(items) if results[i] is None]
    if not pending:
        return set()
    with transaction.atomic():
        indexes = {items[i].index for i in pending}
        questions = {
            gq.index: gq
            for gq in GameQuestion.objects.select_related("game").filter(game_id=game_id, index__in=indexes)
        }
        players = {
            p.pk: p
            for p in Player.objects.filter(game_id=game_id, pk__in={items[i].player_id for i in pending}).only(
                "removed_at", "user_id"
            )
        }
        # Exam integrity: one query for the batch (none in a guests' game), see _ensure_may_see_answers.
        sitting = sitting_user_ids({p.user_id for p in players.values()})
        seen = set(
            PlayerAnswer.objects.filter(
                game_question__in=list(questions.values()), player_id__in=list(players)
            ).values_list("player_id", "game_question_id")
        )
        new, counts = [], {}
        for i in pending:
            item = items[i]
            gq = questions.get(item.index)
            try:
                chosen = _check_answer(item, gq, players.get(item.player_id), sitting)
            except CompetitionError as refusal:
                results[i] = refusal
                continue
            if (item.player_id, gq.pk) in seen:
                results[i] = AnswerResult(index=item.index, status="duplicate")
                continue
            seen.add((item.player_id, gq.pk))
            elapsed = max(0.0, min((item.received_at - gq.opened_at).total_seconds(), float(gq.seconds)))
            correct = gq.is_correct(chosen)
            new.append(
                PlayerAnswer(
                    player_id=item.player_id,
                    game_question=gq,
                    choice=chosen,
                    received_at=item.received_at,
                    elapsed_ms=round(elapsed * 1000),
                    correct=correct,
                    points=competition_points(gq.game.scoring, correct=correct, elapsed=elapsed, limit=gq.seconds),
                )
            )
            counts[gq.pk] = counts.get(gq.pk, 0) + 1
            results[i] = AnswerResult(index=item.index, status="accepted")
        PlayerAnswer.objects.bulk_create(new)
        for gq_id, n in counts.items():
            # Row lock on the question: orders this batch against the close (see _close). Closed meanwhile: undo all.
            if not GameQuestion.objects.filter(pk=gq_id, closed_at__isnull=True).update(
                answer_count=F("answer_count") + n
            ):
                raise _ClosedMeanwhile
    return set(counts)


def competition_answers_record(*, game_id: int, answers: list[AnswerIn]) -> list:
    """Store a batch of answers to one game in one transaction, before any of them is acknowledged.

    Returns, per answer in order, an AnswerResult ("accepted" or "duplicate": only a player's first answer counts) or
    the CompetitionError refusing it (AnswerClosed unless the question was open when the answer was received, or
    within ANSWER_GRACE_SECONDS after its deadline). Closes a question that every player has now answered, and one
    whose time is up."""
    results: list = [None] * len(answers)
    for i, item in enumerate(answers):
        if isinstance(item.index, bool) or not isinstance(item.index, int) or not 0 <= item.index <= MAX_INDEX:
            results[i] = InvalidAnswer()  # out of range: never a question, and too large for the database
    answered: set[int] = set()
    try:
        for _attempt in range(3):
            snapshot = list(results)
            try:
                answered = _record_batch(game_id, answers, results)
                break
            except _ClosedMeanwhile:
                results[:] = snapshot  # the retry reads the question closed and refuses its answers
    except IntegrityError:
        # Another process stored one of these first (same player, two connections): one answer at a time.
        answered = set()
        for i in range(len(answers)):
            if isinstance(results[i], AnswerResult):
                results[i] = None
        for i in range(len(answers)):
            if results[i] is None:
                one = [None]
                try:
                    answered |= _record_batch(game_id, [answers[i]], one)
                except IntegrityError:
                    one[0] = AnswerResult(index=answers[i].index, status="duplicate")
                except _ClosedMeanwhile:
                    one[0] = AnswerClosed()
                results[i] = one[0]
    if any(isinstance(r, AnswerClosed) for r in results):
        competition_tick(game_id=game_id)  # a late answer is also a request after the deadline: close it
    for gq_id in answered:
        if _close_if_all_answered(game_id, gq_id):
            for r in results:
                if isinstance(r, AnswerResult) and r.status == "accepted":
                    r.closed = True
    return results


def _close_if_all_answered(game_id: int, gq_id: int) -> bool:
    answered = GameQuestion.objects.filter(pk=gq_id).values_list("answer_count", flat=True).first() or 0
    if answered < active_players(game_id).count():
        return False
    with transaction.atomic():
        game = _lock(game_id)
        gq = _question(game)
        if game.phase != Game.Phase.QUESTION or gq is None or gq.pk != gq_id or game.is_paused:
            return False
        closed = _close(game, gq, timezone.now())
        if closed:
            _publish(game, question=gq)
        return closed


def competition_answer(*, game_id: int, player_id: int, index: int, choice, now=None) -> AnswerResult:
    """Store one player's answer to question `index` (received now, by the server's clock) before acknowledging
    it; raises the refusal. See competition_answers_record."""
    item = AnswerIn(player_id=player_id, index=index, choice=choice, received_at=now or timezone.now())
    (result,) = competition_answers_record(game_id=game_id, answers=[item])
    if isinstance(result, Exception):
        raise result
    return result


def lobby_view(*, game_id: int) -> dict:
    """What the host's lobby shows: player count and the latest players."""
    game = Game.objects.get(pk=game_id)
    return {"type": "lobby", "players": lobby_players(game), "count": active_players(game_id).count()}
