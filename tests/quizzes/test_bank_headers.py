"""Issue 14, rules 1, 3 and 5: header recognition that explains itself (accepted names per field, compared after
folding spaces, brackets and full-width forms; a failure lists the rows it saw and the names it accepts), column
mapping by hand on the preview page and in the API, remembered for the next file with the same header; old .xls
files; the import page's pasted-text box and accepted suffixes."""

import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from elearn.spreadsheets import SpreadsheetError
from quizzes.bank import tasks as bank_tasks
from quizzes.bank.importers import FORMAT_LABELS, build_plan, parse_upload
from quizzes.bank.importers.spreadsheet import ALIASES, accepted_names, header_fingerprint, header_key
from quizzes.bank.models import BankColumnMapping, Question
from tests.quizzes.bank_files import csv_text, template_row, xlsx
from tests.quizzes.xls_files import xls

ISSUE_HEADER = ["作业种类", "试题类型", "题目内容", "题目选项", "题目答案"]
ROW = ["电工作业", "单选题", "安全色中蓝色表示（ ）。", "**A强制性**B科学性**C.指令、必须遵守的意思**D通行、安全", "C"]
UNKNOWN_HEADER = ["序", "问", "备选", "标准", "备注"]


def unknown_bank(rows=None) -> bytes:
    rows = rows or [["1", "火警电话是（ ）。", "A.110 B.119 C.120", "B", "常识"]]
    return xlsx([["2026 年安全生产月题库"], [], UNKNOWN_HEADER, *rows])


MANUAL = {"序": "", "问": "stem", "备选": "options", "标准": "answer", "备注": "explanation"}


# --- names ------------------------------------------------------------------------------------------------------------


def test_the_issues_header_is_recognised():
    result = parse_upload(data=xlsx([ISSUE_HEADER, ROW]), filename="b.xlsx")
    assert result.rejected == [] and result.unmapped_columns == []
    assert result.header.row == 1 and result.header.source == "auto"
    assert result.header.fields == ["category", "type", "stem", "options", "answer"]
    [question] = result.questions
    assert question.category == ["电工作业"] and question.correct_options == [2] and len(question.options) == 4


@pytest.mark.parametrize(
    ("field", "names"),
    [
        ("stem", ["题干", "题目", "题目内容", "试题内容", "问题"]),
        ("options", ["选项", "题目选项", "备选答案", "选项内容"]),
        ("answer", ["答案", "正确答案", "题目答案", "参考答案", "标准答案"]),
        ("type", ["题型", "试题类型", "类型", "题目类型"]),
        ("explanation", ["解析", "答案解析", "试题解析"]),
        ("category", ["分类", "章节", "知识点", "作业种类", "科目"]),
        ("difficulty", ["难度", "难易程度"]),
    ],
)
def test_every_name_the_issue_lists_is_accepted(field, names):
    assert set(names) <= set(ALIASES[field])
    for name in names:
        header = {"stem": "题干", "answer": "答案", field: name}
        cells = list(dict.fromkeys(header.values()))
        result = parse_upload(data=xlsx([cells, ["题"] * len(cells)]), filename="b.xlsx")
        assert result.header is not None and result.header.row == 1, name
        assert result.header.fields[cells.index(name)] == field, name


@pytest.mark.parametrize(
    "variant",
    [
        "题目 内容",
        "题　目　内　容",
        "【题目内容】",
        "[题目内容]",
        "题目内容（必填）",
        "*题目内容",
        "题目内容：",
        "ＳＴＥＭ",
    ],
)
def test_names_match_after_folding_spaces_brackets_and_full_width_forms(variant):
    assert header_key(variant) == header_key("题目内容" if "ＳＴＥＭ" not in variant else "stem")
    result = parse_upload(data=xlsx([[variant, "（正确答案）"], ["题", "对"]]), filename="b.xlsx")
    assert result.header.fields == ["stem", "answer"] and len(result.questions) == 1


def test_a_header_that_is_not_found_lists_the_rows_seen_and_the_names_accepted():
    data = xlsx([["2026 年安全生产月题库"], [], ["序号", "问", "备选", "标准"], ["1", "题", "A.1 B.2", "A"]])
    result = parse_upload(data=data, filename="roster.xlsx")
    [issue] = result.rejected
    assert (issue.row, issue.column) == (1, "表头")
    reason = issue.reason
    assert "找不到表头行" in reason
    assert "第 1 行：2026 年安全生产月题库" in reason and "第 3 行：序号 | 问 | 备选 | 标准" in reason
    assert "第 2 行" not in reason  # empty rows are not candidates
    for label, names in accepted_names().items():
        assert f"{label}：{'、'.join(names)}" in reason
    assert "题目选项" in reason and "题目答案" in reason and "作业种类" in reason
    # The preview gets the likeliest header row, to map by hand.
    assert result.header.row is None and result.header.names == ["序号", "问", "备选", "标准"]
    assert result.questions == []


def test_a_partly_recognised_row_says_which_cells_it_recognised():
    result = parse_upload(data=xlsx([["题目内容", "备选", "标准"], ["题", "A.1 B.2", "A"]]), filename="b.xlsx")
    assert "第 1 行：题目内容［题干］ | 备选 | 标准" in result.rejected[0].reason


# --- mapping by hand ----------------------------------------------------------------------------------------------------


def test_a_column_map_makes_an_unknown_header_importable():
    result = parse_upload(data=unknown_bank(), filename="b.xlsx", column_map=MANUAL)
    assert result.rejected == [] and result.header.row == 3 and result.header.source == "manual"
    assert result.header.fields == ["", "stem", "options", "answer", "explanation"]
    [question] = result.questions
    assert (question.stem, question.options, question.correct_options, question.explanation) == (
        "火警电话是（ ）。",
        ["110", "119", "120"],
        [1],
        "常识",
    )
    assert result.unmapped_columns == []  # ignored by choice is not "unrecognised"


def test_a_column_map_overrides_and_ignores_recognised_columns_and_matches_folded_names():
    rows = [["题干", "答案", "解析", "分类"], ["题", "对", "这是解析", "消防"]]
    result = parse_upload(data=xlsx(rows), filename="b.xlsx", column_map={" 解 析 ": "", "【分类】": "tags"})
    [question] = result.questions
    assert question.explanation == "" and question.tags == ["消防"] and "explanation" not in question.provided
    assert result.header.fields == ["stem", "answer", "", "tags"]


def test_a_column_map_naming_an_unknown_field_is_refused():
    with pytest.raises(SpreadsheetError, match="无效"):
        parse_upload(data=unknown_bank(), filename="b.xlsx", column_map={"问": "question_text"})


def test_saved_mappings_are_looked_up_by_header_fingerprint_and_announced():
    fingerprint = header_fingerprint(UNKNOWN_HEADER)
    seen = []

    def saved(fingerprints):
        seen.extend(fingerprints)
        return {fingerprint: {header_key(k): v for k, v in MANUAL.items()}}

    result = parse_upload(data=unknown_bank(), filename="b.xlsx", saved_mappings=saved)
    assert fingerprint in seen and len(result.questions) == 1 and result.header.source == "remembered"
    assert result.notices == [
        "已自动套用上次为这个表头保存的列对应关系：序→忽略、问→题干、备选→选项（全部在一格）、标准→答案、备注→解析。"
        "如需修改，请在下面重新指定。"
    ]
    # Folding: the same header with other spacing and full-width forms has the same fingerprint.
    assert header_fingerprint(["序 ", "（问）", "备　选", "标准", "备注", ""]) == fingerprint
    assert header_fingerprint(["序", "问", "备选", "标准"]) != fingerprint


# --- remembered mappings: the database ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_remembered_mapping_round_trip_through_the_model(district_admin):
    fingerprint = header_fingerprint(UNKNOWN_HEADER)
    BankColumnMapping.remember(fingerprint=fingerprint, header=UNKNOWN_HEADER, columns={"问": "stem"}, user=None)
    BankColumnMapping.remember(
        fingerprint=fingerprint,
        header=UNKNOWN_HEADER,
        columns={header_key(k): v for k, v in MANUAL.items()},
        user=district_admin,
    )
    assert BankColumnMapping.objects.count() == 1  # the last choice replaces the first
    saved = BankColumnMapping.objects.get()
    assert saved.updated_by == district_admin and saved.columns["备选"] == "options"
    plan = build_plan(data=unknown_bank(), filename="b.xlsx", saved_mappings=BankColumnMapping.for_fingerprints)
    report = plan.report()
    assert report["counts"]["new"] == 1 and report["header"]["source"] == "remembered" and report["notices"]
    assert BankColumnMapping.for_fingerprints(["nothing"]) == {}


@pytest.mark.django_db
def test_admin_maps_columns_on_the_preview_and_the_next_import_applies_it(client_for, district_admin):
    client = client_for(district_admin)
    response = client.post(reverse("quizzes_bank_import"), {"file": SimpleUploadedFile("旧题库.xlsx", unknown_bank())})
    job_url = response["Location"]
    page = client.get(job_url).content.decode()
    assert "找不到表头行" in page and "data-column-mapping" in page
    token = job_url.rstrip("/").rsplit("/", 1)[1]
    mapping_url = reverse("quizzes_bank_import_mapping", args=[token])
    assert f'action="{mapping_url}"' in page
    # One select per header column, with every field and 忽略.
    selects = re.findall(r'<select name="(col_\d+)"', page)
    assert selects == ["col_0", "col_1", "col_2", "col_3", "col_4"]
    assert "<td data-sample>火警电话是（ ）。</td>" in page  # the first data row, to tell the columns apart
    assert "data-accepted-names" in page and "题目选项" in page  # the accepted names are listed too

    # Refused mappings: no stem, or one field twice.
    bad = client.post(mapping_url, {"col_1": "", "col_2": "options", "col_3": "answer"}).content.decode()
    assert "请指定题干所在的列" in bad and BankColumnMapping.objects.count() == 0
    twice = client.post(mapping_url, {"col_1": "stem", "col_2": "stem", "col_3": "answer"}).content.decode()
    assert "同一个字段只能对应一列" in twice and "问、备选" in twice

    form = {f"col_{i}": MANUAL[name] for i, name in enumerate(UNKNOWN_HEADER)}
    rerun = client.post(mapping_url, form)
    assert rerun.status_code == 302 and rerun["Location"] == job_url
    page = client.get(job_url).content.decode()
    assert re.search(r'data-count="new">1<', page) and re.search(r'data-count="rejected">0<', page)
    saved = BankColumnMapping.objects.get()
    assert saved.fingerprint == header_fingerprint(UNKNOWN_HEADER) and saved.updated_by == district_admin
    done = client.post(job_url, {})
    assert "data-bank-done" in done.content.decode()
    assert Question.objects.get().explanation == "常识"

    # The next file with the same header: the mapping is applied on its own, with a notice.
    again = unknown_bank([["1", "急救电话是（ ）。", "A.110 B.120", "B", ""]])
    response = client.post(reverse("quizzes_bank_import"), {"file": SimpleUploadedFile("又一个.xlsx", again)})
    page = client.get(response["Location"]).content.decode()
    assert "data-notice" in page and "已自动套用上次为这个表头保存的列对应关系" in page
    assert re.search(r'data-count="new">1<', page)
    client.post(response["Location"], {})
    assert Question.objects.filter(stem="急救电话是（ ）。", correct_options=[1]).exists()


@pytest.mark.django_db
def test_the_commit_uses_the_mapping_the_preview_showed_even_if_the_saved_one_changes(client_for, district_admin):
    fingerprint = header_fingerprint(UNKNOWN_HEADER)
    columns = {header_key(k): v for k, v in MANUAL.items()}
    BankColumnMapping.remember(fingerprint=fingerprint, header=UNKNOWN_HEADER, columns=columns)
    client = client_for(district_admin)
    job_url = client.post(reverse("quizzes_bank_import"), {"file": SimpleUploadedFile("b.xlsx", unknown_bank())})[
        "Location"
    ]
    assert re.search(r'data-count="new">1<', client.get(job_url).content.decode())
    BankColumnMapping.objects.update(columns={**columns, "备注": ""})  # someone else changes it meanwhile
    client.post(job_url, {})
    assert Question.objects.get().explanation == "常识"


@pytest.mark.django_db
def test_api_accepts_a_column_map_and_remembers_it(api_for, district_admin):
    api = api_for(district_admin)
    url = "/api/v1/bank/import/"
    plain = api.post(url, {"file": SimpleUploadedFile("b.xlsx", unknown_bank())}, format="multipart").json()
    assert plain["counts"]["rejected"] == 1 and plain["header"]["row"] is None
    assert [c["name"] for c in plain["header"]["columns"]] == UNKNOWN_HEADER
    bad = api.post(
        url,
        {"file": SimpleUploadedFile("b.xlsx", unknown_bank()), "column_map": json.dumps({"问": "nope"})},
        format="multipart",
    )
    assert bad.status_code == 400 and "column_map" in json.dumps(bad.json(), ensure_ascii=False)
    mapped = api.post(
        url,
        {"file": SimpleUploadedFile("b.xlsx", unknown_bank()), "column_map": json.dumps(MANUAL, ensure_ascii=False)},
        format="multipart",
    ).json()
    assert mapped["counts"] == {**mapped["counts"], "new": 1, "rejected": 0}
    assert mapped["header"]["source"] == "manual" and mapped["header"]["row"] == 3
    assert BankColumnMapping.objects.count() == 1
    # Next time, no column_map needed: the remembered one is applied and announced; commit writes.
    done = api.post(url, {"file": SimpleUploadedFile("b.xlsx", unknown_bank()), "commit": True}, format="multipart")
    assert done.status_code == 201 and done.json()["header"]["source"] == "remembered" and done.json()["notices"]
    assert Question.objects.get().explanation == "常识"


@pytest.mark.django_db
def test_api_can_map_without_remembering(api_for, district_admin):
    api_for(district_admin).post(
        "/api/v1/bank/import/",
        {
            "file": SimpleUploadedFile("b.xlsx", unknown_bank()),
            "column_map": json.dumps(MANUAL, ensure_ascii=False),
            "remember_mapping": False,
        },
        format="multipart",
    )
    assert BankColumnMapping.objects.count() == 0


# --- .xls ---------------------------------------------------------------------------------------------------------------


def test_old_xls_is_read():
    data = xls([["题库"], ISSUE_HEADER, ROW, ["电工作业", "判断题", "（2）绝缘手套应定期检验。", "", "√"]])
    result = parse_upload(data=data, filename="旧题库.xls")
    assert result.format == "spreadsheet" and result.rejected == [] and result.header.row == 2
    single, tf = result.questions
    assert single.options == ["强制性", "科学性", "指令、必须遵守的意思", "通行、安全"] and single.row == 3
    assert (tf.type, tf.stem, tf.correct_options) == ("truefalse", "绝缘手套应定期检验。", [0])


def test_xls_numbers_and_the_template_layout():
    header = [
        "题型",
        "题干",
        *[f"选项{x}" for x in "ABCDEFGH"],
        "答案",
        "解析",
        "分类",
        "难度",
        "出处",
        "标签",
        "限时（秒）",
    ]
    data = xls([header, template_row("单选题", "数字选项", ["1", "2.5", "3"], "B", difficulty=2, time_limit=30)])
    [question] = parse_upload(data=data, filename="export.xls").questions
    assert question.options == ["1", "2.5", "3"] and question.difficulty == 2 and question.time_limit == 30


def test_xls_that_is_really_an_xlsx_gets_the_zip_checks():
    from tests.quizzes.bank_files import zip_bomb

    result = parse_upload(data=xlsx([ISSUE_HEADER, ROW]), filename="renamed.xls")
    assert len(result.questions) == 1
    with pytest.raises(SpreadsheetError, match="压缩炸弹"):
        parse_upload(data=zip_bomb(), filename="bomb.xls")


def test_a_damaged_xls_is_a_clear_error_not_a_crash():
    good = xls([ISSUE_HEADER, ROW])
    for damaged in (b"not excel", good[:600], good[:512] + good[1024:]):
        with pytest.raises(SpreadsheetError, match="xls|Excel"):
            parse_upload(data=damaged, filename="b.xls")


@pytest.mark.django_db
def test_xls_through_the_admin_and_the_api(client_for, api_for, district_admin):
    data = xls([ISSUE_HEADER, ROW])
    client = client_for(district_admin)
    assert ".xls、" in client.get(reverse("quizzes_bank_import")).content.decode()
    response = client.post(reverse("quizzes_bank_import"), {"file": SimpleUploadedFile("b.xls", data)})
    assert response.status_code == 302
    assert re.search(r'data-count="new">1<', client.get(response["Location"]).content.decode())
    body = api_for(district_admin).post(
        "/api/v1/bank/import/", {"file": SimpleUploadedFile("b.xls", data)}, format="multipart"
    )
    assert body.status_code == 200 and body.json()["counts"]["new"] == 1


# --- the import page: pasted text, suffixes -----------------------------------------------------------------------------

PASTED = "一、单选题\n1. 火警电话是（ ）。\nA.110 B.119 C.120\n答案：B\n"


@pytest.mark.django_db
def test_pasted_text_starts_a_text_job(client_for, district_admin, monkeypatch):
    started = {}
    real_start = bank_tasks.job_start

    def spy(**kwargs):
        started.update(kwargs)
        return real_start(**kwargs)

    monkeypatch.setattr(bank_tasks, "job_start", spy)
    client = client_for(district_admin)
    page = client.get(reverse("quizzes_bank_import")).content.decode()
    assert "或粘贴题目文本" in page and 'name="text"' in page and "空单元格表示清空该字段" in page
    response = client.post(reverse("quizzes_bank_import"), {"text": PASTED})
    assert response.status_code == 302
    assert started["data"] == PASTED.encode("utf-8") and started["filename"] == "粘贴的文本.txt"
    assert started["fmt"] == "text"


@pytest.mark.django_db
@pytest.mark.skipif("text" not in FORMAT_LABELS, reason="the text parser (issue 14, part B) is not in this tree yet")
def test_pasted_text_is_previewed_as_questions(client_for, district_admin):
    client = client_for(district_admin)
    response = client.post(reverse("quizzes_bank_import"), {"text": PASTED})
    assert re.search(r'data-count="new">1<', client.get(response["Location"]).content.decode())


@pytest.mark.django_db
def test_the_form_wants_exactly_one_of_file_and_text(client_for, district_admin):
    client = client_for(district_admin)
    neither = client.post(reverse("quizzes_bank_import"), {"text": "  "}).content.decode()
    assert "请选择题库文件，或在文本框中粘贴题目" in neither
    both = client.post(
        reverse("quizzes_bank_import"),
        {"text": PASTED, "file": SimpleUploadedFile("b.csv", csv_text([["题干", "答案"], ["题", "对"]]).encode())},
    ).content.decode()
    assert "请只上传文件或只粘贴文本" in both


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["试题.docx", "旧题库.xls", "bank.XLSX"])
def test_the_form_accepts_docx_and_xls(client_for, district_admin, name, monkeypatch):
    monkeypatch.setattr(bank_tasks, "job_start", lambda **kwargs: "token")
    response = client_for(district_admin).post(
        reverse("quizzes_bank_import"), {"file": SimpleUploadedFile(name, b"PK\x03\x04")}
    )
    assert response.status_code == 302 and response["Location"].endswith("/token/")


@pytest.mark.django_db
@pytest.mark.parametrize("column_map", ["null", "[]", '"题干"', '{"问": 1}', '{"问": {"a": 1}}', "{x", '{"问": null}'])
def test_api_column_map_odd_values_are_a_400_or_ignored_never_a_500(api_for, district_admin, column_map):
    response = api_for(district_admin).post(
        "/api/v1/bank/import/",
        {"file": SimpleUploadedFile("b.xlsx", unknown_bank()), "column_map": column_map},
        format="multipart",
    )
    assert response.status_code in (200, 400), response.content
    if column_map in ("null", '{"问": null}'):
        assert response.status_code == 200 and response.json()["counts"]["rejected"] == 1
    else:
        assert response.status_code == 400 and "column_map" in response.json().get("fields", response.json())
