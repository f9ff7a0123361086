"""Real races on PostgreSQL: many threads answer while the question closes. Every stored answer is scored exactly
once, every acknowledged answer is stored, and nothing is stored after the close."""

import threading

import pytest
from django.db import connection

from quizzes.competitions import services as svc
from quizzes.competitions.exceptions import AnswerClosed
from quizzes.competitions.models import Game, GameQuestion, Player, PlayerAnswer
from tests.factories import AdminFactory, InstitutionFactory, UserFactory
from tests.quizzes.competition_factories import CORRECT, make_competition

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run(workers):
    threads = [threading.Thread(target=w) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)


def test_answers_racing_the_close_are_either_scored_or_refused():
    inst = InstitutionFactory()
    admin = AdminFactory(institution=None)
    game = svc.competition_host(competition=make_competition(questions=1), actor=admin)
    players = [svc.competition_join(game=game, user=UserFactory(institution=inst)).player for _ in range(30)]
    svc.competition_start(game_id=game.pk, actor=admin)
    acked, refused = [], []
    barrier = threading.Barrier(len(players) + 1)

    def answer(player):
        def work():
            try:
                barrier.wait()
                result = svc.competition_answer(game_id=game.pk, player_id=player.pk, index=0, choice=[CORRECT])
                acked.append((player.pk, result.status))
            except AnswerClosed:
                refused.append(player.pk)
            finally:
                connection.close()

        return work

    def close():
        try:
            barrier.wait()
            svc.competition_skip(game_id=game.pk, actor=admin)
        finally:
            connection.close()

    _run([answer(p) for p in players] + [close])
    assert len(acked) + len(refused) == len(players)
    stored = set(PlayerAnswer.objects.values_list("player_id", flat=True))
    assert stored == {pk for pk, _ in acked}  # acknowledged <=> stored
    question = GameQuestion.objects.get(game=game, index=0)
    assert question.answer_count == len(stored) and question.closed_at is not None
    scored = {p.pk for p in Player.objects.filter(game=game, score__gt=0)}
    assert scored == stored  # every stored answer was scored by the close, none after it
    assert Game.objects.get(pk=game.pk).phase == Game.Phase.REVEAL


def test_concurrent_duplicates_store_one_answer():
    admin = AdminFactory(institution=None)
    game = svc.competition_host(competition=make_competition(questions=1), actor=admin)
    player = svc.competition_join(game=game, user=UserFactory()).player
    svc.competition_join(game=game, user=UserFactory())
    svc.competition_start(game_id=game.pk, actor=admin)
    statuses = []

    def work():
        try:
            statuses.append(
                svc.competition_answer(game_id=game.pk, player_id=player.pk, index=0, choice=[CORRECT]).status
            )
        finally:
            connection.close()

    _run([work] * 8)
    assert sorted(statuses) == ["accepted"] + ["duplicate"] * 7
    assert PlayerAnswer.objects.filter(player=player).count() == 1
