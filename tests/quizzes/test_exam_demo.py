"""seed_demo's campaign exam: 50 questions (or what the bank has), 30 minutes, pass 80, one attempt, idempotent."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from quizzes.demo.exams import TITLE, plan_sections, seed_exam
from quizzes.exams import services as svc
from quizzes.exams.models import Exam
from tests.quizzes.exam_factories import make_bank

pytestmark = pytest.mark.django_db


def test_plan_sections_fills_shortfalls_from_other_types():
    full = {"single": 100, "multiple": 100, "truefalse": 100, "fill": 100}
    assert [c for _, _, c in plan_sections(full)] == [20, 10, 15, 5]
    no_fill = {"single": 100, "multiple": 3, "truefalse": 100}
    plan = plan_sections(no_fill)
    assert sum(c for _, _, c in plan) == 50 and dict((t, c) for t, _, c in plan)["multiple"] == 3
    small = {"single": 4, "multiple": 2, "truefalse": 2, "fill": 2}
    assert sum(c for _, _, c in plan_sections(small)) == 10
    assert plan_sections({}) == []


def test_seed_exam_idempotent_and_startable(staff_a):
    make_bank(singles=30, multiples=12, truefalse=20, fills=6)
    end = timezone.localdate() + dt.timedelta(days=29)
    home = SimpleNamespace(campaign_end=end)
    exam = seed_exam(None, {}, {"home": home, "admin": None})
    again = seed_exam(None, {}, {"home": home, "admin": None})
    assert Exam.objects.filter(title=TITLE).count() == 1 and again.pk == exam.pk
    assert exam.is_open() and exam.time_limit_minutes == 30 and exam.attempts_allowed == 1
    assert timezone.localtime(exam.closes_at).date() == end
    assert sum(s.count for s in again.sections.all()) == 50
    attempt = svc.attempt_start(exam=again, user=staff_a)
    assert attempt.paper.count() == 50 and attempt.max_score == 100


def test_seed_exam_with_small_bank_draws_what_exists(staff_a):
    make_bank()  # 10 questions
    exam = seed_exam(None, {}, {"home": None})
    attempt = svc.attempt_start(exam=exam, user=staff_a)
    assert attempt.paper.count() == 10 and attempt.max_score == 20


def test_home_page_lists_the_open_exam(client_for, staff_a):
    from content.demo import seed_home

    make_bank()
    home = seed_home()
    exam = seed_exam(None, {}, {"home": home})
    page = client_for(staff_a).get("/").content.decode()
    assert TITLE in page and f"/exams/{exam.pk}/" in page
    svc.attempt_submit(attempt_id=svc.attempt_start(exam=exam, user=staff_a).pk, user=staff_a)
    assert TITLE not in client_for(staff_a).get("/").content.decode()  # nothing left to do there
