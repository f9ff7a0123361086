"""Rejoining a live game while it moves on: a state change committed between the reconnecting player's snapshot
and the moment its consumer joins the game's broadcast group must still reach that player. Before the fix the
broadcast went to the others only and the player stayed on the old phase until the next change (the reconnect storm
in tests/reliability/test_game_faults.py, where the host moves on while players come back, runs into this window)."""

import pytest

from quizzes.competitions import services as svc
from tests.quizzes.test_competition_consumers import connect, is_state, player_socket, setup_game, until

pytestmark = pytest.mark.django_db(transaction=True)


async def test_a_change_between_snapshot_and_joining_the_group_reaches_the_player(monkeypatch):
    game, admin, joined = await setup_game(players=2, questions=2)
    host = await connect(f"/ws/host/{game.pk}/", user=admin)  # the process's fan-out channel is in the group
    await until(host, is_state("lobby"))
    snapshot, moved = svc.players_connect, []

    def snapshot_then_host_starts(*args):
        taken = snapshot(*args)
        if not moved:  # the host starts the game right after the player's snapshot was read (once)
            moved.append(svc.competition_start(game_id=game.pk, actor=admin))
        return taken

    monkeypatch.setattr(svc, "players_connect", snapshot_then_host_starts)
    phone = await player_socket(game, *joined[0])
    await until(host, is_state("question", 0))  # the broadcast went out before the player's consumer joined
    state = await until(phone, is_state("question", 0), timeout=3)
    assert state["version"] == moved[0]["version"]
    assert state["me"]["id"] == joined[0][1].pk and state["me"]["answered"] is False
    for comm in (host, phone):
        await comm.disconnect()
