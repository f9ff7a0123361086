"""Bank API: admins manage, import (dry run, commit) and export; nobody else gets in, so no endpoint available
to staff ever returns which option is correct."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from quizzes.bank.models import Question
from tests.quizzes.bank_factories import CategoryFactory, QuestionFactory
from tests.quizzes.bank_files import template_row, template_xlsx, zip_bomb

pytestmark = pytest.mark.django_db

BANK_URLS = [
    "/api/v1/bank/questions/",
    "/api/v1/bank/categories/",
    "/api/v1/bank/export/",
    "/api/v1/bank/export/template/",
]


@pytest.mark.parametrize("url", BANK_URLS)
def test_staff_and_officers_are_refused_everywhere(api_for, staff_a, officer_a, url):
    QuestionFactory()
    for user in (staff_a, officer_a):
        response = api_for(user).get(url)
        assert response.status_code == 403
        assert b"correct_options" not in response.content


def test_staff_cannot_import_or_read_a_question(api_for, staff_a):
    question = QuestionFactory()
    api = api_for(staff_a)
    assert api.get(f"/api/v1/bank/questions/{question.pk}/").status_code == 403
    upload = SimpleUploadedFile("b.xlsx", template_xlsx([template_row(stem="x")]))
    assert api.post("/api/v1/bank/import/", {"file": upload}, format="multipart").status_code == 403


def test_anonymous_is_refused(client):
    assert client.get("/api/v1/bank/questions/").status_code in (401, 403)


def test_admin_lists_with_filters_and_search(api_for, district_admin):
    fire = CategoryFactory(name="消防安全")
    hospital = CategoryFactory(name="医院消防", parent=fire)
    gas = CategoryFactory(name="燃气安全")
    a = QuestionFactory(category=hospital, stem="灭火器怎么用", difficulty=2)
    a.tags.add("灭火器")
    a.save()
    QuestionFactory(category=gas, stem="燃气泄漏怎么办", type=Question.Type.TRUE_FALSE, correct_options=[0])
    QuestionFactory(category=fire, stem="停用的题", status=Question.Status.RETIRED)
    api = api_for(district_admin)

    def stems(**params):
        body = api.get("/api/v1/bank/questions/", params).json()
        rows = body["results"] if isinstance(body, dict) else body
        return sorted(r["stem"] for r in rows)

    assert stems(category=fire.pk) == ["停用的题", "灭火器怎么用"]
    assert stems(type="truefalse") == ["燃气泄漏怎么办"]
    assert stems(difficulty=2) == ["灭火器怎么用"]
    assert stems(status="retired") == ["停用的题"]
    assert stems(tag="灭火器") == ["灭火器怎么用"]
    assert stems(search="燃气") == ["燃气泄漏怎么办"]
    detail = api.get(f"/api/v1/bank/questions/{a.pk}/").json()
    assert detail["correct_options"] == [1] and detail["answer"] == "B" and detail["tags"] == ["灭火器"]


def test_admin_creates_validates_and_retires(api_for, district_admin):
    category = CategoryFactory(name="用电安全")
    api = api_for(district_admin)
    bad = api.post(
        "/api/v1/bank/questions/",
        {"type": "single", "category": category.pk, "stem": "题", "options": ["甲"], "correct_options": [0]},
        format="json",
    )
    assert bad.status_code == 400 and "options" in bad.json()["fields"]
    too_long = api.post(
        "/api/v1/bank/questions/",
        {
            "type": "single",
            "category": category.pk,
            "stem": "题",
            "options": ["甲", "乙" * 501],
            "correct_options": [0],
        },
        format="json",
    )
    assert too_long.status_code == 400 and too_long.json()["fields"]["options"] == ["每个选项不能超过 500 个字符。"]
    ok = api.post(
        "/api/v1/bank/questions/",
        {
            "type": "truefalse",
            "category": category.pk,
            "stem": "湿手不能触摸开关。",
            "correct_options": [0],
            "tags": ["触电"],
        },
        format="json",
    )
    assert ok.status_code == 201, ok.json()
    question = Question.objects.get(pk=ok.json()["id"])
    assert question.options == ["正确", "错误"] and question.author == district_admin
    assert [t.name for t in question.tags.all()] == ["触电"]
    assert api.delete(f"/api/v1/bank/questions/{question.pk}/").status_code == 204
    question.refresh_from_db()
    assert question.status == Question.Status.RETIRED


def test_bulk_move_and_retire(api_for, district_admin):
    source, target = CategoryFactory(name="甲"), CategoryFactory(name="乙")
    questions = [QuestionFactory(category=source) for _ in range(3)]
    api = api_for(district_admin)
    ids = [q.pk for q in questions[:2]]
    assert api.post("/api/v1/bank/questions/move/", {"ids": ids, "category": target.pk}, format="json").json() == {
        "changed": 2
    }
    assert api.post("/api/v1/bank/questions/retire/", {"ids": ids}, format="json").json() == {"changed": 2}
    assert set(Question.objects.filter(category=target, status="retired").values_list("pk", flat=True)) == set(ids)
    assert api.post("/api/v1/bank/questions/retire/", {"ids": []}, format="json").status_code == 400


def test_a_duplicate_category_name_is_a_400_not_a_server_error(api_for, district_admin):
    api = api_for(district_admin)
    root = api.post("/api/v1/bank/categories/", {"name": "消防安全"}, format="json")
    assert root.status_code == 201
    again = api.post("/api/v1/bank/categories/", {"name": "消防安全"}, format="json")
    assert again.status_code == 400 and "name" in again.json()["fields"]
    child = api.post("/api/v1/bank/categories/", {"name": "消防安全", "parent": root.json()["id"]}, format="json")
    assert child.status_code == 201  # the same name under another parent is another category
    other = CategoryFactory(name="用电安全")
    renamed = api.patch(f"/api/v1/bank/categories/{other.pk}/", {"name": "消防安全"}, format="json")
    assert renamed.status_code == 400 and "name" in renamed.json()["fields"]
    assert api.patch(f"/api/v1/bank/categories/{other.pk}/", {"sort_order": 3}, format="json").status_code == 200


@pytest.mark.parametrize("fmt", ["json", "multipart"])
def test_null_answers_are_a_400(api_for, district_admin, fmt):
    """A JSON null, or a form's "null" (parsed after DRF's null check), never reaches the NOT NULL columns."""
    question = QuestionFactory()
    api = api_for(district_admin)
    for name in ("accepted_answers", "options", "correct_options"):
        value = None if fmt == "json" else "null"
        response = api.patch(f"/api/v1/bank/questions/{question.pk}/", {name: value}, format=fmt)
        assert response.status_code == 400 and name in response.json()["fields"], response.content


@pytest.mark.parametrize(
    "url,body",
    [
        ("move", [1, 2]),
        ("move", {"ids": ["x"], "category": 1}),
        ("move", {"ids": [1], "category": "abc"}),
        ("move", {"ids": [1], "category": [1]}),
        ("retire", "ids"),
        ("retire", {"ids": 7}),
        ("retire", {"ids": [{"id": 1}]}),
    ],
)
def test_bulk_actions_refuse_a_malformed_body(api_for, district_admin, url, body):
    question = QuestionFactory()
    response = api_for(district_admin).post(f"/api/v1/bank/questions/{url}/", body, format="json")
    assert response.status_code == 400
    question.refresh_from_db()
    assert question.status != Question.Status.RETIRED


def test_usage_endpoint(api_for, district_admin):
    question = QuestionFactory()
    body = api_for(district_admin).get(f"/api/v1/bank/questions/{question.pk}/usage/").json()
    assert body == [] or all({"model", "via", "owner", "count"} <= set(u) for u in body)


def test_import_dry_run_then_commit(api_for, district_admin):
    api = api_for(district_admin)
    data = template_xlsx([template_row(stem="一"), template_row(stem="二", answer="Z")])
    dry = api.post("/api/v1/bank/import/", {"file": SimpleUploadedFile("b.xlsx", data)}, format="multipart")
    assert dry.status_code == 200
    body = dry.json()
    assert body["committed"] is False and body["counts"]["new"] == 1 and body["counts"]["rejected"] == 1
    assert body["rejected"] == [{"file": "b.xlsx", "row": 3, "column": "答案", "reason": "答案“Z”不在选项 A–D 中。"}]
    assert Question.objects.count() == 0
    refused = api.post(
        "/api/v1/bank/import/", {"file": SimpleUploadedFile("b.xlsx", data), "commit": True}, format="multipart"
    )
    assert refused.status_code == 400 and refused.json()["error"] == "rows_rejected"
    assert refused.json()["report"]["committed"] is False and Question.objects.count() == 0
    done = api.post(
        "/api/v1/bank/import/",
        {
            "file": SimpleUploadedFile("b.xlsx", data),
            "commit": True,
            "skip_rejected": True,
            "default_category": "燃气安全",
        },
        format="multipart",
    )
    assert done.status_code == 201 and done.json()["written"]["created"] == 1
    assert Question.objects.get().category.name == "消防安全"


def test_import_unreadable_file(api_for, district_admin):
    response = api_for(district_admin).post(
        "/api/v1/bank/import/", {"file": SimpleUploadedFile("bomb.xlsx", zip_bomb())}, format="multipart"
    )
    assert response.status_code == 400 and "压缩炸弹" in response.json()["detail"]


@pytest.mark.parametrize(
    ("fmt", "marker"), [("xlsx", b"PK"), ("csv", "题型".encode()), ("gift", b"$CATEGORY"), ("xml", b"<quiz>")]
)
def test_export_formats(api_for, district_admin, fmt, marker):
    QuestionFactory(stem="=HYPERLINK(1)")
    response = api_for(district_admin).get("/api/v1/bank/export/", {"file_format": fmt})
    assert response.status_code == 200
    assert marker in response.content
    if fmt == "xlsx":
        from openpyxl import load_workbook

        assert load_workbook(io.BytesIO(response.content)).active["B2"].value == "'=HYPERLINK(1)"


def test_schema_documents_bank_endpoints(client):
    schema = client.get("/api/schema/").content.decode()
    for path in ("/api/v1/bank/questions/", "/api/v1/bank/import/", "/api/v1/bank/export/"):
        assert path in schema
