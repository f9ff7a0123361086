"""No correct answer, explanation or per-option correctness leaves the server before submission: every payload a
candidate can fetch while the attempt is open (HTML pages and API responses) is scanned. The exams app sends
nothing over WebSocket."""

import datetime as dt
import json
import re

import pytest
import time_machine
from django.urls import reverse

from quizzes.bank.models import Question
from quizzes.exams import services as svc
from quizzes.exams.models import Attempt, Exam, ExamSection
from tests.quizzes.exam_factories import (
    EXPLANATION_MARK,
    FILL_MARK,
    BankQuestionFactory,
    ExamCategoryFactory,
    exam_with_sections,
    make_bank,
)

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC)
# Keys that carry answers; "score": null / false (the review flags before submission) carry nothing.
FORBIDDEN_KEYS = re.compile(
    r'"(correct|is_correct|accepted_answers|explanation|source|source_url|score)"\s*:\s*(?!null|false)'
)


def assert_clean(label, text):
    assert EXPLANATION_MARK not in text, f"explanation leaked in {label}"
    assert FILL_MARK not in text, f"fill-in answer leaked in {label}"
    assert "《消防法》第四十四条" not in text, f"explanation/source leaked in {label}"
    match = FORBIDDEN_KEYS.search(text)
    assert match is None, f"{match and match.group(0)} in {label}"


def pre_submit_payloads(exam, user, client, api):
    """Every page and API response the candidate can get while their attempt is open."""
    out = {}
    out["home"] = client.get("/").content.decode()
    out["exam_list"] = client.get(reverse("quizzes:exam_list")).content.decode()
    out["exam_detail"] = client.get(reverse("quizzes:exam_detail", args=[exam.pk])).content.decode()
    out["api_exams"] = api.get("/api/v1/exams/").content.decode()
    out["api_exam"] = api.get(f"/api/v1/exams/{exam.pk}/").content.decode()
    start = api.post(f"/api/v1/exams/{exam.pk}/start/")
    out["api_start"] = start.content.decode()
    attempt_id = start.json()["id"]
    out["api_resume"] = api.post(f"/api/v1/exams/{exam.pk}/start/").content.decode()
    out["page_start"] = client.post(reverse("quizzes:exam_start", args=[exam.pk]), follow=True).content.decode()
    out["page_attempt"] = client.get(reverse("quizzes:attempt", args=[attempt_id])).content.decode()
    out["api_attempt"] = api.get(f"/api/v1/attempts/{attempt_id}/").content.decode()
    attempt = Attempt.objects.get(pk=attempt_id)
    for aq in attempt.paper.all():
        resp = ["猜一个"] if aq.qtype == "fill" else [0]
        res = api.post(
            f"/api/v1/attempts/{attempt_id}/answer/", {"position": aq.position, "response": resp, "seq": aq.position},
            format="json",
        )  # fmt: skip
        out[f"api_answer_{aq.position}"] = res.content.decode()
    out["api_tab_switch"] = api.post(f"/api/v1/attempts/{attempt_id}/tab-switch/").content.decode()
    out["api_review_early"] = api.get(f"/api/v1/attempts/{attempt_id}/review/").content.decode()
    out["page_result_early"] = client.get(
        reverse("quizzes:attempt_result", args=[attempt_id]), follow=True
    ).content.decode()
    return attempt_id, out


@time_machine.travel(T0, tick=False)
def test_no_answer_in_any_pre_submit_payload(staff_a, client_for, api_for):
    category, _ = make_bank()
    exam = exam_with_sections(category, opens_at=T0 - dt.timedelta(hours=1), closes_at=T0 + dt.timedelta(hours=5))
    attempt_id, payloads = pre_submit_payloads(exam, staff_a, client_for(staff_a), api_for(staff_a))
    assert len(payloads) > 15
    for label, text in payloads.items():
        assert_clean(label, text)
    # ...while the answers really are on the server (the scan would have found them had they been sent).
    attempt = Attempt.objects.get(pk=attempt_id)
    assert attempt.state == Attempt.State.IN_PROGRESS
    assert any(EXPLANATION_MARK in json.dumps(aq.snapshot, ensure_ascii=False) for aq in attempt.paper.all())
    assert any(FILL_MARK in json.dumps(aq.snapshot, ensure_ascii=False) for aq in attempt.paper.all())


def _paper_text(user, correct, client_for, api_for):
    category = ExamCategoryFactory(name=f"对照{correct}")
    BankQuestionFactory(category=category, stem="对照题", explanation="", correct_options=[correct], source_law="")
    exam = exam_with_sections(
        category,
        title="对照考试",
        opens_at=T0 - dt.timedelta(hours=1),
        closes_at=T0 + dt.timedelta(hours=5),
        shuffle_options=False,
    )
    api = api_for(user)
    start = api.post(f"/api/v1/exams/{exam.pk}/start/").json()
    page = client_for(user).get(reverse("quizzes:attempt", args=[start["id"]])).content.decode()
    return normalise(start), normalise_page(page, user)


def normalise(payload: dict) -> str:
    payload = {**payload, "id": 0, "exam": {**payload["exam"], "id": 0}, "started_at": "", "deadline": ""}
    return json.dumps(payload, ensure_ascii=False, sort_keys=True)


def normalise_page(page: str, user) -> str:
    data = re.search(r'<script id="attempt-data" type="application/json">(.*?)</script>', page, re.S).group(1)
    payload = json.loads(data)
    payload.pop("urls")
    page = page.replace(data, normalise(payload))
    page = re.sub(r'csrfmiddlewaretoken" value="[^"]+"', "", page)
    page = re.sub(r"/(exams|attempts)/(attempt/)?\d+/", "/ID/", page)
    page = re.sub(r'data-outbox-user="\d+"', "", page)  # the outbox keys drafts by the signed-in account
    return page.replace(user.real_name, "NAME")


@time_machine.travel(T0, tick=False)
def test_payload_does_not_depend_on_which_option_is_correct(client_for, api_for, staff_a, staff_b):
    """Two papers that differ only in which option is correct look identical to the candidate."""
    api_a, page_a = _paper_text(staff_a, 0, client_for, api_for)
    api_b, page_b = _paper_text(staff_b, 2, client_for, api_for)
    assert api_a == api_b
    assert page_a == page_b


def test_after_submission_policy_never_still_hides_everything(staff_a, api_for, client_for):
    category, _ = make_bank()
    exam = exam_with_sections(
        category,
        opens_at=T0 - dt.timedelta(hours=1),
        closes_at=T0 + dt.timedelta(hours=5),
        review_when=Exam.ReviewWhen.NEVER,
    )
    with time_machine.travel(T0, tick=False):
        attempt = svc.attempt_start(exam=exam, user=staff_a)
        svc.attempt_submit(attempt_id=attempt.pk, user=staff_a)
        texts = {
            "submit": api_for(staff_a).post(f"/api/v1/attempts/{attempt.pk}/submit/").content.decode(),
            "review": api_for(staff_a).get(f"/api/v1/attempts/{attempt.pk}/review/").content.decode(),
            "result": client_for(staff_a).get(reverse("quizzes:attempt_result", args=[attempt.pk])).content.decode(),
            "list": client_for(staff_a).get(reverse("quizzes:exam_list")).content.decode(),
        }
    for label, text in texts.items():
        assert EXPLANATION_MARK not in text and FILL_MARK not in text, label
        assert '"score": "' not in text and '"score":"' not in text, label


def test_fixed_list_section_and_type_filter(staff_a):
    category = ExamCategoryFactory()
    q1 = BankQuestionFactory(category=category)
    q2 = BankQuestionFactory(category=category, type=Question.Type.TRUE_FALSE, correct_options=[1])
    exam = exam_with_sections(category, opens_at=T0 - dt.timedelta(hours=1), closes_at=T0 + dt.timedelta(hours=5))
    exam.sections.all().delete()
    ExamSection.objects.create(exam=exam, fixed_question_ids=f"{q2.pk}，{q1.pk}", points=5, sort_order=0)
    with time_machine.travel(T0, tick=False):
        attempt = svc.attempt_start(exam=exam, user=staff_a)
    assert sorted(attempt.paper.values_list("question_id", flat=True)) == sorted([q1.pk, q2.pk])
    assert attempt.max_score == 10
