"""The exam definition in the Wagtail admin: the district admin creates an exam with paper sections inline."""

import json

import pytest

from quizzes.exams.models import Exam
from tests.quizzes.exam_factories import ExamCategoryFactory, ExamFactory

pytestmark = pytest.mark.django_db

INTRO = json.dumps(
    {
        "blocks": [
            {"key": "a1", "type": "unstyled", "text": "请在规定时间内完成。", "depth": 0,
             "inlineStyleRanges": [], "entityRanges": []}
        ],
        "entityMap": {},
    }
)  # fmt: skip


def form_data(category, **overrides):
    data = {
        "title": "2026年安全生产月知识考试",
        "introduction": INTRO,
        "status": "published",
        "opens_at": "2026-06-01 08:00",
        "closes_at": "2026-06-30 18:00",
        "time_limit_minutes": "30",
        "attempts_allowed": "1",
        "grading_method": "highest",
        "pass_mark": "80",
        "roles": ["staff", "officer"],
        "shuffle_questions": "on",
        "shuffle_options": "on",
        "multiple_scoring": "partial",
        "review_score": "on",
        "review_correctness": "on",
        "review_when": "after_close",
        "overdue_handling": "autosubmit",
        "grace_period_minutes": "0",
        "tab_switch_policy": "autosubmit",
        "tab_switch_limit": "3",
        "sections-TOTAL_FORMS": "2",
        "sections-INITIAL_FORMS": "0",
        "sections-MIN_NUM_FORMS": "1",
        "sections-MAX_NUM_FORMS": "1000",
    }
    for i, (qtype, count, points) in enumerate([("single", "30", "2"), ("multiple", "20", "2")]):
        data.update(
            {
                f"sections-{i}-title": f"第{i + 1}部分",
                f"sections-{i}-question_type": qtype,
                f"sections-{i}-category": str(category.pk),
                f"sections-{i}-difficulty": "",
                f"sections-{i}-count": count,
                f"sections-{i}-points": points,
                f"sections-{i}-fixed_question_ids": "",
                f"sections-{i}-ORDER": str(i + 1),
                f"sections-{i}-DELETE": "",
                f"sections-{i}-id": "",
            }
        )
    data.update(overrides)
    return data


def test_admin_creates_exam_with_sections(client_for, district_admin):
    category = ExamCategoryFactory()
    c = client_for(district_admin)
    assert c.get("/admin/exams/").status_code == 200
    assert c.get("/admin/exams/new/").status_code == 200
    res = c.post("/admin/exams/new/", form_data(category))
    assert res.status_code == 302, res.content.decode()[-3000:]
    exam = Exam.objects.get()
    assert exam.roles == ["staff", "officer"] and exam.time_limit_minutes == 30
    assert exam.multiple_scoring == "partial" and exam.tab_switch_policy == "autosubmit"
    assert [(s.question_type, s.count) for s in exam.sections.all()] == [("single", 30), ("multiple", 20)]
    assert c.get(f"/admin/exams/edit/{exam.pk}/").status_code == 200


def test_admin_form_errors(client_for, district_admin):
    category = ExamCategoryFactory()
    c = client_for(district_admin)
    res = c.post("/admin/exams/new/", form_data(category, closes_at="2026-05-01 08:00"))
    assert res.status_code == 200 and "截止时间必须晚于开考时间" in res.content.decode()
    res = c.post("/admin/exams/new/", form_data(category, **{"sections-0-fixed_question_ids": "12,abc"}))
    assert res.status_code == 200 and "题目编号须为数字" in res.content.decode()
    assert not Exam.objects.exists()


def test_officers_and_staff_cannot_edit_exams(client_for, officer_a, staff_a):
    ExamFactory()
    assert client_for(officer_a).get("/admin/exams/").status_code in (302, 403)
    assert client_for(staff_a).get("/admin/exams/").status_code in (302, 403)
