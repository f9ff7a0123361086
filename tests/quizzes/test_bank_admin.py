"""Wagtail admin for the bank: listing filters and search, staff-view preview, usage, bulk move/retire, the
import page (upload -> dry run -> commit), template and export downloads; only district admins get in."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes.bank.models import Question
from tests.quizzes.bank_factories import CategoryFactory, QuestionFactory
from tests.quizzes.bank_files import template_row, template_xlsx

pytestmark = pytest.mark.django_db
LIST = "wagtailsnippets_quizzes_question:list"


def test_listing_filters_and_search(client_for, district_admin):
    fire = CategoryFactory(name="消防安全")
    gas = CategoryFactory(name="燃气安全")
    QuestionFactory(category=fire, stem="灭火器压力表", difficulty=1)
    QuestionFactory(category=gas, stem="燃气泄漏时", difficulty=4, status=Question.Status.DRAFT)
    client = client_for(district_admin)
    page = client.get(reverse(LIST)).content.decode()
    assert "灭火器压力表" in page and "燃气泄漏时" in page
    for params, shown, hidden in (
        ({"category": gas.pk}, "燃气泄漏时", "灭火器压力表"),
        ({"difficulty": 1}, "灭火器压力表", "燃气泄漏时"),
        ({"status": "draft"}, "燃气泄漏时", "灭火器压力表"),
        ({"type": "single", "q": "压力表"}, "灭火器压力表", "燃气泄漏时"),
    ):
        body = client.get(reverse(LIST), params).content.decode()
        assert shown in body and hidden not in body, params


def test_officers_and_staff_are_kept_out(client_for, officer_a, staff_a):
    question = QuestionFactory()
    for user in (officer_a, staff_a):
        client = client_for(user)
        for url in (
            reverse("quizzes_bank_import"),
            reverse("quizzes_bank_template"),
            reverse("quizzes_bank_export"),
            reverse("quizzes_bank_preview", args=[question.pk]),
            reverse("quizzes_bank_usage", args=[question.pk]),
        ):
            assert client.get(url).status_code in (302, 403), url


def test_preview_shows_the_question_without_marking_the_answer(client_for, district_admin):
    question = QuestionFactory(stem="发现火灾应拨打", options=["110", "119"], correct_options=[1])
    body = client_for(district_admin).get(reverse("quizzes_bank_preview", args=[question.pk])).content.decode()
    phone = body[body.index("data-staff-view") : body.index("bank-key")]
    assert "发现火灾应拨打" in phone and "119" in phone and "checked" not in phone and "data-answer" not in phone
    assert "data-answer>B<" in body


def test_usage_page_lists_generic_reverse_relations(client_for, district_admin):
    question = QuestionFactory()
    body = client_for(district_admin).get(reverse("quizzes_bank_usage", args=[question.pk])).content.decode()
    assert "data-usage" in body


def test_edit_form_takes_options_and_answer_as_text(client_for, district_admin):
    category = CategoryFactory(name="用电安全")
    client = client_for(district_admin)
    url = reverse("wagtailsnippets_quizzes_question:add")
    data = {
        "type": "multiple",
        "category": category.pk,
        "status": "active",
        "stem": "防止触电的做法有（ ）。",
        "options_text": "不用湿手触摸开关\n私拉乱接电线\n定期检查线路",
        "answer_text": "A、C",
        "explanation": "",
        "difficulty": 2,
        "source_law": "",
        "source_article": "",
        "source_url": "",
        "time_limit": "",
        "tags": "触电",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    question = Question.objects.get()
    assert question.options == ["不用湿手触摸开关", "私拉乱接电线", "定期检查线路"] and question.correct_options == [
        0,
        2,
    ]
    assert question.author == district_admin
    bad = client.post(url, {**data, "stem": "另一题", "answer_text": "D"})
    assert bad.status_code == 200 and "不在选项 A–C 中" in bad.content.decode()


def test_bulk_move_and_retire(client_for, district_admin):
    source, target = CategoryFactory(name="甲"), CategoryFactory(name="乙")
    questions = [QuestionFactory(category=source) for _ in range(3)]
    client = client_for(district_admin)
    ids = "&".join(f"id={q.pk}" for q in questions[:2])
    move = f"/admin/bulk/quizzes/question/move/?{ids}&next=/admin/"
    assert client.get(move).status_code == 200
    assert client.post(move, {"category": target.pk}).status_code == 302
    retire = f"/admin/bulk/quizzes/question/retire/?{ids}&next=/admin/"
    assert client.post(retire).status_code == 302
    moved = Question.objects.filter(pk__in=[q.pk for q in questions[:2]])
    assert {(q.category_id, q.status) for q in moved} == {(target.pk, "retired")}
    assert Question.objects.get(pk=questions[2].pk).status == "active"


def test_import_page_dry_run_then_commit(client_for, district_admin):
    client = client_for(district_admin)
    assert "下载导入模板" in client.get(reverse("quizzes_bank_import")).content.decode()
    data = template_xlsx([template_row(stem="一"), template_row(stem="二", options=["甲"])])
    response = client.post(reverse("quizzes_bank_import"), {"file": SimpleUploadedFile("b.xlsx", data)})
    assert response.status_code == 302
    job_url = response["Location"]
    page = client.get(job_url).content.decode()
    assert re.search(r'data-count="new">1<', page) and re.search(r'data-count="rejected">1<', page)
    assert "至少需要 2 个选项" in page and Question.objects.count() == 0
    status = client.get(job_url, {"format": "json"}).json()
    assert status["state"] == "done" and status["done"] == status["total"] == 1
    refused = client.post(job_url, {})
    assert "未写入任何数据" in refused.content.decode() and Question.objects.count() == 0
    done = client.post(job_url, {"skip_rejected": "1"})
    assert done.status_code == 200 and "data-bank-done" in done.content.decode()
    assert Question.objects.count() == 1


def test_import_page_reports_unreadable_files(client_for, district_admin):
    client = client_for(district_admin)
    response = client.post(
        reverse("quizzes_bank_import"), {"file": SimpleUploadedFile("x.xlsx", b"not a zip")}, follow=True
    )
    assert "不是有效的 Excel" in response.content.decode()
    response = client.post(reverse("quizzes_bank_import"), {"file": SimpleUploadedFile("x.pdf", b"%PDF")})
    assert "不支持的文件类型" in response.content.decode()


def test_template_and_export_downloads(client_for, district_admin):
    QuestionFactory()
    client = client_for(district_admin)
    assert client.get(reverse("quizzes_bank_template")).content[:2] == b"PK"
    for fmt in ("xlsx", "csv", "gift", "xml"):
        response = client.get(reverse("quizzes_bank_export"), {"format": fmt})
        assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")


def test_bulk_retire_of_no_valid_question_is_not_a_server_error(client_for, district_admin):
    client = client_for(district_admin)
    for query in ("", "id=999999", "id=abc"):
        url = f"/admin/bulk/quizzes/question/retire/?{query}&next=/admin/"
        assert client.get(url).status_code < 500
        assert client.post(url).status_code < 500
