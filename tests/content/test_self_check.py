"""The self-check block shows the question but never its answer; the answer is checked by the API, and only for
questions placed on that page (the endpoint cannot read answers of the rest of the bank)."""

import uuid

import pytest

from quizzes.bank.models import Category, Question
from tests.courses.factories import make_course, make_lesson


@pytest.fixture
def questions(db):
    category = Category.objects.create(name="自测")
    single = Question.objects.create(
        category=category,
        type="single",
        stem="发现火灾应当？",
        options=["等待", "立即报警", "离开"],
        correct_options=[1],
        explanation="第四十四条：立即报警。",
        source_law="中华人民共和国消防法",
        source_article="第四十四条",
    )
    multiple = Question.objects.create(
        category=category,
        type="multiple",
        stem="从业人员义务有？",
        options=["遵章守规", "接受培训", "隐瞒隐患"],
        correct_options=[0, 1],
    )
    fill = Question.objects.create(
        category=category, type="fill", stem="火警电话是____。", accepted_answers=[["119", "幺幺九"]]
    )
    exam_only = Question.objects.create(
        category=category, type="single", stem="考试题", options=["甲", "乙"], correct_options=[0]
    )
    return single, multiple, fill, exam_only


@pytest.fixture
def lesson(questions):
    single, multiple, fill, _exam = questions
    body = [
        {"type": "self_check", "id": str(uuid.uuid4()), "value": {"question": q.pk, "intro": "自测"}}
        for q in (single, multiple, fill)
    ]
    course = make_course(lessons=0)
    return make_lesson(course, title="自测课", slug="check", body=body)


def test_page_html_has_no_answer(client_for, staff_a, lesson, questions):
    single, multiple, fill, _ = questions
    html = client_for(staff_a).get(lesson.url).content.decode()
    assert single.stem in html and "立即报警" in html  # the option is shown...
    assert "第四十四条：立即报警" not in html  # ...but not the explanation
    assert "correct" not in html.lower().replace("self-check", "")
    assert "幺幺九" not in html and "119" not in html.replace(str(lesson.pk), "")
    assert f'data-question="{single.pk}"' in html


def test_api_representation_has_no_answer(api_for, staff_a, lesson):
    data = api_for(staff_a).get(f"/api/v1/lessons/{lesson.pk}/").json()
    text = str(data["body"])
    assert "correct" not in text and "explanation" not in text and "幺幺九" not in text
    assert data["body"][2]["value"]["question"]["blanks"] == 1


@pytest.mark.parametrize(
    ("index", "answer", "correct"),
    [
        (0, ["1"], True),
        (0, ["0"], False),
        (1, ["0", "1"], True),
        (1, ["0"], False),
        (2, ["１１９"], True),
        (2, ["幺幺九"], True),
        (2, ["120"], False),
    ],
)
def test_answers_are_checked(api_for, staff_a, lesson, questions, index, answer, correct):
    question = questions[index]
    response = api_for(staff_a).post(
        "/api/v1/self-check/", {"page": lesson.pk, "question": question.pk, "answer": answer}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["correct"] is correct


def test_feedback_carries_explanation_and_source(api_for, staff_a, lesson, questions):
    data = (
        api_for(staff_a)
        .post("/api/v1/self-check/", {"page": lesson.pk, "question": questions[0].pk, "answer": ["0"]}, format="json")
        .json()
    )
    assert data["correct_options"] == [1] and "立即报警" in data["explanation"] and "第四十四条" in data["source"]


def test_questions_not_on_the_page_cannot_be_checked(api_for, staff_a, lesson, questions):
    exam_only = questions[3]
    response = api_for(staff_a).post(
        "/api/v1/self-check/", {"page": lesson.pk, "question": exam_only.pk, "answer": ["0"]}, format="json"
    )
    assert response.status_code == 400 and "correct" not in response.json()


def test_unpublished_page_cannot_be_used(api_for, staff_a, lesson, questions):
    lesson.unpublish()
    response = api_for(staff_a).post(
        "/api/v1/self-check/", {"page": lesson.pk, "question": questions[0].pk, "answer": ["1"]}, format="json"
    )
    assert response.status_code == 404
