"""seed_demo's practice step: practice sets by category, idempotent, and a non-empty wrong-answer book."""

import io

import pytest

from quizzes.bank.models import Question
from quizzes.demo.practice import PRACTICE_SETS, seed_practice
from quizzes.practice.models import WrongBookEntry
from quizzes.practice.selectors import practice_categories

pytestmark = pytest.mark.django_db


def test_seed_practice_is_idempotent(staff_a):
    out = io.StringIO()
    seed_practice(out, {}, {"staff": staff_a})
    count = Question.objects.count()
    assert count == sum(len(items) for _r, _c, items in PRACTICE_SETS)
    seed_practice(out, {}, {"staff": staff_a})
    assert Question.objects.count() == count
    assert WrongBookEntry.objects.filter(user=staff_a).count() == 2
    names = {row.category.name for row in practice_categories(staff_a)}
    assert {"安全生产法律法规", "安全生产法要点", "消防安全", "医疗机构消防"} <= names
    assert "practice sets" in out.getvalue()
