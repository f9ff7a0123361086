"""Competition API: hosts only, the same services as the console, no correct option before the reveal."""

import json

from quizzes.competitions import services as svc
from quizzes.competitions.models import Game
from tests.quizzes.competition_factories import CORRECT, make_competition


def test_manager_lists_hostable_competitions_and_opens_a_game(
    api_for, district_admin, officer_a, staff_a, inst_a, inst_b
):
    own = make_competition(institutions=[inst_a])
    other = make_competition(institutions=[inst_b])
    listed = api_for(officer_a).get("/api/v1/competitions/").json()["results"]
    assert [c["id"] for c in listed] == [own.pk]
    assert listed[0]["questions"] == 3 and listed[0]["live_game"] is None
    assert api_for(staff_a).get("/api/v1/competitions/").json()["results"] == []
    refused = api_for(officer_a).post(f"/api/v1/competitions/{other.pk}/host/")
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    opened = api_for(officer_a).post(f"/api/v1/competitions/{own.pk}/host/")
    assert opened.status_code == 201
    body = opened.json()
    assert len(body["pin"]) == 6 and body["join_url"] == f"/play/{body['pin']}/" and body["phase"] == "lobby"
    again = api_for(officer_a).get("/api/v1/competitions/").json()["results"][0]
    assert again["live_game"] == {"id": body["id"], "pin": body["pin"], "phase": "lobby"}


def test_controls_state_and_ranking(api_for, district_admin, staff_a, staff_b):
    game = svc.competition_host(competition=make_competition(), actor=district_admin)
    player = svc.competition_join(game=game, user=staff_a).player
    svc.competition_join(game=game, user=staff_b)
    api = api_for(district_admin)
    state = api.post(f"/api/v1/games/{game.pk}/control/", {"action": "start"}, format="json").json()
    assert state["phase"] == "question" and state["question"]["options"]
    svc.competition_answer(game_id=game.pk, player_id=player.pk, index=0, choice=[CORRECT])
    during = api.get(f"/api/v1/games/{game.pk}/state/").json()
    assert "correct" not in json.dumps(during) and during["answered"] == 1
    wrong = api.post(f"/api/v1/games/{game.pk}/control/", {"action": "resume"}, format="json")
    assert wrong.status_code == 409 and wrong.json()["error"] == "wrong_phase"
    assert api.post(f"/api/v1/games/{game.pk}/control/", {"action": "fly"}, format="json").status_code == 400
    revealed = api.post(f"/api/v1/games/{game.pk}/control/", {"action": "skip"}, format="json").json()
    assert revealed["reveal"]["correct"] == [CORRECT]
    ranking = api.get(f"/api/v1/games/{game.pk}/ranking/").json()
    assert [p["name"] for p in ranking["players"]][0] == player.nickname
    assert ranking["players"][0]["score"] == 1000
    # Staff see no games and cannot press the host's buttons.
    staff = api_for(staff_a)
    assert staff.get(f"/api/v1/games/{game.pk}/state/").status_code == 404
    assert staff.post(f"/api/v1/games/{game.pk}/control/", {"action": "next"}, format="json").status_code == 404
    assert Game.objects.get(pk=game.pk).phase == Game.Phase.REVEAL
