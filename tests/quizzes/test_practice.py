"""Practice: sequential / random / redo by category, checked on the server; nothing about the answer (correct
options, accepted answers, explanation, law article) leaves the server before the person has answered."""

import json
import re

import pytest
from django.urls import reverse

from quizzes.practice.models import PracticeAnswer, PracticeProgress, WrongBookEntry
from quizzes.practice.selectors import practice_categories, practice_next
from quizzes.practice.services import practice_answer
from tests.quizzes.practice_factories import CategoryFactory, QuestionFactory, fill_question, multiple_question

pytestmark = pytest.mark.django_db

SECRET_EXPLANATION = "解析秘文甲乙丙"
SECRET_FILL = "填空秘答丁戊"
SECRET_ARTICLE = "第九十九条秘"


@pytest.fixture
def bank():
    root = CategoryFactory(name="消防安全")
    child = CategoryFactory(name="医疗机构消防", parent=root)
    other = CategoryFactory(name="危险化学品")
    common = {"explanation": SECRET_EXPLANATION, "source_article": SECRET_ARTICLE}
    questions = [
        QuestionFactory(category=root, **common),
        multiple_question(category=child, **common),
        fill_question(category=child, accepted_answers=[[SECRET_FILL]], **common),
        QuestionFactory(category=other, **common),
    ]
    QuestionFactory(category=root, status="draft", stem="草稿题不出现在练习中")
    return root, child, other, questions


def _leaks(text: str) -> list[str]:
    found = [s for s in (SECRET_EXPLANATION, SECRET_FILL, SECRET_ARTICLE) if s in text]
    for key in ("correct_options", "accepted_answers", "answer_letters", "explanation", "source_url"):
        if f'"{key}"' in text:
            found.append(key)
    return found


def test_categories_count_active_questions_of_the_subtree(staff_a, bank):
    root, child, other, _ = bank
    rows = {row.category.pk: row for row in practice_categories(staff_a)}
    assert rows[root.pk].total == 3 and rows[child.pk].total == 2 and rows[other.pk].total == 1
    assert rows[child.pk].depth == 1


def test_sequential_practice_resumes_where_it_stopped(staff_a, bank):
    root, _child, _other, questions = bank
    first = practice_next(user=staff_a, mode="seq", category=root)
    assert first == questions[0]
    practice_answer(user=staff_a, question_id=first.pk, response=[1], mode="seq", category_id=root.pk)
    second = practice_next(user=staff_a, mode="seq", category=root)
    assert second == questions[1]
    progress = PracticeProgress.objects.get(user=staff_a, category=root)
    assert (progress.answered, progress.correct) == (1, 1)
    practice_answer(user=staff_a, question_id=second.pk, response=[0], mode="seq", category_id=root.pk)
    practice_answer(user=staff_a, question_id=questions[2].pk, response=["x"], mode="seq", category_id=root.pk)
    assert practice_next(user=staff_a, mode="seq", category=root) is None


def test_random_practice_stays_in_the_category(staff_a, bank):
    _root, child, _other, questions = bank
    seen = {practice_next(user=staff_a, mode="random", category=child).pk for _ in range(30)}
    assert seen == {questions[1].pk, questions[2].pk}


def test_fill_in_answers_are_normalised_and_multiple_choice_must_be_complete(staff_a, bank):
    *_, questions = bank
    fill, multiple = questions[2], questions[1]
    assert practice_answer(user=staff_a, question_id=fill.pk, response=[f" {SECRET_FILL}。"]).is_correct
    assert not practice_answer(user=staff_a, question_id=multiple.pk, response=[0, 1]).is_correct
    assert practice_answer(user=staff_a, question_id=multiple.pk, response=[2, 1, 0]).is_correct


@pytest.mark.parametrize("response", [[], [9], ["x"], [0, 1]])
def test_invalid_responses_are_refused_and_not_logged(staff_a, bank, response):
    from quizzes.practice.exceptions import InvalidResponse

    with pytest.raises(InvalidResponse):
        practice_answer(user=staff_a, question_id=bank[3][0].pk, response=response)
    assert not PracticeAnswer.objects.exists()


def test_html_question_page_does_not_leak_the_answer(client_for, staff_a, bank):
    root, child, _other, questions = bank
    client = client_for(staff_a)
    for mode, category in (("seq", root), ("random", child), ("seq", child)):
        page = client.get(reverse("practice:question", args=[mode]), {"category": category.pk})
        assert page.status_code == 200
        html = page.content.decode()
        assert not _leaks(html), html
        assert 'name="option"' in html or 'name="blank"' in html


def test_html_flow_answer_then_feedback_then_next(client_for, staff_a, bank):
    root, *_rest, questions = bank
    client = client_for(staff_a)
    url = reverse("practice:question", args=["seq"])
    page = client.get(url, {"category": root.pk})
    token = re.search(r'name="token" value="([^"]+)"', page.content.decode()).group(1)
    post = client.post(
        f"{url}?category={root.pk}",
        {"question": questions[0].pk, "type": "single", "option": "0", "token": token, "category": root.pk},
    )
    assert post.status_code == 302
    feedback = client.get(post["Location"])
    html = feedback.content.decode()
    assert "回答错误" in html and SECRET_EXPLANATION in html and SECRET_ARTICLE in html
    assert 'href="/study/fire-law/#article-44"' in html
    assert WrongBookEntry.objects.filter(user=staff_a, question=questions[0]).exists()
    # the same form posted twice (back button, double tap) counts once
    client.post(
        f"{url}?category={root.pk}",
        {"question": questions[0].pk, "type": "single", "option": "0", "token": token, "category": root.pk},
    )
    assert PracticeAnswer.objects.filter(user=staff_a).count() == 1
    nxt = client.get(feedback.context["next_url"])
    assert nxt.context["question"] == questions[1]


def test_feedback_pages_are_personal(client_for, staff_a, staff_b, bank):
    feedback = practice_answer(user=staff_a, question_id=bank[3][0].pk, response=[0])
    assert client_for(staff_b).get(reverse("practice:feedback", args=[feedback.answer.pk])).status_code == 404


def test_html_error_message_for_an_empty_answer(client_for, staff_a, bank):
    root, *_rest, questions = bank
    url = reverse("practice:question", args=["seq"])
    page = client_for(staff_a).post(f"{url}?category={root.pk}", {"question": questions[0].pk, "type": "single"})
    assert page.status_code == 200
    assert "请先作答再提交" in page.content.decode()
    assert page.context["question"] == questions[0]


def test_api_next_has_no_answer_and_answer_reveals_it(api_for, staff_a, bank):
    _root, child, _other, questions = bank
    api = api_for(staff_a)
    for mode in ("seq", "random"):
        response = api.get("/api/v1/practice/next/", {"mode": mode, "category": child.pk})
        assert response.status_code == 200
        assert not _leaks(json.dumps(response.json(), ensure_ascii=False))
    fill = questions[2]
    answered = api.post(
        "/api/v1/practice/answer/", {"question": fill.pk, "response": ["不对"], "mode": "random"}, format="json"
    )
    assert answered.status_code == 200
    body = answered.json()
    assert body["is_correct"] is False and body["in_wrongbook"] is True
    assert body["accepted_answers"] == [[SECRET_FILL]] and body["explanation"] == SECRET_EXPLANATION
    wrong = api.get("/api/v1/wrongbook/").json()
    assert wrong["count"] == 1 and wrong["results"][0]["question"]["id"] == fill.pk
    assert not _leaks(json.dumps(wrong, ensure_ascii=False))
    redo = api.get("/api/v1/practice/next/", {"mode": "wrong"}).json()
    assert redo["question"]["id"] == fill.pk and not _leaks(json.dumps(redo, ensure_ascii=False))


def test_api_refusals(api_for, staff_a, bank):
    api = api_for(staff_a)
    draft = bank[0].questions.get(status="draft")
    r = api.post("/api/v1/practice/answer/", {"question": draft.pk, "response": [1]}, format="json")
    assert r.status_code == 404 and r.json()["error"] == "question_unavailable"
    r = api.post("/api/v1/practice/answer/", {"question": bank[3][0].pk, "response": []}, format="json")
    assert r.status_code == 400 and r.json()["error"] == "invalid_response"


def test_anonymous_is_sent_to_login(client, api_client_anon=None):
    assert client.get(reverse("practice:index")).status_code == 302
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/practice/").status_code in (401, 403)


def test_practice_index_lists_categories_and_wrongbook(client_for, staff_a, bank):
    practice_answer(user=staff_a, question_id=bank[3][0].pk, response=[0])
    html = client_for(staff_a).get(reverse("practice:index")).content.decode()
    assert "消防安全" in html and "医疗机构消防" in html and "重做错题" in html
