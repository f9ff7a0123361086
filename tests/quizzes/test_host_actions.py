"""Host actions name the state version they were taken on. A repeated one (a double click, two consoles, a retry after
a reconnect, two control API calls) or one overtaken by the game (the question closed on its own) is refused with
stale_action and changes nothing, so "next" can never open a question and close it at once with no answers.
Through the services, the control API and the host's WebSocket; the race on PostgreSQL."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from quizzes.competitions import services as svc
from quizzes.competitions.exceptions import StaleAction
from quizzes.competitions.models import Game, GameQuestion, Player
from tests.factories import AdminFactory, InstitutionFactory, UserFactory
from tests.quizzes.competition_factories import CORRECT, make_competition


def _game(admin, questions=3, players=2):
    game = svc.competition_host(competition=make_competition(questions=questions), actor=admin)
    inst = InstitutionFactory()
    joined = [svc.competition_join(game=game, user=UserFactory(institution=inst)).player for _ in range(players)]
    return game, joined


def _version(game) -> int:
    return Game.objects.values_list("version", flat=True).get(pk=game.pk)


def _snapshot(game) -> tuple:
    """Everything a host action changes: the game row and its questions' times."""
    g = Game.objects.get(pk=game.pk)
    questions = tuple(GameQuestion.objects.filter(game=game).order_by("index").values_list("opened_at", "closed_at"))
    return g.version, g.phase, g.index, g.paused_at, g.finished_at, questions


def _to_leaderboard(game, admin):
    """Lobby -> question 1 -> reveal -> leaderboard (each with the version the console would show)."""
    svc.competition_start(game_id=game.pk, actor=admin, version=_version(game))
    svc.competition_skip(game_id=game.pk, actor=admin, version=_version(game))
    state = svc.competition_advance(game_id=game.pk, actor=admin, version=_version(game))
    assert state["phase"] == "leaderboard" and state["index"] == 0
    return state


# --- services -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_two_next_with_the_same_version_open_the_next_question_once(district_admin):
    game, _players = _game(district_admin)
    shown = _to_leaderboard(game, district_admin)["version"]
    opened = svc.competition_advance(game_id=game.pk, actor=district_admin, version=shown)
    assert opened["phase"] == "question" and opened["index"] == 1
    before = _snapshot(game)
    with pytest.raises(StaleAction) as refused:
        svc.competition_advance(game_id=game.pk, actor=district_admin, version=shown)
    assert refused.value.code == "stale_action" and refused.value.version == opened["version"]
    assert _snapshot(game) == before, "the repeated next changed nothing"
    second = GameQuestion.objects.get(game=game, index=1)
    assert second.opened_at is not None and second.closed_at is None, "question 2 stays open for answers"


@pytest.mark.django_db
def test_a_repeated_start_is_stale_not_a_second_start(district_admin):
    game, _ = _game(district_admin)
    shown = _version(game)
    svc.competition_start(game_id=game.pk, actor=district_admin, version=shown)
    before = _snapshot(game)
    with pytest.raises(StaleAction):
        svc.competition_start(game_id=game.pk, actor=district_admin, version=shown)
    assert _snapshot(game) == before


@pytest.mark.django_db
@pytest.mark.parametrize("action", ["skip", "next", "pause", "end"])
def test_every_host_action_refuses_a_version_the_game_has_left(district_admin, action):
    game, _ = _game(district_admin)
    old = _version(game)
    svc.competition_start(game_id=game.pk, actor=district_admin, version=old)
    before = _snapshot(game)
    call = {
        "skip": svc.competition_skip,
        "next": svc.competition_advance,
        "pause": svc.competition_pause,
        "end": svc.competition_end,
    }[action]
    for stale in (old, before[0] + 1):  # an older version, and one the game never had
        with pytest.raises(StaleAction):
            call(game_id=game.pk, actor=district_admin, version=stale)
    assert _snapshot(game) == before
    call(game_id=game.pk, actor=district_admin, version=before[0])  # the current version acts
    assert _version(game) == before[0] + 1


@pytest.mark.django_db
def test_resume_with_a_stale_version_changes_nothing(district_admin):
    game, _ = _game(district_admin)
    svc.competition_start(game_id=game.pk, actor=district_admin, version=_version(game))
    shown = _version(game)
    svc.competition_pause(game_id=game.pk, actor=district_admin, version=shown)
    before = _snapshot(game)
    with pytest.raises(StaleAction):
        svc.competition_resume(game_id=game.pk, actor=district_admin, version=shown)
    assert _snapshot(game) == before and before[3] is not None, "still paused"


@pytest.mark.django_db
def test_a_question_closing_on_its_own_makes_a_pending_next_stale(district_admin, time_machine):
    """The host clicks "next" to stop question 1 just as its time runs out: the click must not also open question 2."""
    game, _ = _game(district_admin)
    state = svc.competition_start(game_id=game.pk, actor=district_admin, version=_version(game))
    time_machine.move_to(timezone.now() + dt.timedelta(seconds=30), tick=False)
    assert svc.competition_tick(game_id=game.pk)["closed"]
    before = _snapshot(game)
    with pytest.raises(StaleAction):
        svc.competition_advance(game_id=game.pk, actor=district_admin, version=state["version"])
    assert _snapshot(game) == before and before[1] == Game.Phase.REVEAL


@pytest.mark.django_db
def test_an_action_without_a_version_applies_to_the_current_state(district_admin):
    """Backward compatibility: older consoles and scripts send no version; their action acts on the state as it is."""
    game, _ = _game(district_admin)
    svc.competition_start(game_id=game.pk, actor=district_admin)
    svc.competition_advance(game_id=game.pk, actor=district_admin)
    assert Game.objects.get(pk=game.pk).phase == Game.Phase.REVEAL


@pytest.mark.django_db
def test_removing_a_player_needs_no_version(district_admin):
    game, players = _game(district_admin)
    svc.competition_start(game_id=game.pk, actor=district_admin, version=_version(game))
    svc.competition_remove_player(game_id=game.pk, player_id=players[0].pk, actor=district_admin)
    assert Player.objects.get(pk=players[0].pk).removed_at is not None


# --- the control API ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_control_api_refuses_a_repeated_next(api_for, district_admin):
    game, _ = _game(district_admin)
    api = api_for(district_admin)
    url = f"/api/v1/games/{game.pk}/control/"
    shown = api.get(f"/api/v1/games/{game.pk}/state/").json()["version"]
    first = api.post(url, {"action": "start", "version": shown}, format="json")
    assert first.status_code == 200 and first.json()["phase"] == "question"
    current = first.json()["version"]
    before = _snapshot(game)
    again = api.post(url, {"action": "start", "version": shown}, format="json")
    assert again.status_code == 409
    assert again.json()["error"] == "stale_action" and again.json()["version"] == current and again.json()["detail"]
    stale_next = api.post(url, {"action": "next", "version": shown}, format="json")
    assert stale_next.status_code == 409 and stale_next.json()["error"] == "stale_action"
    assert _snapshot(game) == before
    # With the version it was given back, the caller acts on the current state.
    closed = api.post(url, {"action": "next", "version": current}, format="json")
    assert closed.status_code == 200 and closed.json()["phase"] == "reveal" and closed.json()["index"] == 0
    assert closed.json()["reveal"]["correct"] == [CORRECT]


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["x", -1, 1.5, [1]])
def test_control_api_refuses_a_malformed_version(api_for, district_admin, version):
    game, _ = _game(district_admin)
    before = _snapshot(game)
    response = api_for(district_admin).post(
        f"/api/v1/games/{game.pk}/control/", {"action": "start", "version": version}, format="json"
    )
    assert response.status_code == 400
    assert _snapshot(game) == before


@pytest.mark.django_db
def test_control_api_without_a_version_still_works(api_for, district_admin):
    game, _ = _game(district_admin)
    response = api_for(district_admin).post(f"/api/v1/games/{game.pk}/control/", {"action": "start"}, format="json")
    assert response.status_code == 200 and response.json()["phase"] == "question"


# --- the host console's WebSocket -----------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_host_socket_double_next_opens_the_next_question_once():
    from channels.db import database_sync_to_async

    from tests.quizzes.test_competition_consumers import connect, is_state, until

    @database_sync_to_async
    def setup():
        admin = AdminFactory(institution=None)
        game, _ = _game(admin)
        _to_leaderboard(game, admin)
        return admin, game

    admin, game = await setup()
    host = await connect(f"/ws/host/{game.pk}/", user=admin)
    board = await until(host, is_state("leaderboard", 0))
    # A double click: both frames carry the version the console shows.
    await host.send_json_to({"action": "next", "version": board["version"]})
    await host.send_json_to({"action": "next", "version": board["version"]})
    opened = await until(host, is_state("question", 1))
    refused = await until(host, lambda f: f.get("type") == "error")
    assert refused["error"] == "stale_action" and refused["version"] == opened["version"]
    assert refused["action"] == "next" and refused["message"]
    # The refusal is followed by the current state (the console may have missed it).
    current = await until(host, lambda f: f.get("type") == "state" and f["version"] == opened["version"])
    assert current["phase"] == "question" and current["index"] == 1
    game_row = await database_sync_to_async(Game.objects.get)(pk=game.pk)
    second = await database_sync_to_async(GameQuestion.objects.get)(game=game, index=1)
    assert game_row.phase == Game.Phase.QUESTION and game_row.index == 1 and game_row.version == opened["version"]
    assert second.closed_at is None, "question 2 was not closed by the repeated click"
    assert not [f for f in host.frames if f.get("type") == "state" and f["phase"] == "reveal" and f["index"] == 1]
    await host.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_host_socket_refuses_a_malformed_version_and_changes_nothing():
    from channels.db import database_sync_to_async

    from tests.quizzes.test_competition_consumers import connect, is_state, until

    @database_sync_to_async
    def setup():
        admin = AdminFactory(institution=None)
        game, _ = _game(admin)
        return admin, game

    admin, game = await setup()
    host = await connect(f"/ws/host/{game.pk}/", user=admin)
    lobby = await until(host, is_state("lobby"))
    for bad in ("0", True, 1.5, [0]):
        await host.send_json_to({"action": "start", "version": bad})
        assert (await until(host, lambda f: f.get("type") == "error"))["error"] == "malformed"
    assert await database_sync_to_async(lambda: _snapshot(game)[:3])() == (lobby["version"], "lobby", -1)
    await host.send_json_to({"action": "start", "version": lobby["version"]})
    await until(host, is_state("question", 0))
    await host.disconnect()


# --- the race, for real ---------------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_consoles_pressing_next_at_once_open_one_question():
    admin = AdminFactory(institution=None)
    game, _ = _game(admin)
    shown = _to_leaderboard(game, admin)["version"]
    outcomes = []
    barrier = threading.Barrier(2)

    def press():
        try:
            barrier.wait()
            outcomes.append(svc.competition_advance(game_id=game.pk, actor=admin, version=shown)["index"])
        except StaleAction as refused:
            outcomes.append(refused.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes, key=str) == [1, "stale_action"]
    game.refresh_from_db()
    assert game.phase == Game.Phase.QUESTION and game.index == 1 and game.version == shown + 1
    second = GameQuestion.objects.get(game=game, index=1)
    assert second.opened_at is not None and second.closed_at is None
