"""Factories for live-competition tests: a small bank of choice questions and a competition picking them."""

import factory

from quizzes.bank.models import Category, Question
from quizzes.competitions.models import Competition, CompetitionQuestion

CORRECT = 1  # every generated single-choice question's correct option (B)


class GameCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name", "parent")

    name = factory.Sequence(lambda n: f"竞赛分类{n}")
    parent = None


class GameQuestionSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    type = Question.Type.SINGLE
    category = factory.SubFactory(GameCategoryFactory)
    stem = factory.Sequence(lambda n: f"竞赛题{n}：发现火灾应当立即拨打哪个电话？")
    options = ["110", "119", "120", "122"]
    correct_options = [CORRECT]
    explanation = factory.Sequence(lambda n: f"竞赛解析{n}：《消防法》第四十四条。")
    source_law = "中华人民共和国消防法"
    source_article = "第四十四条"
    status = Question.Status.ACTIVE


class CompetitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competition
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"安全知识竞赛{n}")
    seconds_per_question = 20
    scoring = Competition.Scoring.SPEED
    audience = Competition.Audience.STAFF
    institution_min_players = 2


def make_competition(questions: int = 3, **kwargs) -> Competition:
    """A competition picking `questions` fresh single-choice questions (correct option B), in order."""
    institutions = kwargs.pop("institutions", [])
    competition = CompetitionFactory(**kwargs)
    category = GameCategoryFactory()
    for i in range(questions):
        CompetitionQuestion.objects.create(
            competition=competition, question=GameQuestionSourceFactory(category=category), sort_order=i
        )
    if institutions:
        competition.institutions.set(institutions)
        competition.save()  # modelcluster writes parental many-to-many relations on save
    return competition
