"""Import plans against the bank, atomic commits, and round trips: template -> import -> export -> import
changes nothing, in every export format."""

import pytest

from quizzes.bank.exceptions import ImportRejected
from quizzes.bank.export import export_bank
from quizzes.bank.importers import build_plan
from quizzes.bank.importers.template import template_bytes
from quizzes.bank.models import Category, Question
from quizzes.bank.services import bank_import
from tests.quizzes.bank_factories import CategoryFactory, QuestionFactory
from tests.quizzes.bank_files import template_row, template_xlsx

pytestmark = pytest.mark.django_db


def snapshot():
    rows = []
    for q in Question.objects.order_by("pk"):
        rows.append(
            (
                q.pk,
                q.type,
                q.stem,
                q.options,
                q.correct_options,
                q.accepted_answers,
                q.explanation,
                q.category.path,
                q.difficulty,
                q.source_law,
                q.source_article,
                sorted(t.name for t in q.tags.all()),
                q.time_limit,
                q.status,
                q.content_hash,
                q.updated_at,
            )
        )
    return rows


ROWS = [
    template_row(
        "单选题",
        "=1+1 是公式吗？",
        ["-1", "+2", "@3", "4"],
        "D",
        "=SUM(A1) 不应被执行",
        "消防安全 > 医院消防",
        2,
        "《中华人民共和国消防法》第十六条",
        "公式 注入",
        30,
    ),
    template_row(
        "多选题",
        "以下哪些属于\n危险化学品？",
        ["汽油", "食盐", "液氯", "白糖"],
        "AC",
        "",
        "危险化学品",
        4,
        "第三条",
        "危化品",
    ),
    template_row("判断题", "电梯可用于火灾逃生。", [], "错", "不可", "消防安全", 1, "", ""),
    template_row(
        "填空题", "消防车道净宽度和净空高度均不应小于（ ）米。", [], "4|四", "", "消防安全", 3, "某地方标准 5.2", ""
    ),
    template_row("填空题", "两个空：（ ）和（ ）。", [], "甲；乙|乙乙", "", "消防安全 > 医院消防", 5, "", "多空"),
]


def test_round_trip_template_import_export_import_changes_nothing(district_admin):
    first = bank_import(data=template_xlsx(ROWS), filename="bank.xlsx", actor=district_admin)
    assert first.created == 5 and first.plan.counts()["rejected"] == 0
    for question in Question.objects.all():  # bulk-written fingerprints equal what save() computes
        assert (question.identity_hash, question.content_hash) == question.compute_hashes()
    before = snapshot()
    q = Question.objects.get(stem="=1+1 是公式吗？")
    assert q.options == ["-1", "+2", "@3", "4"] and q.time_limit == 30
    assert q.category.path == "消防安全 > 医院消防" and q.source_article == "第十六条"

    for fmt in ("xlsx", "csv"):
        body, filename, _type = export_bank(Question.objects.all(), fmt)
        plan = build_plan(data=body, filename=filename)
        assert plan.counts() == {"new": 0, "updated": 0, "unchanged": 5, "rejected": 0, "skipped": 0, "warnings": 0}, (
            plan.report()
        )
        again = bank_import(data=body, filename=filename, actor=district_admin)
        assert (again.created, again.updated) == (0, 0)
    assert snapshot() == before


def test_export_neutralises_formula_cells(district_admin):
    bank_import(data=template_xlsx(ROWS[:1]), filename="bank.xlsx", actor=district_admin)
    import io

    from openpyxl import load_workbook

    body, _name, _type = export_bank(Question.objects.all(), "xlsx")
    sheet = load_workbook(io.BytesIO(body)).active
    values = [c.value for c in sheet[2]]
    assert values[1] == "'=1+1 是公式吗？" and values[2:5] == ["'-1", "'+2", "'@3"]
    assert all(not (isinstance(v, str) and v.startswith(("=", "+", "-", "@"))) for v in values)


@pytest.mark.parametrize("fmt", ["gift", "xml"])
def test_moodle_formats_round_trip(district_admin, fmt):
    rows = [r for r in ROWS if r[1] != "两个空：（ ）和（ ）。"]  # GIFT/XML short answers hold one blank
    bank_import(data=template_xlsx(rows), filename="bank.xlsx", actor=district_admin)
    before = snapshot()
    body, filename, _type = export_bank(Question.objects.all(), fmt)
    plan = build_plan(data=body, filename=filename)
    assert plan.counts()["new"] == 0 and plan.counts()["updated"] == 0 and not plan.rejected, plan.report()
    assert plan.counts()["unchanged"] == 4
    bank_import(data=body, filename=filename, actor=district_admin)
    assert snapshot() == before


def test_moodle_formats_import_into_an_empty_bank(district_admin):
    bank_import(data=template_xlsx(ROWS[:4]), filename="bank.xlsx", actor=district_admin)
    gift, _n, _t = export_bank(Question.objects.all(), "gift")
    xml, _n, _t = export_bank(Question.objects.all(), "xml")
    expected = sorted(
        (q.type, q.stem, q.options, q.correct_options, q.accepted_answers, q.explanation, q.category.path)
        for q in Question.objects.all()
    )
    for body, name in ((gift, "b.gift"), (xml, "b.xml")):
        Question.objects.all().delete()
        bank_import(data=body, filename=name, actor=district_admin)
        got = sorted(
            (q.type, q.stem, q.options, q.correct_options, q.accepted_answers, q.explanation, q.category.path)
            for q in Question.objects.all()
        )
        assert got == expected


def test_reimport_updates_changed_fields_and_keeps_what_the_format_lacks(district_admin):
    bank_import(data=template_xlsx(ROWS[:1]), filename="bank.xlsx", actor=district_admin)
    changed = list(ROWS[0])
    changed[11] = "新的解析"
    changed[13] = 5
    plan = build_plan(data=template_xlsx([changed]), filename="bank.xlsx")
    assert plan.counts()["updated"] == 1
    assert plan.updated[0].changes == ["解析", "难度"]
    bank_import(data=template_xlsx([changed]), filename="bank.xlsx", actor=district_admin)
    q = Question.objects.get()
    assert (q.explanation, q.difficulty, q.time_limit) == ("新的解析", 5, 30)
    aiken = "=1+1 是公式吗？\nA. -1\nB. +2\nC. @3\nD. 4\nANSWER: D\n"
    plan = build_plan(data=aiken.encode(), filename="a.txt")
    assert plan.counts()["unchanged"] == 1  # Aiken has no explanation, category or tags: they are kept


def test_rejected_rows_block_the_commit_unless_skipped(district_admin):
    rows = [ROWS[0], template_row("单选题", "无答案", ["甲", "乙"], "")]
    with pytest.raises(ImportRejected) as caught:
        bank_import(data=template_xlsx(rows), filename="bank.xlsx", actor=district_admin)
    assert caught.value.plan.rejected[0].row == 3
    assert Question.objects.count() == 0 and Category.objects.count() == 0
    result = bank_import(data=template_xlsx(rows), filename="bank.xlsx", actor=district_admin, skip_rejected=True)
    assert result.created == 1 and Question.objects.count() == 1


def test_an_import_never_half_applies(district_admin, monkeypatch):
    from quizzes.bank import services as bank_services

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(bank_services, "_write_tags", boom)
    with pytest.raises(RuntimeError):
        bank_import(data=template_xlsx(ROWS), filename="bank.xlsx", actor=district_admin)
    assert Question.objects.count() == 0 and Category.objects.count() == 0


def test_duplicates_in_file_and_probable_duplicates_in_bank(district_admin):
    existing = QuestionFactory(stem="发现火灾应当拨打哪个电话？", options=["110", "119"], correct_options=[1])
    rows = [
        template_row("单选题", "发现火灾应当拨打哪个电话？", ["119", "120", "110"], "A"),  # same stem, other options
        template_row("单选题", "同一道题", ["甲", "乙"], "A"),
        template_row("单选题", "同一道题。", ["甲", "乙"], "A"),  # identical after normalisation
    ]
    plan = build_plan(data=template_xlsx(rows), filename="dup.xlsx")
    assert any(w.row == 2 and f"#{existing.pk}" in w.reason for w in plan.warnings)
    assert [(i.row, i.reason) for i in plan.skipped] == [(4, "与第 3 行是同一道题，已跳过。")]
    assert plan.counts()["new"] == 2


def test_new_categories_are_listed_and_created_once(district_admin):
    CategoryFactory(name="消防安全")
    plan = build_plan(data=template_xlsx(ROWS), filename="bank.xlsx")
    assert plan.report()["new_categories"] == ["消防安全 > 医院消防", "危险化学品"]
    bank_import(data=template_xlsx(ROWS), filename="bank.xlsx", actor=district_admin)
    assert Category.objects.filter(name="医院消防", parent__name="消防安全").count() == 1


def test_downloaded_template_imports(district_admin):
    result = bank_import(data=template_bytes(), filename="template.xlsx", actor=district_admin)
    assert result.created == 4
    assert Question.objects.filter(author=district_admin).count() == 4


def test_progress_is_reported(district_admin):
    seen = []
    rows = [template_row("单选题", f"题{i}", ["甲", "乙"], "A") for i in range(1200)]
    build_plan(data=template_xlsx(rows), filename="big.xlsx", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(500, 1200), (1000, 1200), (1200, 1200)]


def test_source_links_to_the_study_lesson_once_the_statute_is_imported(district_admin, shared_data):
    from courses.law_import import import_statute, read_statute_file
    from tests.courses.factories import make_index

    rows = [
        template_row("单选题", "主要负责人职责", ["甲", "乙"], "A", source="《中华人民共和国安全生产法》第二十一条")
    ]
    bank_import(data=template_xlsx(rows), filename="a.xlsx", actor=district_admin)
    question = Question.objects.get()
    assert question.source_url == "" and question.study_url == ""  # statute not imported yet
    path = next((shared_data / "laws").glob("安全生产法*.md"))
    import_statute(text=read_statute_file(path), filename=path.name, index_page=make_index())
    assert question.study_url.endswith("#article-21")  # resolved live for questions imported earlier
    rows.append(template_row("单选题", "培训档案", ["甲", "乙"], "A", source="《中华人民共和国安全生产法》第二十八条"))
    bank_import(data=template_xlsx(rows), filename="a.xlsx", actor=district_admin)
    assert Question.objects.get(stem="培训档案").source_url.endswith("#article-28")  # stored at import


def test_source_links_to_the_study_lesson_once_a_fixture_statute_is_imported(district_admin, statute_fixtures):
    """The same as above on an invented statute (tests/fixtures/laws), so it runs without ../shared/data."""
    from courses.law_import import import_statute, read_statute_file
    from tests.courses.factories import make_index

    law = "示范市社区消防互助条例"
    rows = [template_row("单选题", "年度检查内容", ["甲", "乙"], "A", source=f"《{law}》第二十一条")]
    bank_import(data=template_xlsx(rows), filename="a.xlsx", actor=district_admin)
    question = Question.objects.get()
    assert (question.source_law, question.source_article) == (law, "第二十一条")
    assert question.source_url == "" and question.study_url == ""  # statute not imported yet
    path = statute_fixtures / "社区消防互助条例(2022-03-15).md"
    report = import_statute(text=read_statute_file(path), filename=path.name, index_page=make_index())
    assert report.title == law
    assert question.study_url.endswith("/chapter-3/#article-21")  # resolved live for questions imported earlier
    assert question.study_url == report.course.article_url(21)
    rows.append(template_row("单选题", "巡查重点", ["甲", "乙"], "A", source=f"《{law}》第十一条"))
    rows.append(template_row("单选题", "不存在的条", ["甲", "乙"], "A", source=f"《{law}》第九十九条"))
    bank_import(data=template_xlsx(rows), filename="a.xlsx", actor=district_admin)
    assert Question.objects.get(stem="巡查重点").source_url.endswith("/chapter-2/#article-11")  # stored at import
    missing = Question.objects.get(stem="不存在的条")
    assert missing.source_url == "" and missing.study_url == ""  # an article the statute does not have


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_imports_of_the_same_file_never_duplicate(district_admin):
    import threading

    from django.db import connection

    data = template_xlsx([template_row("单选题", f"并发题{i}", ["甲", "乙"], "A") for i in range(50)])
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(bank_import(data=data, filename="race.xlsx", actor=None).created)
        except Exception as exc:  # collected and asserted on
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(results) == [0, 50]
    assert Question.objects.count() == 50


def test_empty_category_cell_keeps_the_stored_category(district_admin):
    bank_import(data=template_xlsx(ROWS[:1]), filename="a.xlsx", actor=district_admin)
    blank = list(ROWS[0])
    blank[12] = ""
    plan = build_plan(data=template_xlsx([blank]), filename="a.xlsx")
    assert plan.counts()["unchanged"] == 1
