"""Live competition services: server-owned time, first answer only, scoring, rejoin, rankings, host controls."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from quizzes.competitions import services as svc
from quizzes.competitions.exceptions import (
    AnswerClosed,
    GamePaused,
    InvalidAnswer,
    NicknameUnavailable,
    NotAllowed,
    PlayerRemoved,
    WrongPhase,
)
from quizzes.competitions.models import ANSWER_GRACE_SECONDS, Competition, Game, Player, PlayerAnswer
from quizzes.competitions.selectors import game_state, institution_ranking, player_me, ranked_players
from tests.factories import InstitutionFactory, UserFactory
from tests.quizzes.competition_factories import CORRECT, make_competition

WRONG = 0
T0 = dt.datetime(2026, 6, 16, 9, 0, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(T0, tick=False)

    def at(seconds: float):
        time_machine.move_to(T0 + dt.timedelta(seconds=seconds), tick=False)
        return timezone.now()

    return at


def _game(admin, **kwargs):
    competition = make_competition(**kwargs)
    return svc.competition_host(competition=competition, actor=admin)


def _join(game, user):
    return svc.competition_join(game=game, user=user).player


def _answer(game, player, choice, index=None):
    index = Game.objects.get(pk=game.pk).index if index is None else index
    return svc.competition_answer(game_id=game.pk, player_id=player.pk, index=index, choice=[choice])


def test_hosting_snapshots_questions_and_gives_a_six_digit_pin(district_admin):
    game = _game(district_admin, questions=3)
    assert len(game.pin) == 6 and game.pin.isdigit()
    assert game.phase == Game.Phase.LOBBY and game.questions.count() == 3
    source = game.questions.get(index=0).question
    source.stem = "改过的题干"
    source.save()
    assert game.questions.get(index=0).stem != "改过的题干"  # the game keeps its frozen copy
    # Hosting again while the game is live resumes it instead of opening a second one.
    assert svc.competition_host(competition=game.competition, actor=district_admin).pk == game.pk


def test_staff_cannot_host_and_officer_hosts_only_own_institutions(staff_a, officer_a, inst_a, inst_b):
    own = make_competition(institutions=[inst_a])
    other = make_competition(institutions=[inst_b])
    with pytest.raises(NotAllowed):
        svc.competition_host(competition=own, actor=staff_a)
    assert svc.competition_host(competition=own, actor=officer_a)
    with pytest.raises(NotAllowed):
        svc.competition_host(competition=other, actor=officer_a)


def test_full_game_scores_speed_closes_early_and_ranks(district_admin, clock, inst_a, inst_b):
    game = _game(district_admin, questions=2)
    fast, slow, wrong = (
        UserFactory(institution=inst_a),
        UserFactory(institution=inst_a),
        UserFactory(institution=inst_b),
    )
    players = {name: _join(game, user) for name, user in (("fast", fast), ("slow", slow), ("wrong", wrong))}
    clock(0)
    svc.competition_start(game_id=game.pk, actor=district_admin)
    clock(0.3)
    assert _answer(game, players["fast"], CORRECT).status == "accepted"
    clock(10.25)
    _answer(game, players["slow"], CORRECT)
    clock(12)
    result = _answer(game, players["wrong"], WRONG)
    assert result.closed  # every player answered: the question closes at once
    game.refresh_from_db()
    assert game.phase == Game.Phase.REVEAL
    scores = dict(Player.objects.values_list("pk", "score"))
    assert scores[players["fast"].pk] == 1000  # within 0.5 s: full points
    assert scores[players["slow"].pk] == 750  # (10.25 - 0.5) / 19.5 of the way from 1000 to 500
    assert scores[players["wrong"].pk] == 0
    state = game_state(game)
    assert state["reveal"]["correct"] == [CORRECT] and state["reveal"]["distribution"] == [1, 2, 0, 0]
    svc.competition_advance(game_id=game.pk, actor=district_admin)  # -> leaderboard
    state = game_state(Game.objects.get(pk=game.pk))
    assert [p["name"] for p in state["top"]] == [
        players["fast"].nickname,
        players["slow"].nickname,
        players["wrong"].nickname,
    ]
    assert [p["rank"] for p in state["top"]] == [1, 2, 3]
    svc.competition_advance(game_id=game.pk, actor=district_admin)  # -> question 2
    game.refresh_from_db()
    assert (game.phase, game.index) == (Game.Phase.QUESTION, 1)
    svc.competition_advance(game_id=game.pk, actor=district_admin)  # host closes it early
    svc.competition_advance(game_id=game.pk, actor=district_admin)  # -> leaderboard
    svc.competition_advance(game_id=game.pk, actor=district_admin)  # -> podium
    game.refresh_from_db()
    assert game.phase == Game.Phase.FINISHED and game.finished_at
    final = game_state(game)
    assert [p["name"] for p in final["podium"]] == [p["name"] for p in state["top"]]
    me = player_me(game, players["slow"])
    assert (me["rank"], me["of"], me["score"]) == (2, 3, 750)


def test_late_answer_is_refused_and_closes_the_question(district_admin, staff_a, staff_b, clock):
    game = _game(district_admin, questions=2)
    early, late = _join(game, staff_a), _join(game, staff_b)
    clock(0)
    svc.competition_start(game_id=game.pk, actor=district_admin)
    clock(5)
    _answer(game, early, CORRECT)
    clock(20 + ANSWER_GRACE_SECONDS + 0.01)
    with pytest.raises(AnswerClosed):
        _answer(game, late, CORRECT)
    assert not PlayerAnswer.objects.filter(player=late).exists()
    game.refresh_from_db()
    assert game.phase == Game.Phase.REVEAL  # the late request itself closed the question


def test_answer_within_network_grace_counts_at_the_deadline(district_admin, staff_a, staff_b, clock):
    game = _game(district_admin)
    player, _other = _join(game, staff_a), _join(game, staff_b)
    clock(0)
    svc.competition_start(game_id=game.pk, actor=district_admin)
    clock(20 + ANSWER_GRACE_SECONDS / 2)
    assert _answer(game, player, CORRECT).status == "accepted"
    answer = PlayerAnswer.objects.get(player=player)
    assert answer.elapsed_ms == 20_000 and answer.points == 500


def test_tick_closes_a_question_whose_time_is_up_without_any_answer(district_admin, staff_a, clock):
    game = _game(district_admin)
    _join(game, staff_a)
    clock(0)
    svc.competition_start(game_id=game.pk, actor=district_admin)
    clock(20.5)
    assert svc.competition_tick(game_id=game.pk)["closed"] is False  # still inside the grace
    clock(21.2)
    assert svc.competition_tick(game_id=game.pk)["closed"] is True
    assert Game.objects.get(pk=game.pk).phase == Game.Phase.REVEAL


def test_only_the_first_answer_counts(district_admin, staff_a, staff_b, clock):
    game = _game(district_admin)
    player, _other = _join(game, staff_a), _join(game, staff_b)
    clock(0)
    svc.competition_start(game_id=game.pk, actor=district_admin)
    clock(1)
    assert _answer(game, player, WRONG).status == "accepted"
    clock(2)
    assert _answer(game, player, CORRECT).status == "duplicate"
    answers = PlayerAnswer.objects.filter(player=player)
    assert answers.count() == 1 and answers.get().choice == [WRONG]
    assert game.questions.get(index=0).answer_count == 1


def test_invalid_answers_are_refused(district_admin, staff_a, clock):
    game = _game(district_admin)
    player = _join(game, staff_a)
    clock(0)
    svc.competition_start(game_id=game.pk, actor=district_admin)
    for choice in ([], [9], ["1"], [True], [0, 1], "1", None):
        with pytest.raises(InvalidAnswer):
            svc.competition_answer(game_id=game.pk, player_id=player.pk, index=0, choice=choice)
    with pytest.raises(AnswerClosed):  # a question that is not the open one
        _answer(game, player, CORRECT, index=1)
    assert not PlayerAnswer.objects.exists()


def test_rejoin_by_token_and_by_account_keeps_the_same_player_and_score(district_admin, staff_a, staff_b, clock):
    game = _game(district_admin)
    joined = svc.competition_join(game=game, user=staff_a)
    _join(game, staff_b)
    clock(0)
    svc.competition_start(game_id=game.pk, actor=district_admin)
    _answer(game, joined.player, CORRECT)
    svc.competition_skip(game_id=game.pk, actor=district_admin)
    again = svc.competition_join(game=game, user=staff_a, token=joined.token)
    assert again.player.pk == joined.player.pk and again.token is None
    other_device = svc.competition_join(game=game, user=staff_a)  # no cookie: same account, same player
    assert other_device.player.pk == joined.player.pk and other_device.token
    assert Player.objects.get(pk=joined.player.pk).score == 1000
    # The old cookie no longer identifies the player; the new one does; nobody else's does.
    assert svc.player_for_token(game=game, token=joined.token, user=staff_a) is None
    assert svc.player_for_token(game=game, token=other_device.token, user=staff_a).pk == joined.player.pk
    assert svc.player_for_token(game=game, token=other_device.token, user=staff_b) is None


def test_staff_game_admits_only_chosen_institutions(district_admin, staff_a, staff_b, inst_a):
    game = _game(district_admin, institutions=[inst_a])
    assert _join(game, staff_a)
    with pytest.raises(NotAllowed):
        _join(game, staff_b)


def test_public_game_guests_pick_a_generated_nickname(district_admin):
    game = _game(district_admin, audience=Competition.Audience.PUBLIC)
    choices = svc.nickname_choices(game=game)
    assert len(choices) == 6 and len(set(choices)) == 6
    guest = svc.competition_join(game=game, nickname=choices[0])
    assert guest.player.user is None and guest.token
    with pytest.raises(NicknameUnavailable):  # taken
        svc.competition_join(game=game, nickname=choices[0])
    with pytest.raises(NicknameUnavailable):  # not from the list
        svc.competition_join(game=game, nickname="随便起的名字")
    assert choices[0] not in svc.nickname_choices(game=game, count=144)


def test_institution_ranking_needs_the_minimum_number_of_players(district_admin, clock):
    big, small = InstitutionFactory(name="大医院"), InstitutionFactory(name="小卫生院")
    # a1 correct at once (1000), a2 wrong (0): mean 500; b1 alone is below the minimum of 2.
    game = _game(district_admin, institution_min_players=2)
    a1, a2, b1 = (_join(game, UserFactory(institution=i)) for i in (big, big, small))
    clock(0)
    svc.competition_start(game_id=game.pk, actor=district_admin)
    _answer(game, a1, CORRECT)
    _answer(game, a2, WRONG)
    _answer(game, b1, CORRECT)
    ranking = institution_ranking(Game.objects.get(pk=game.pk))
    assert [(i["id"], i["players"], i["mean"], i["rank"]) for i in ranking["ranked"]] == [(big.pk, 2, 500.0, 1)]
    assert [i["players"] for i in ranking["unranked"]] == [1]


def test_accuracy_mode_breaks_ties_by_total_time(district_admin, staff_a, staff_b, clock):
    game = _game(district_admin, scoring=Competition.Scoring.ACCURACY)
    quick, slow = _join(game, staff_a), _join(game, staff_b)
    clock(0)
    svc.competition_start(game_id=game.pk, actor=district_admin)
    clock(8)
    _answer(game, slow, CORRECT)
    clock(9)
    _answer(game, quick, CORRECT)
    ranked = ranked_players(Game.objects.get(pk=game.pk))
    assert [(r["name"], r["score"], r["rank"]) for r in ranked] == [(slow.nickname, 100, 1), (quick.nickname, 100, 2)]


def test_streak_bonus_from_the_second_correct_answer(district_admin, staff_a, clock):
    game = _game(district_admin, questions=3, scoring=Competition.Scoring.FLAT, streak_bonus=True)
    player = _join(game, staff_a)
    clock(0)
    svc.competition_start(game_id=game.pk, actor=district_admin)
    for i in range(3):
        _answer(game, player, CORRECT)  # the only player: closes at once
        if i < 2:
            svc.competition_advance(game_id=game.pk, actor=district_admin)  # leaderboard
            svc.competition_advance(game_id=game.pk, actor=district_admin)  # next question
    assert Player.objects.get(pk=player.pk).score == 1000 + 1100 + 1200


def test_pause_freezes_the_countdown_and_refuses_answers(district_admin, staff_a, staff_b, clock):
    game = _game(district_admin)
    player, _other = _join(game, staff_a), _join(game, staff_b)
    clock(0)
    svc.competition_start(game_id=game.pk, actor=district_admin)
    clock(5)
    state = svc.competition_pause(game_id=game.pk, actor=district_admin)
    assert state["paused"] and state["remaining"] == 15
    clock(100)
    with pytest.raises(GamePaused):
        _answer(game, player, CORRECT)
    assert svc.competition_tick(game_id=game.pk)["closed"] is False
    state = svc.competition_resume(game_id=game.pk, actor=district_admin)
    assert not state["paused"] and state["remaining"] == 15
    clock(101)
    _answer(game, player, CORRECT)
    assert PlayerAnswer.objects.get(player=player).elapsed_ms == 6000  # 5 s before + 1 s after the pause
    with pytest.raises(WrongPhase):
        svc.competition_resume(game_id=game.pk, actor=district_admin)


def test_removed_player_leaves_rankings_and_cannot_answer_or_rejoin(district_admin, staff_a, staff_b, clock):
    game = _game(district_admin)
    joined = svc.competition_join(game=game, user=staff_a)
    _join(game, staff_b)
    svc.competition_remove_player(game_id=game.pk, player_id=joined.player.pk, actor=district_admin)
    with pytest.raises(PlayerRemoved):
        svc.competition_join(game=game, user=staff_a)
    assert svc.player_for_token(game=game, token=joined.token, user=staff_a) is None
    clock(0)
    svc.competition_start(game_id=game.pk, actor=district_admin)
    with pytest.raises(PlayerRemoved):
        _answer(game, joined.player, CORRECT)
    assert game_state(Game.objects.get(pk=game.pk))["players"] == 1


def test_end_scores_the_open_question_and_finishes(district_admin, staff_a, staff_b, clock):
    game = _game(district_admin, questions=3)
    player, _other = _join(game, staff_a), _join(game, staff_b)
    clock(0)
    svc.competition_start(game_id=game.pk, actor=district_admin)
    _answer(game, player, CORRECT)
    state = svc.competition_end(game_id=game.pk, actor=district_admin)
    assert state["phase"] == "finished" and state["podium"][0]["name"] == player.nickname
    assert Game.objects.get(pk=game.pk).phase == Game.Phase.FINISHED


def test_host_controls_refuse_staff(district_admin, staff_a):
    game = _game(district_admin)
    for action in (svc.competition_start, svc.competition_advance, svc.competition_end, svc.competition_pause):
        with pytest.raises(NotAllowed):
            action(game_id=game.pk, actor=staff_a)


def test_no_correct_option_in_the_state_before_the_question_closes(district_admin, staff_a, staff_b, clock):
    game = _game(district_admin)
    player, _other = _join(game, staff_a), _join(game, staff_b)
    clock(0)
    states = [svc.competition_start(game_id=game.pk, actor=district_admin)]
    _answer(game, player, CORRECT)
    game.refresh_from_db()
    states.append(game_state(game))
    me = player_me(game, player)
    for payload in [*states, me]:
        text = json.dumps(payload, ensure_ascii=False)
        assert "correct" not in text and "reveal" not in text and "竞赛解析" not in text
    assert me["answered"] is True
    revealed = svc.competition_skip(game_id=game.pk, actor=district_admin)
    assert revealed["reveal"]["correct"] == [CORRECT]
    assert player_me(Game.objects.get(pk=game.pk), player)["last"]["correct"] is True


@pytest.mark.parametrize("seconds, ok", [(4, False), (5, True), (240, True), (241, False)])
def test_time_per_question_is_5_to_240_seconds(seconds, ok, db):
    from django.core.exceptions import ValidationError

    competition = Competition(title="限时", seconds_per_question=seconds)
    if ok:
        competition.full_clean()
    else:
        with pytest.raises(ValidationError):
            competition.full_clean()
