"""Factories for question-bank tests."""

import factory

from quizzes.bank.models import Category, Question


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name", "parent")

    name = factory.Sequence(lambda n: f"题库分类{n}")
    parent = None


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    type = Question.Type.SINGLE
    category = factory.SubFactory(CategoryFactory)
    stem = factory.Sequence(lambda n: f"第{n}题：发现火灾应当立即拨打哪个电话？")
    options = ["110", "119", "120", "122"]
    correct_options = [1]
    explanation = "《消防法》第四十四条。"
    source_law = "中华人民共和国消防法"
    source_article = "第四十四条"
    status = Question.Status.ACTIVE
