"""Question-bank factories for the practice, wrong-answer book, certificate and result tests."""

import factory

from quizzes.models import Category, Question


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name", "parent")

    name = factory.Sequence(lambda n: f"练习分类{n}")
    parent = None


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    type = Question.Type.SINGLE
    category = factory.SubFactory(CategoryFactory)
    stem = factory.Sequence(lambda n: f"第{n}题：发现火灾应当立即拨打哪个电话？")
    options = ["110", "119", "120", "122"]
    correct_options = [1]
    accepted_answers = []
    explanation = "《消防法》第四十四条：任何人发现火灾都应当立即报警。"
    source_law = "中华人民共和国消防法"
    source_article = "第四十四条"
    source_url = "/study/fire-law/#article-44"
    status = Question.Status.ACTIVE


def fill_question(**kwargs):
    defaults = {
        "type": Question.Type.FILL,
        "stem": "生产经营单位的主要负责人是本单位安全生产的____责任人。",
        "options": [],
        "correct_options": [],
        "accepted_answers": [["第一"]],
    }
    return QuestionFactory(**{**defaults, **kwargs})


def multiple_question(**kwargs):
    defaults = {
        "type": Question.Type.MULTIPLE,
        "stem": "灭火的基本方法有哪些？",
        "options": ["冷却法", "窒息法", "隔离法", "助燃法"],
        "correct_options": [0, 1, 2],
    }
    return QuestionFactory(**{**defaults, **kwargs})
