"""Factories for exam tests: a small bank with every question type and an exam drawing from it."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from quizzes.bank.models import Category, Question
from quizzes.exams.models import Exam, ExamSection

EXPLANATION_MARK = "解析秘文"  # appears only in explanations: the leakage tests look for it
FILL_MARK = "填空秘答"  # the accepted fill-in answer: likewise


class ExamCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name", "parent")

    name = factory.Sequence(lambda n: f"考试分类{n}")
    parent = None


class BankQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    type = Question.Type.SINGLE
    category = factory.SubFactory(ExamCategoryFactory)
    stem = factory.Sequence(lambda n: f"考题{n}：发现火灾应当立即拨打哪个电话？")
    options = ["110", "119", "120", "122"]
    correct_options = [1]
    accepted_answers = []
    explanation = factory.Sequence(lambda n: f"{EXPLANATION_MARK}{n}：《消防法》第四十四条。")
    source_law = "中华人民共和国消防法"
    source_article = "第四十四条"
    status = Question.Status.ACTIVE


def make_bank(category=None, singles=4, multiples=2, truefalse=2, fills=2):
    category = category or ExamCategoryFactory()
    qs = []
    for _ in range(singles):
        qs.append(BankQuestionFactory(category=category))
    for _ in range(multiples):
        qs.append(
            BankQuestionFactory(
                category=category,
                type=Question.Type.MULTIPLE,
                options=["冷却法", "窒息法", "隔离法", "助燃法"],
                correct_options=[0, 1, 2],
            )
        )
    for _ in range(truefalse):
        qs.append(BankQuestionFactory(category=category, type=Question.Type.TRUE_FALSE, correct_options=[0]))
    for _ in range(fills):
        qs.append(
            BankQuestionFactory(
                category=category,
                type=Question.Type.FILL,
                stem="安全生产工作坚持____第一。",
                options=[],
                correct_options=[],
                accepted_answers=[[FILL_MARK, "安全"]],
            )
        )
    return category, qs


class ExamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Exam
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"安全生产知识考试{n}")
    status = Exam.Status.PUBLISHED
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=1))
    time_limit_minutes = 30
    attempts_allowed = 1
    pass_mark = Decimal("80")
    shuffle_questions = True
    shuffle_options = True
    review_when = Exam.ReviewWhen.IMMEDIATELY
    review_score = True
    review_correctness = True
    review_answers = True
    review_explanations = True


def exam_with_sections(category, *, count=None, points=Decimal("10"), **kwargs):
    """An exam with one section drawing `count` questions (default: all) of any type from `category`."""
    exam = ExamFactory(**kwargs)
    ExamSection.objects.create(
        exam=exam, title="综合题", category=category, count=count or 100, points=points, sort_order=0
    )
    return exam
