"""seed_demo's competition step: 15 questions ready to host, idempotent."""

import io

from quizzes.bank.models import Question
from quizzes.competitions import services as svc
from quizzes.competitions.models import Competition
from quizzes.demo.competitions import COUNT, TITLE, seed_competition


def test_seed_makes_a_hostable_competition_once(district_admin):
    out = io.StringIO()
    first = seed_competition(out, {}, {"admin": district_admin})
    again = seed_competition(out, {}, {"admin": district_admin})
    assert first.pk == again.pk and Competition.objects.filter(title=TITLE).count() == 1
    assert first.picked_questions.count() == COUNT
    questions = Question.objects.count()
    seed_competition(out, {}, {"admin": district_admin})
    assert Question.objects.count() == questions
    game = svc.competition_host(competition=first, actor=district_admin)
    assert game.questions.count() == COUNT
    assert not game.questions.filter(type=Question.Type.FILL).exists()
