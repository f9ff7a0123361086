"""The same import rules at every door: the management command applies a mapping saved on the import page and
offers --clear-empty like the page and the API; the dry run shows each question as it will be stored; text keeps its
ideographic spaces ("（　　）" stays as written)."""

import json

import pytest
from django.core.management import call_command

from quizzes.bank.importers import build_plan
from quizzes.bank.importers.spreadsheet import header_fingerprint, header_key
from quizzes.bank.models import BankColumnMapping, Question
from tests.quizzes.bank_files import xlsx

pytestmark = pytest.mark.django_db

HEADER = ["序", "问", "备选", "标准", "备注"]
MAPPING = {"序": "", "问": "stem", "备选": "options", "标准": "answer", "备注": "explanation"}


def bank(rows) -> bytes:
    return xlsx([["2026 年安全生产月题库"], [], HEADER, *rows])


def run(capsys, path, *args) -> dict:
    call_command("import_questions", str(path), "--json", *args)
    return json.loads(capsys.readouterr().out)


def test_the_command_applies_the_mapping_saved_on_the_import_page(tmp_path, capsys):
    source = tmp_path / "bank.xlsx"
    source.write_bytes(bank([["1", "火警电话是（　　）。", "A．110　B．119　C．120", "B", "常识，必知。"]]))
    BankColumnMapping.remember(
        fingerprint=header_fingerprint(HEADER), header=HEADER, columns={header_key(k): v for k, v in MAPPING.items()}
    )
    report = run(capsys, source, "--commit")
    assert report["counts"]["new"] == 1 and report["header"]["source"] == "remembered"
    question = Question.objects.get()
    assert question.stem == "火警电话是（　　）。"  # ideographic spaces kept, byte for byte
    assert question.options == ["110", "119", "120"] and question.explanation == "常识，必知。"


def test_the_command_clears_empty_cells_only_when_asked(tmp_path, capsys):
    BankColumnMapping.remember(
        fingerprint=header_fingerprint(HEADER), header=HEADER, columns={header_key(k): v for k, v in MAPPING.items()}
    )
    first, second = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    first.write_bytes(
        bank([["1", "灭火器压力表指针在红区表示（ ）。", "A.压力不足 B.正常 C.压力过高", "A", "红区欠压。"]])
    )
    second.write_bytes(bank([["1", "灭火器压力表指针在红区表示（ ）。", "A.压力不足 B.正常 C.压力过高", "A", ""]]))
    run(capsys, first, "--commit")
    assert run(capsys, second, "--commit")["counts"]["unchanged"] == 1
    assert Question.objects.get().explanation == "红区欠压。"
    report = run(capsys, second, "--commit", "--clear-empty")
    assert report["counts"]["updated"] == 1 and Question.objects.get().explanation == ""


def test_the_dry_run_shows_each_question_as_it_will_be_stored():
    data = bank([["1", "下列属于窒息灭火法的有（ ）。", "A.覆盖灭火毯 B.充注二氧化碳 C.用水冷却", "AB", "隔绝氧气。"]])
    columns = {header_key(k): v for k, v in MAPPING.items()}
    report = build_plan(data=data, filename="b.xlsx", column_map=columns).report()
    [row] = report["preview"]
    assert row["status"] == "new" and row["type"] == "multiple" and row["answer"] == "AB"
    assert row["stem"] == "下列属于窒息灭火法的有（ ）。" and row["explanation"] == "隔绝氧气。"
    assert [(o["letter"], o["text"], o["correct"]) for o in row["options"]] == [
        ("A", "覆盖灭火毯", True),
        ("B", "充注二氧化碳", True),
        ("C", "用水冷却", False),
    ]
