"""Mock exams (模拟考试) on an exam's rules through the exam core (attempt_start(mock=True)); they never count.
Practice is paused while a counting attempt is open, since exams draw from the same bank."""

import pytest
from django.urls import reverse

from quizzes.exams.models import Attempt
from quizzes.exams.services import attempt_start, attempt_submit
from quizzes.practice.exceptions import PracticePaused
from quizzes.practice.services import mock_start, practice_answer
from quizzes.results.selectors import candidate_grade
from tests.quizzes.exam_factories import exam_with_sections, make_bank

pytestmark = pytest.mark.django_db


@pytest.fixture
def exam():
    category, _ = make_bank(singles=3, multiples=1, truefalse=1, fills=1)
    return exam_with_sections(category, count=4, attempts_allowed=1)


def test_mock_uses_the_exam_rules_and_does_not_count(exam, staff_a):
    attempt = mock_start(user=staff_a, exam_id=exam.pk)
    assert attempt.is_mock and attempt.paper.count() == 4
    assert mock_start(user=staff_a, exam_id=exam.pk).pk == attempt.pk, "resumes the open mock"
    attempt_submit(attempt_id=attempt.pk, user=staff_a)
    assert candidate_grade(exam, staff_a) is None
    # the real attempt is still available (one attempt allowed, the mock used none)
    real = attempt_start(exam=exam, user=staff_a)
    assert not real.is_mock


def test_mock_refused_while_a_real_attempt_is_open(exam, staff_a):
    attempt_start(exam=exam, user=staff_a)
    with pytest.raises(PracticePaused):
        mock_start(user=staff_a, exam_id=exam.pk)


def test_practice_paused_while_a_real_attempt_is_open(exam, staff_a):
    question = exam.sections.first().category.questions.first()
    real = attempt_start(exam=exam, user=staff_a)
    with pytest.raises(PracticePaused):
        practice_answer(user=staff_a, question_id=question.pk, response=[1])
    attempt_submit(attempt_id=real.pk, user=staff_a)
    assert practice_answer(user=staff_a, question_id=question.pk, response=[1]) is not None


def test_mock_only_for_the_audience(exam, staff_b, inst_a):
    exam.institutions.set([inst_a])
    exam.save()
    from quizzes.practice.exceptions import QuestionUnavailable

    with pytest.raises(QuestionUnavailable):
        mock_start(user=staff_b, exam_id=exam.pk)
    assert not Attempt.objects.exists()


def test_mock_from_the_practice_page_and_api(exam, staff_a, client_for, api_for):
    client = client_for(staff_a)
    assert "开始模拟" in client.get(reverse("practice:index")).content.decode()
    response = client.post(reverse("practice:mock_start", args=[exam.pk]))
    assert response.status_code == 302
    attempt = Attempt.objects.get(user=staff_a, is_mock=True)
    assert response["Location"] == reverse("quizzes:attempt", args=[attempt.pk])
    assert client.get(response["Location"]).status_code == 200, "the exam core's attempt page serves the mock"
    body = api_for(staff_a).post("/api/v1/practice/mock/", {"exam": exam.pk}, format="json").json()
    assert body["attempt"] == attempt.pk


@pytest.mark.parametrize("body", [[1], "1", 1, None, {"exam": "x"}, {}])
def test_mock_api_refuses_a_body_that_names_no_exam(exam, staff_a, api_for, body):
    response = api_for(staff_a).post("/api/v1/practice/mock/", body, format="json")
    assert response.status_code == 400 and response.json()["error"] in ("invalid", "parse_error")
    assert not Attempt.objects.exists()


def test_practice_page_says_it_is_paused_during_an_exam(exam, staff_a, client_for):
    attempt_start(exam=exam, user=staff_a)
    category = exam.sections.first().category
    page = client_for(staff_a).get(reverse("practice:question", args=["random"]), {"category": category.pk})
    assert "交卷后才能继续练习" in page.content.decode()
