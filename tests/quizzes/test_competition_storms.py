"""Storms at a live game. A join storm is admitted in batches (services.players_connect through
elearn.realtime.group_commit): each phone in a batch gets exactly what it would get alone (player_for_token's rules, the
exam guard, its own rank), the batch costs the same handful of queries however many phones it holds, and phones
connecting at once share the database trips. An answer burst makes no trip to the database thread per message."""

import asyncio
import random
import threading
import time
from datetime import timedelta

import channels.consumer
import pytest
from channels.db import database_sync_to_async
from channels.layers import InMemoryChannelLayer, get_channel_layer
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quizzes.competitions import services as svc
from quizzes.competitions.consumers import PlayerConsumer
from quizzes.competitions.exceptions import ExamInProgress, GameNotFound
from quizzes.competitions.models import Competition, Game, GameQuestion, Player, hash_token
from quizzes.competitions.selectors import player_cookie, player_me, results_table
from quizzes.exams import services as exam_svc
from quizzes.signals import game_players_changed
from tests.factories import AdminFactory, InstitutionFactory, UserFactory
from tests.quizzes.competition_factories import make_competition
from tests.quizzes.exam_factories import exam_with_sections, make_bank
from tests.quizzes.test_competition_consumers import communicator, connect, is_state, player_socket, setup_game, until


def _visitor(game, token=None, user=None):
    return svc.Visitor(cookies={player_cookie(game.pk): token} if token else {}, user=user or AnonymousUser())


def _guests(game, scores):
    """Players with these (score, total_ms) and their tokens, straight into the game (as the benchmark does)."""
    institution = InstitutionFactory()
    tokens = [Player.new_token() for _ in scores]
    Player.objects.bulk_create(
        [
            Player(
                game=game, nickname=f"选手{i}", institution=institution, token_hash=hash_token(t), score=s, total_ms=ms
            )
            for i, (t, (s, ms)) in enumerate(zip(tokens, scores, strict=True))
        ]
    )
    by_token = {p.token_hash: p for p in Player.objects.filter(game=game)}
    return [(by_token[hash_token(t)], t) for t in tokens]


@pytest.mark.django_db
def test_each_visitor_in_a_batch_gets_what_it_would_get_alone(district_admin, staff_a, staff_b, inst_a, inst_b):
    game = svc.competition_host(
        competition=make_competition(audience=Competition.Audience.STAFF, institutions=[inst_a, inst_b]),
        actor=district_admin,
    )
    a = svc.competition_join(game=game, user=staff_a)
    b = svc.competition_join(game=game, user=staff_b)
    sitter = UserFactory(institution=inst_a)
    s = svc.competition_join(game=game, user=sitter)
    gone_user = UserFactory(institution=inst_b)
    gone = svc.competition_join(game=game, user=gone_user)
    svc.competition_remove_player(game_id=game.pk, player_id=gone.player.pk, actor=district_admin)
    category, _questions = make_bank(singles=3)
    exam_svc.attempt_start(exam=exam_with_sections(category, count=2), user=sitter)  # a counting attempt, open

    cases = [
        (_visitor(game, a.token, staff_a), a.player.pk),
        (_visitor(game, None, staff_a), None),  # no cookie
        (_visitor(game, "not-a-token", staff_a), None),
        (_visitor(game, b.token, staff_a), None),  # someone else's cookie on this account
        (_visitor(game, a.token), None),  # a staff game's player token without the account
        (_visitor(game, gone.token, gone_user), None),  # removed
        (_visitor(game, s.token, sitter), ExamInProgress),
        (_visitor(game, b.token, staff_b), b.player.pk),
    ]
    results = svc.players_connect(game.pin, [v for v, _ in cases])
    for (visitor, expected), result in zip(cases, results, strict=True):
        token = visitor.cookies.get(player_cookie(game.pk), "")
        alone = svc.player_for_token(game=game, token=token, user=visitor.user)
        if expected is ExamInProgress:
            assert isinstance(result, ExamInProgress) and alone is not None
            continue
        assert result.game.pk == game.pk
        assert (result.player.pk if result.player else None) == expected == (alone.pk if alone else None)
        if expected:
            assert result.me == player_me(game, result.player) and result.me["of"] == 3
            assert result.state["players"] == 3 and result.state["phase"] == Game.Phase.LOBBY
    unknown = svc.players_connect("000000" if game.pin != "000000" else "000001", [cases[0][0], cases[1][0]])
    assert all(isinstance(r, GameNotFound) for r in unknown)


@pytest.mark.django_db
@pytest.mark.parametrize("scoring", [Competition.Scoring.SPEED, Competition.Scoring.ACCURACY])
def test_ranks_in_a_batch_are_the_full_rankings_and_the_batch_costs_the_same_queries(district_admin, scoring):
    game = svc.competition_host(
        competition=make_competition(scoring=scoring, audience=Competition.Audience.PUBLIC), actor=district_admin
    )
    rng = random.Random(7)
    joined = _guests(game, [(rng.choice([0, 500, 1000, 1500]), rng.choice([900, 1200, 4000])) for _ in range(40)])
    Player.objects.filter(pk=joined[-1][0].pk).update(removed_at=joined[-1][0].joined_at)  # not ranked, not counted
    table = results_table(game.pk)

    def connect(some):
        with CaptureQueriesContext(connection) as queries:
            results = svc.players_connect(game.pin, [_visitor(game, t) for _, t in some])
        return results, len(queries)

    few, few_queries = connect(joined[:2])
    every, every_queries = connect(joined)
    assert every_queries == few_queries <= 6
    for (player, _), result in zip(joined[:-1], every[:-1], strict=True):
        assert (
            (result.me["rank"], result.me["of"])
            == (table[player.pk]["rank"], table[player.pk]["of"])
            == (
                result.me["rank"],
                39,
            )
        )
    assert every[-1].player is None
    assert [r.me for r in few] == [r.me for r in every[:2]]


@pytest.mark.django_db(transaction=True)
async def test_phones_connecting_at_once_share_the_database_trips(monkeypatch):
    @database_sync_to_async
    def lobby_of_30():
        game = svc.competition_host(
            competition=make_competition(audience=Competition.Audience.PUBLIC), actor=AdminFactory(institution=None)
        )
        return game, _guests(game, [(0, 0)] * 30)

    game, joined = await lobby_of_30()
    calls = []
    real = svc.players_connect

    def counted(pin, visitors):
        calls.append(len(visitors))
        return real(pin, visitors)

    monkeypatch.setattr(svc, "players_connect", counted)
    comms = [
        await communicator(f"/ws/play/{game.pin}/", cookies={player_cookie(game.pk): token}) for _, token in joined
    ]
    connected = await asyncio.gather(*(c.connect(timeout=10) for c in comms))
    assert all(ok for ok, _ in connected)
    states = [await until(c, is_state("lobby")) for c in comms]
    assert sorted(s["me"]["id"] for s in states) == sorted(p.pk for p, _ in joined)
    assert all(s["me"]["rank"] == 1 and s["me"]["of"] == 30 for s in states)
    assert sum(calls) == 30 and len(calls) < 30, calls
    layer = get_channel_layer()
    if isinstance(layer, InMemoryChannelLayer):  # no channel per phone: the process's fan-out channel carries all
        assert len(layer.channels) <= 2, len(layer.channels)
    for c in comms:
        await c.disconnect()


async def _one_question_answered_by_three():
    """A host and three phones over the communicator: the game starts, every phone answers, the question is revealed.
    Returns the sockets, still connected."""
    game, admin, joined = await setup_game(players=3, questions=1)
    host = await connect(f"/ws/host/{game.pk}/", user=admin)
    await until(host, is_state("lobby"))
    phones = [await player_socket(game, *j) for j in joined]
    await host.send_json_to({"action": "start"})
    for phone in phones:
        await until(phone, is_state("question", 0))
        await phone.send_json_to({"action": "answer", "index": 0, "choice": [1]})
        assert (await until(phone, lambda f: f.get("type") == "ack"))["status"] == "accepted"
    await until(host, is_state("reveal", 0))
    return host, phones


@pytest.mark.django_db(transaction=True)
async def test_messages_from_phones_make_no_trip_to_the_database_thread_each(monkeypatch):
    trips = []

    async def counted():
        trips.append(1)

    monkeypatch.setattr(channels.consumer, "aclose_old_connections", counted)
    host, phones = await _one_question_answered_by_three()
    assert trips == []
    for comm in (host, *phones):
        await comm.disconnect()


@pytest.mark.django_db
def test_the_reveal_is_broadcast_before_the_leaderboard_rebuilds_its_board(
    district_admin, monkeypatch, django_capture_on_commit_callbacks
):
    """Rebuilding a 5,000-player board takes ~40 ms (in-process store) to ~150 ms (Redis): the phones' reveal and
    ranks must not wait for it, and the board is still rebuilt after every scoring change."""
    game = svc.competition_host(
        competition=make_competition(audience=Competition.Audience.PUBLIC, questions=1), actor=district_admin
    )
    _guests(game, [(0, 0)] * 3)
    order = []
    monkeypatch.setattr(svc, "broadcast", lambda group, message: order.append(message["state"]["phase"]))

    def rebuilt(sender, game_id, **kwargs):
        order.append("board")

    game_players_changed.connect(rebuilt, dispatch_uid="test.board_order")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            svc.competition_start(game_id=game.pk, actor=district_admin)
        with django_capture_on_commit_callbacks(execute=True):
            svc.competition_advance(game_id=game.pk, actor=district_admin)  # closes and scores the question
        with django_capture_on_commit_callbacks(execute=True):
            svc.competition_advance(game_id=game.pk, actor=district_admin)  # -> leaderboard
        with django_capture_on_commit_callbacks(execute=True):
            svc.competition_advance(game_id=game.pk, actor=district_admin)  # -> podium
    finally:
        game_players_changed.disconnect(dispatch_uid="test.board_order")
    assert order == ["question", "reveal", "board", "leaderboard", "finished", "board"]


# --- found by an outside review of the batched join -------------------------------------------------------------


@pytest.mark.django_db
def test_a_connect_without_a_token_costs_one_query_even_in_a_large_finished_game(district_admin):
    """The PIN is on the projector: anyone can open sockets. Without a player's token nothing but the game is read
    (not the public state, which ranks every player once the game is over)."""
    game = svc.competition_host(
        competition=make_competition(audience=Competition.Audience.PUBLIC), actor=district_admin
    )
    _guests(game, [(i * 10, 1000) for i in range(300)])
    svc.competition_start(game_id=game.pk, actor=district_admin)
    svc.competition_end(game_id=game.pk, actor=district_admin)
    with CaptureQueriesContext(connection) as no_cookie:
        [alone] = svc.players_connect(game.pin, [_visitor(game)])
    with CaptureQueriesContext(connection) as bogus:
        [forged] = svc.players_connect(game.pin, [_visitor(game, "forged-token")])
    assert alone.player is None and forged.player is None
    assert len(no_cookie.captured_queries) == 1 and len(bogus.captured_queries) == 2


@pytest.mark.django_db(transaction=True)
async def test_a_game_whose_batch_waits_on_a_lock_does_not_hold_up_joins_to_another_game():
    @database_sync_to_async
    def two_games():
        admin = AdminFactory(institution=None)
        public = {"audience": Competition.Audience.PUBLIC}
        stuck = svc.competition_host(competition=make_competition(**public), actor=admin)
        other = svc.competition_host(competition=make_competition(**public), actor=admin)
        [(_, stuck_token)], [(_, other_token)] = _guests(stuck, [(0, 0)]), _guests(other, [(0, 0)])
        svc.competition_start(game_id=stuck.pk, actor=admin)
        # Its question's time ran out: the next connect closes it, which waits for the lock held below.
        GameQuestion.objects.filter(game=stuck, index=0).update(closes_at=timezone.now() - timedelta(seconds=30))
        return stuck, stuck_token, other, other_token

    stuck, stuck_token, other, other_token = await two_games()
    locked, release = threading.Event(), threading.Event()

    def hold_the_lock():
        try:
            with transaction.atomic():
                list(Game.objects.select_for_update().filter(pk=stuck.pk))  # PostgreSQL: the game row
                Player.objects.filter(game=stuck).update(streak=0)  # SQLite: the write lock
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert locked.wait(5)
        waiting = await communicator(f"/ws/play/{stuck.pin}/", cookies={player_cookie(stuck.pk): stuck_token})
        waiting_connect = asyncio.ensure_future(waiting.connect(timeout=30))
        await asyncio.sleep(0.3)  # the stuck game's batch is waiting on the lock
        phone = await communicator(f"/ws/play/{other.pin}/", cookies={player_cookie(other.pk): other_token})
        started = time.monotonic()
        connected, _ = await phone.connect(timeout=30)
        took = time.monotonic() - started
    finally:
        release.set()
        holder.join()
    assert connected and took < 1.0, took
    assert (await waiting_connect)[0]
    for comm in (waiting, phone):
        await comm.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("meanwhile", ["starts a counting exam", "is disabled"])
async def test_an_account_that_changes_while_its_phone_connects_is_refused(monkeypatch, meanwhile):
    """Between the batch's read and the phone joining its account's group, the account's own broadcast (exam
    started, account disabled) reaches nobody: the read after joining catches it."""
    game, admin, joined = await setup_game(players=2, questions=1)
    user = joined[0][0]

    @database_sync_to_async
    def change_the_account():
        if meanwhile == "is disabled":
            account = type(user).objects.get(pk=user.pk)
            account.is_active = False
            account.save()
        else:
            category, _questions = make_bank(singles=3)
            exam_svc.attempt_start(exam=exam_with_sections(category, count=2), user=user)

    real = PlayerConsumer.watch_account

    async def racing(self, account):
        if getattr(account, "pk", None) == user.pk:
            await change_the_account()
            await asyncio.sleep(0.1)  # its broadcast went out before this phone joined the account's group
        await real(self, account)

    monkeypatch.setattr(PlayerConsumer, "watch_account", racing)
    phone = await player_socket(game, *joined[0])
    code = "account_disabled" if meanwhile == "is disabled" else "exam_in_progress"
    assert (await until(phone, lambda f: f.get("type") == "error"))["error"] == code
    assert (await phone.receive_output(timeout=5)) == {"type": "websocket.close", "code": 4403}
    other = await player_socket(game, *joined[1])  # the other player is untouched
    await until(other, is_state("lobby"))
    await other.disconnect()


def _pool_in_use() -> int:
    stats = connection.pool.get_stats()
    return stats["pool_size"] - stats["pool_available"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
async def test_a_game_over_the_communicator_returns_every_pooled_connection():
    """Joins, rechecks and answers run in worker threads of the loop's executor (thread_sensitive=False), which end
    with the test's loop. Channels' test communicator turns channels.db's connection close into a no-op while a test
    awaits it, so a connection opened there never went back to psycopg's pool: one per test, until the suite's pool
    of 20 ran dry (tests/conftest.py `_communicator_closes_worker_connections`)."""
    host, phones = await _one_question_answered_by_three()
    for comm in (host, *phones):
        await comm.disconnect()
    await asyncio.sleep(0.2)  # the last batches' threads finish
    held = await asyncio.get_running_loop().run_in_executor(None, _pool_in_use)
    assert held <= 1, f"{held} pooled connections still checked out by threads that ran the game"
