"""Issue 14, rule 5: updates never blank data. A column the file lacks leaves its field unchanged; an empty cell in
a column it has leaves it unchanged too, unless the admin ticks 「空单元格表示清空该字段」 (API: clear_empty); the
preview lists every changed field as old -> new, and the commit writes exactly that."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes.bank.importers import build_plan, parse_upload
from quizzes.bank.importers.template import TEMPLATE_HEADER
from quizzes.bank.models import Question
from quizzes.bank.services import bank_import, bank_import_parsed
from tests.quizzes.bank_factories import CategoryFactory, QuestionFactory
from tests.quizzes.bank_files import csv_text, template_row, template_xlsx, xlsx

pytestmark = pytest.mark.django_db

STEM = "发现火灾应当立即拨打哪个电话？"
OPTIONS = ["110", "119", "120", "122"]


@pytest.fixture
def stored():
    """A question with every optional field filled in, as an earlier import left it."""
    question = QuestionFactory(
        stem=STEM,
        options=OPTIONS,
        correct_options=[1],
        explanation="《消防法》第四十四条：任何人发现火灾都应当立即报警。",
        source_law="中华人民共和国消防法",
        source_article="第四十四条",
        difficulty=2,
        time_limit=30,
        category=CategoryFactory(name="消防安全"),
    )
    question.tags.add("报警", "火灾")
    question.save()
    return question


def snapshot(question):
    question.refresh_from_db()
    return {
        "correct_options": question.correct_options,
        "explanation": question.explanation,
        "source": (question.source_law, question.source_article),
        "difficulty": question.difficulty,
        "time_limit": question.time_limit,
        "category": question.category.path,
        "tags": sorted(t.name for t in question.tags.all()),
    }


def test_a_sheet_without_the_optional_columns_changes_nothing(stored, district_admin):
    before = snapshot(stored)
    for header, row in (
        (["题型", "题干", "选项", "答案"], ["单选题", STEM, "A.110 B.119 C.120 D.122", "B"]),
        (["题目内容", "题目选项", "题目答案"], [STEM, "A、110\nB、119\nC、120\nD、122", "B"]),
        (["题干", "A", "B", "C", "D", "答案"], [STEM, *OPTIONS, "B"]),
    ):
        plan = build_plan(data=xlsx([header, row]), filename="retyped.xlsx")
        assert plan.counts()["unchanged"] == 1 and plan.counts()["updated"] == 0, header
        bank_import(data=xlsx([header, row]), filename="retyped.xlsx", actor=district_admin)
        assert snapshot(stored) == before, header


def test_the_template_with_columns_deleted_is_not_the_template_and_keeps_the_rest(stored, district_admin):
    """The template's layout label is only given to its own header; a file is read by the columns it has."""
    before = snapshot(stored)
    keep = [i for i, name in enumerate(TEMPLATE_HEADER) if name not in ("解析", "出处", "标签", "限时（秒）")]
    full = template_row("单选题", STEM, OPTIONS, "B", "不会写入", "消防安全", 2, "《某法》第一条", "不会写入", 99)
    data = xlsx([[TEMPLATE_HEADER[i] for i in keep], [full[i] for i in keep]])
    result = parse_upload(data=data, filename="t.xlsx")
    assert result.layout == "chinese"
    assert result.questions[0].provided == frozenset({"type", "stem", "options", "answer", "category", "difficulty"})
    assert parse_upload(data=template_xlsx([full]), filename="t.xlsx").layout == "template"
    bank_import(data=data, filename="t.xlsx", actor=district_admin)
    assert snapshot(stored) == before


def test_empty_cells_keep_the_stored_values_by_default(stored, district_admin):
    before = snapshot(stored)
    row = template_row("单选题", STEM, OPTIONS, "B", "", "", "", "", "", "")
    plan = build_plan(data=template_xlsx([row]), filename="blank.xlsx")
    assert plan.counts()["unchanged"] == 1 and plan.report()["clear_empty"] is False
    bank_import(data=template_xlsx([row]), filename="blank.xlsx", actor=district_admin)
    assert snapshot(stored) == before


def test_empty_cells_clear_when_asked_and_the_preview_says_old_to_new(stored, district_admin):
    row = template_row("单选题", STEM, OPTIONS, "B", "", "", "", "", "", "")
    parsed = parse_upload(data=template_xlsx([row]), filename="blank.xlsx", clear_empty=True)
    plan = build_plan(data=template_xlsx([row]), filename="blank.xlsx", clear_empty=True)
    report = plan.report()
    assert report["clear_empty"] is True and report["counts"]["updated"] == 1
    [update] = report["updates"]
    assert update["question"] == stored.pk and update["row"] == 2 and update["stem"] == STEM
    assert {(f["field"], f["old"], f["new"]) for f in update["fields"]} == {
        ("explanation", "《消防法》第四十四条：任何人发现火灾都应当立即报警。", ""),
        ("difficulty", "2", "3"),
        ("source_law", "中华人民共和国消防法", ""),
        ("source_article", "第四十四条", ""),
        ("time_limit", "30", ""),
        ("tags", "报警、火灾", ""),
    }
    # An empty category cell never clears (a question always has one); the answer is never empty.
    bank_import_parsed(parsed=parsed, actor=district_admin)
    assert snapshot(stored) == {
        "correct_options": [1],
        "explanation": "",
        "source": ("", ""),
        "difficulty": 3,
        "time_limit": None,
        "category": "消防安全",
        "tags": [],
    }


def test_every_changed_field_is_listed_old_to_new_and_written_as_listed(stored, district_admin):
    row = template_row(
        "单选题",
        STEM,
        OPTIONS,
        "C",
        "新的解析",
        "消防安全 > 医院消防",
        4,
        "《中华人民共和国消防法》第五条",
        "报警 演练",
        60,
    )
    plan = build_plan(data=template_xlsx([row]), filename="changed.xlsx")
    [update] = plan.report()["updates"]
    fields = {f["field"]: (f["label"], f["old"], f["new"]) for f in update["fields"]}
    assert fields == {
        "correct_options": ("答案", "B", "C"),
        "explanation": ("解析", "《消防法》第四十四条：任何人发现火灾都应当立即报警。", "新的解析"),
        "difficulty": ("难度", "2", "4"),
        "source_article": ("出处（条款）", "第四十四条", "第五条"),
        "time_limit": ("限时", "30", "60"),
        "category": ("分类", "消防安全", "消防安全 > 医院消防"),
        "tags": ("标签", "报警、火灾", "报警、演练"),
    }
    assert update["changes"] == ["答案", "解析", "难度", "出处（条款）", "限时", "分类", "标签"]
    bank_import(data=template_xlsx([row]), filename="changed.xlsx", actor=district_admin)
    assert snapshot(stored) == {
        "correct_options": [2],
        "explanation": "新的解析",
        "source": ("中华人民共和国消防法", "第五条"),
        "difficulty": 4,
        "time_limit": 60,
        "category": "消防安全 > 医院消防",
        "tags": ["报警", "演练"],
    }


def test_true_false_and_fill_answers_are_shown_as_written(district_admin):
    tf = QuestionFactory(
        type=Question.Type.TRUE_FALSE, stem="电梯可以用于火灾逃生。", options=["正确", "错误"], correct_options=[0]
    )
    fill = QuestionFactory(
        type=Question.Type.FILL, stem="火警电话是（ ）。", options=[], correct_options=[], accepted_answers=[["119"]]
    )
    rows = [["题型", "题干", "答案"], ["判断题", tf.stem, "错"], ["填空题", fill.stem, "119|一一九"]]
    report = build_plan(data=xlsx(rows), filename="b.xlsx").report()
    shown = {u["question"]: [(f["label"], f["old"], f["new"]) for f in u["fields"]] for u in report["updates"]}
    assert shown[tf.pk] == [("答案", "正确", "错误")]
    assert shown[fill.pk] == [("答案", "119", "119|一一九")]


def test_a_csv_with_an_empty_explanation_column_keeps_explanations(stored, district_admin):
    rows = [["题干", "选项", "答案", "解析", "难度"], [STEM, "A.110 B.119 C.120 D.122", "B", "", ""]]
    data = csv_text(rows).encode("utf-8")
    assert build_plan(data=data, filename="b.csv").counts()["unchanged"] == 1
    assert build_plan(data=data, filename="b.csv", clear_empty=True).counts()["updated"] == 1


def test_a_format_without_those_fields_keeps_them(stored, district_admin):
    aiken = f"{STEM}\nA. 110\nB. 119\nC. 120\nD. 122\nANSWER: B\n"
    for clear_empty in (False, True):  # Aiken has no explanation column at all: nothing to clear
        assert build_plan(data=aiken.encode(), filename="a.txt", clear_empty=clear_empty).counts()["unchanged"] == 1


# --- the admin page and the API --------------------------------------------------------------------------------------


def test_admin_preview_shows_old_and_new_values(stored, client_for, district_admin):
    row = template_row(
        "单选题", STEM, OPTIONS, "B", "新的解析", "消防安全", 2, "《中华人民共和国消防法》第四十四条", "报警 火灾", 30
    )
    client = client_for(district_admin)
    job_url = client.post(reverse("quizzes_bank_import"), {"file": SimpleUploadedFile("b.xlsx", template_xlsx([row]))})[
        "Location"
    ]
    page = client.get(job_url).content.decode()
    assert re.search(r'data-count="updated">1<', page) and "data-updates" in page
    line = re.search(r'<tr data-update-row="2" data-field="explanation">.*?</tr>', page, re.S).group()
    assert "解析" in line and "任何人发现火灾都应当立即报警" in line and "新的解析" in line
    client.post(job_url, {})
    assert snapshot(stored)["explanation"] == "新的解析"


def test_admin_clear_empty_checkbox(stored, client_for, district_admin):
    row = template_row("单选题", STEM, OPTIONS, "B", "", "", "", "", "", "")
    client = client_for(district_admin)
    kept = client.post(reverse("quizzes_bank_import"), {"file": SimpleUploadedFile("b.xlsx", template_xlsx([row]))})
    page = client.get(kept["Location"]).content.decode()
    assert re.search(r'data-count="unchanged">1<', page) and "data-clear-empty" not in page
    cleared = client.post(
        reverse("quizzes_bank_import"),
        {"file": SimpleUploadedFile("b.xlsx", template_xlsx([row])), "clear_empty": "on"},
    )
    page = client.get(cleared["Location"]).content.decode()
    assert re.search(r'data-count="updated">1<', page) and "data-clear-empty" in page and "（清空）" in page
    client.post(cleared["Location"], {})
    assert snapshot(stored)["explanation"] == "" and snapshot(stored)["tags"] == []


def test_api_clear_empty_flag(stored, api_for, district_admin):
    row = template_row("单选题", STEM, OPTIONS, "B", "", "", "", "", "", "")
    api = api_for(district_admin)

    def post(**extra):
        upload = SimpleUploadedFile("b.xlsx", template_xlsx([row]))
        return api.post("/api/v1/bank/import/", {"file": upload, **extra}, format="multipart")

    assert post().json()["counts"]["unchanged"] == 1
    dry = post(clear_empty=True).json()
    assert dry["counts"]["updated"] == 1 and dry["clear_empty"] is True
    assert {"field": "explanation", "label": "解析", "old": stored.explanation, "new": ""} in dry["updates"][0][
        "fields"
    ]
    assert post(commit=True).status_code == 201 and snapshot(stored)["explanation"] == stored.explanation
    assert post(commit=True, clear_empty=True).status_code == 201 and snapshot(stored)["explanation"] == ""
