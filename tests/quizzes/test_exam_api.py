"""Exam API and pages: start/resume, save, late refusal, submit, review policies, access."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from quizzes.exams import services as svc
from quizzes.exams.models import Attempt, AttemptAnswer, Exam
from tests.quizzes.exam_factories import exam_with_sections, make_bank

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def exam(db):
    category, _ = make_bank()
    return exam_with_sections(category, opens_at=T0 - dt.timedelta(hours=1), closes_at=T0 + dt.timedelta(hours=5))


def answer_all_correctly(attempt):
    for aq in attempt.paper.all():
        snap = aq.snapshot
        resp = [snap["accepted_answers"][0][-1]] if snap["type"] == "fill" else snap["correct"]
        svc.answer_save(attempt_id=attempt.pk, user=attempt.user, position=aq.position, response=resp, seq=aq.position)


@time_machine.travel(T0, tick=False)
def test_exams_available_to_me(exam, api_for, staff_a, staff_b, inst_a):
    other = Exam.objects.create(
        title="乙院专场", status="published", opens_at=exam.opens_at, closes_at=exam.closes_at, time_limit_minutes=10
    )
    other.institutions.set([staff_b.institution])
    other.save()  # a ParentalManyToManyField is written on save
    draft = Exam.objects.create(title="草稿", opens_at=exam.opens_at, closes_at=exam.closes_at)
    res = api_for(staff_a).get("/api/v1/exams/")
    assert res.status_code == 200
    titles = [e["title"] for e in res.json()]
    assert exam.title in titles and other.title not in titles and draft.title not in titles
    item = next(e for e in res.json() if e["id"] == exam.pk)
    assert item["can_start"] is True and item["phase"] == "open" and item["attempts_left"] == 1
    assert api_for(staff_a).get(f"/api/v1/exams/{other.pk}/").status_code == 404
    assert api_for(staff_a).post(f"/api/v1/exams/{other.pk}/start/").status_code == 404


@time_machine.travel(T0, tick=False)
def test_start_resume_save_submit_review(exam, api_for, staff_a):
    api = api_for(staff_a)
    res = api.post(f"/api/v1/exams/{exam.pk}/start/")
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["seconds_remaining"] == 30 * 60 and len(body["questions"]) == 10
    attempt_id = body["id"]
    # Second device: same attempt, 200.
    again = api_for(staff_a).post(f"/api/v1/exams/{exam.pk}/start/")
    assert again.status_code == 200 and again.json()["id"] == attempt_id

    q1 = body["questions"][0]
    resp = [0] if q1["type"] != "fill" else ["x"]
    saved = api.post(
        f"/api/v1/attempts/{attempt_id}/answer/", {"position": 1, "response": resp, "seq": 5}, format="json"
    )
    assert saved.status_code == 200 and saved.json()["stored"] is True
    stale = api.post(f"/api/v1/attempts/{attempt_id}/answer/", {"position": 1, "response": [], "seq": 4}, format="json")
    assert stale.json()["stored"] is False and stale.json()["response"] == resp
    state = api.get(f"/api/v1/attempts/{attempt_id}/").json()
    assert state["max_seq"] == 5 and state["answers"][0]["response"] == resp

    bad = api.post(f"/api/v1/attempts/{attempt_id}/answer/", {"position": 99, "response": [0], "seq": 6}, format="json")
    assert bad.status_code == 404 and bad.json()["error"] == "no_such_question"
    bad = api.post(f"/api/v1/attempts/{attempt_id}/answer/", {"position": 1, "response": "A", "seq": 6}, format="json")
    assert bad.status_code == 400

    done = api.post(f"/api/v1/attempts/{attempt_id}/submit/")
    assert done.status_code == 200 and done.json()["state"] == "submitted"
    review = api.get(f"/api/v1/attempts/{attempt_id}/review/").json()
    assert review["review"] == {"score": True, "correctness": True, "answers": True, "explanations": True}
    assert len(review["questions"]) == 10 and "explanation" in review["questions"][0]
    late = api.post(
        f"/api/v1/attempts/{attempt_id}/answer/", {"position": 1, "response": resp, "seq": 9}, format="json"
    )
    assert late.status_code == 409 and late.json()["error"] == "attempt_closed"
    no_more = api.post(f"/api/v1/exams/{exam.pk}/start/")
    assert no_more.status_code == 409 and no_more.json()["error"] == "no_attempts_left"


def test_late_answer_refused_over_api(exam, api_for, staff_a):
    with time_machine.travel(T0, tick=False):
        attempt = svc.attempt_start(exam=exam, user=staff_a)
    with time_machine.travel(attempt.deadline + dt.timedelta(seconds=61), tick=False):
        res = api_for(staff_a).post(
            f"/api/v1/attempts/{attempt.pk}/answer/", {"position": 1, "response": [0], "seq": 1}, format="json"
        )
    assert res.status_code == 409 and res.json()["error"] == "too_late"
    assert not AttemptAnswer.objects.filter(attempt=attempt).exists()


@time_machine.travel(T0, tick=False)
def test_other_people_cannot_touch_my_attempt(exam, api_for, staff_a, staff_b, officer_a):
    attempt = svc.attempt_start(exam=exam, user=staff_a)
    for user in (staff_b, officer_a):
        api = api_for(user)
        assert api.get(f"/api/v1/attempts/{attempt.pk}/").status_code == 404
        assert api.post(f"/api/v1/attempts/{attempt.pk}/answer/", {"position": 1, "response": [0], "seq": 1},
                        format="json").status_code == 404  # fmt: skip
        assert api.post(f"/api/v1/attempts/{attempt.pk}/submit/").status_code == 404
    from rest_framework.test import APIClient

    assert APIClient().get(f"/api/v1/attempts/{attempt.pk}/").status_code in (401, 403)


REVIEW_CASES = [
    # (review_when, flags, before close -> expected, after close -> expected)
    ("immediately", (True, True, True, True), (True, True, True, True), (True, True, True, True)),
    ("immediately", (True, False, False, False), (True, False, False, False), (True, False, False, False)),
    ("immediately", (True, True, False, True), (True, True, False, True), (True, True, False, True)),
    ("after_close", (True, True, True, True), (False, False, False, False), (True, True, True, True)),
    ("never", (True, True, True, True), (False, False, False, False), (False, False, False, False)),
]


@pytest.mark.parametrize(("when", "flags", "before", "after"), REVIEW_CASES)
def test_review_policies(when, flags, before, after, api_for, client_for, staff_a):
    category, _ = make_bank()
    exam = exam_with_sections(
        category,
        opens_at=T0 - dt.timedelta(hours=1),
        closes_at=T0 + dt.timedelta(hours=2),
        review_when=when,
        review_score=flags[0],
        review_correctness=flags[1],
        review_answers=flags[2],
        review_explanations=flags[3],
    )
    with time_machine.travel(T0, tick=False):
        attempt = svc.attempt_start(exam=exam, user=staff_a)
        answer_all_correctly(attempt)
        # In progress: the review endpoint shows nothing at all.
        pre = api_for(staff_a).get(f"/api/v1/attempts/{attempt.pk}/review/").json()
        assert pre["review"] == {"score": False, "correctness": False, "answers": False, "explanations": False}
        assert pre["score"] is None and pre["questions"] == []
        svc.attempt_submit(attempt_id=attempt.pk, user=staff_a)
    for moment, expected in ((T0 + dt.timedelta(minutes=1), before), (T0 + dt.timedelta(hours=3), after)):
        with time_machine.travel(moment, tick=False):
            body = api_for(staff_a).get(f"/api/v1/attempts/{attempt.pk}/review/").json()
            html = client_for(staff_a).get(reverse("quizzes:attempt_result", args=[attempt.pk])).content.decode()
        score, correctness, answers, explanations = expected
        assert list(body["review"].values()) == list(expected)
        assert (body["score"] == "100.00") is score
        assert ("<strong>100</strong> / 100 分" in html) is score  # written without trailing zeros
        qs = body["questions"]
        assert bool(qs) is (correctness or answers or explanations)
        if qs:
            assert ("is_correct" in qs[0]) is correctness
            assert ("correct" in qs[0]) is answers
            assert ("explanation" in qs[0]) is explanations
        assert ("解析秘文" in html) is explanations
        assert ("解析秘文" in str(body)) is explanations
        assert ("填空秘答" in str(body)) is answers


@time_machine.travel(T0, tick=False)
def test_pages_flow(exam, client_for, staff_a):
    c = client_for(staff_a)
    listing = c.get(reverse("quizzes:exam_list"))
    assert listing.status_code == 200 and exam.title in listing.content.decode()
    detail = c.get(reverse("quizzes:exam_detail", args=[exam.pk]))
    assert "开始考试" in detail.content.decode()
    res = c.post(reverse("quizzes:exam_start", args=[exam.pk]))
    attempt = Attempt.objects.get(user=staff_a)
    assert res.status_code == 302 and res.url == reverse("quizzes:attempt", args=[attempt.pk])
    page = c.get(res.url).content.decode()
    assert 'id="attempt-data"' in page and "exam.js" in page
    assert c.get(reverse("quizzes:attempt_result", args=[attempt.pk])).status_code == 302  # not yet submitted
    res = c.post(reverse("quizzes:attempt_submit", args=[attempt.pk]))
    assert res.url == reverse("quizzes:attempt_result", args=[attempt.pk])
    result = c.get(res.url).content.decode()
    assert "已交卷" in result
    # the attempt page of a submitted attempt goes to the result
    assert c.get(reverse("quizzes:attempt", args=[attempt.pk])).status_code == 302


def test_pages_refuse_other_users(exam, client_for, staff_a, staff_b):
    with time_machine.travel(T0, tick=False):
        attempt = svc.attempt_start(exam=exam, user=staff_a)
        c = client_for(staff_b)
        assert c.get(reverse("quizzes:attempt", args=[attempt.pk])).status_code == 404
        assert c.get(reverse("quizzes:attempt_result", args=[attempt.pk])).status_code == 404
        assert c.post(reverse("quizzes:attempt_submit", args=[attempt.pk])).status_code == 404


def test_grade_across_attempts(db, staff_a):
    from quizzes.exams.selectors import exam_status

    category, _ = make_bank()
    exam = exam_with_sections(
        category,
        opens_at=T0 - dt.timedelta(hours=1),
        closes_at=T0 + dt.timedelta(hours=5),
        attempts_allowed=3,
        grading_method="average",
    )
    with time_machine.travel(T0, tick=False):
        first = svc.attempt_start(exam=exam, user=staff_a)
        answer_all_correctly(first)
        svc.attempt_submit(attempt_id=first.pk, user=staff_a)
        second = svc.attempt_start(exam=exam, user=staff_a)
        svc.attempt_submit(attempt_id=second.pk, user=staff_a)
        status = exam_status(exam, staff_a)
    assert status.grade == Decimal("50.00") and status.passed is False and status.attempts_left == 1


def test_openapi_schema_lists_exam_endpoints(api_for, district_admin):
    res = api_for(district_admin).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert res.status_code == 200
    text = res.content.decode()
    for path in (
        "/api/v1/exams/",
        "/api/v1/exams/{id}/start/",
        "/api/v1/attempts/{id}/",
        "/api/v1/attempts/{id}/answer/",
        "/api/v1/attempts/{id}/submit/",
        "/api/v1/attempts/{id}/review/",
        "/api/v1/attempts/{id}/tab-switch/",
    ):
        assert path in text
