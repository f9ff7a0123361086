"""The question-bank corpus (tests/fixtures/banks, issue 14): bank files laid out the way Chinese safety banks really
are (exam-system exports with `**A…` option cells, title rows and header synonyms, option columns, GBK CSV, an old
.xls, Word documents with sections, inline answers, an answer key, a table and pictures, text pasted from a PDF,
Moodle XML and GIFT with partial credit). Each file is parsed with `build_plan` and compared exactly with the
questions of its `<name>.expected.json`: type, stem, byte-exact options, answers, and explanation, category,
difficulty, sheet row and picture where the file gives them; deliberate defects must be reported (row and reason)
and nothing else may be. How the files were made and what each exercises: tests/fixtures/banks/README.md."""

from __future__ import annotations

import difflib
import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from elearn.spreadsheets import SpreadsheetError
from quizzes.bank.importers import build_plan
from quizzes.bank.models import OPTION_LETTERS, TRUE_FALSE_OPTIONS, Question
from quizzes.bank.services import bank_import

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "banks"
EXPECTED = sorted(CORPUS.glob("*.expected.json"))
ISSUE_KINDS = ("rejected", "skipped", "warning")


def spec_of(name: str) -> dict:
    return json.loads((CORPUS / f"{name}.expected.json").read_text(encoding="utf-8"))


def bank_file(spec: dict) -> bytes:
    return (CORPUS / spec["file"]).read_bytes()


def plan_of(spec: dict):
    try:
        return build_plan(data=bank_file(spec), filename=spec["file"], fmt=spec["fmt"])
    except SpreadsheetError as exc:
        pytest.fail(f"{spec['file']}: the importer refused the whole file: {exc}")


def image_size(image) -> dict:
    try:
        with Image.open(io.BytesIO(image.data)) as picture:
            return {"width": picture.width, "height": picture.height}
    except Exception as exc:  # an unreadable picture is a difference to show, not a crash
        return {"unreadable": f"{type(exc).__name__}: {exc}"}


def as_found(parsed, like: dict | None) -> dict:
    """A parsed question in the expected files' vocabulary, with the optional keys the expectation has."""
    keys = set(like or ())
    found: dict = {"type": parsed.type, "stem": parsed.stem}
    if parsed.type in (Question.Type.SINGLE, Question.Type.MULTIPLE):
        found["options"] = list(parsed.options)
        found["answer"] = "".join(
            OPTION_LETTERS[i] if 0 <= i < len(OPTION_LETTERS) else f"?{i}" for i in sorted(parsed.correct_options)
        )
    elif parsed.type == Question.Type.TRUE_FALSE:
        found["answer"] = "/".join(
            TRUE_FALSE_OPTIONS[i] if 0 <= i < len(TRUE_FALSE_OPTIONS) else f"?{i}" for i in parsed.correct_options
        )
    else:
        found["answer"] = [list(blank) for blank in parsed.accepted_answers]
    if "explanation" in keys:
        found["explanation"] = parsed.explanation
    if "category" in keys:
        found["category"] = list(parsed.category)
    if "difficulty" in keys:
        found["difficulty"] = parsed.difficulty
    if "row" in keys:
        found["row"] = parsed.row
    if parsed.image is not None or "image" in keys:
        found["image"] = image_size(parsed.image) if parsed.image is not None else None
    return found


def issue_text(issue) -> str:
    return f"{issue.column} {issue.reason}"


def matches(expected: dict, kind: str, issue) -> bool:
    kinds = ISSUE_KINDS if expected["kind"] == "flagged" else (expected["kind"],)
    if kind not in kinds or (expected.get("row") is not None and expected["row"] != issue.row):
        return False
    return not expected["phrases"] or any(phrase in issue_text(issue) for phrase in expected["phrases"])


def differences(spec: dict, plan) -> list[str]:
    """Everything in which the plan differs from the expectation, readably: an empty list when it matches."""
    problems: list[str] = []
    reported = [
        (kind, issue) for kind in ISSUE_KINDS for issue in getattr(plan, "warnings" if kind == "warning" else kind)
    ]
    for expected in spec["issues"]:
        if not any(matches(expected, kind, issue) for kind, issue in reported):
            where = f"row {expected['row']}" if expected.get("row") is not None else "anywhere"
            problems.append(f"missing {expected['kind']} at {where} mentioning one of {expected['phrases']}")
    accepted = spec["issues"] + spec["allowed_warnings"]
    for kind, issue in reported:
        if not any(matches(expected, kind, issue) for expected in accepted):
            problems.append(f"unexpected {kind}: row {issue.row} [{issue.column}] {issue.reason}")

    flagged = {e["row"] for e in spec["issues"] if e["kind"] == "flagged" and e.get("row") is not None}
    planned = sorted((*plan.new, *plan.updated, *plan.unchanged), key=lambda p: p.row if isinstance(p.row, int) else 0)
    parsed = [p.parsed for p in planned if p.row not in flagged]
    expected_questions = spec["questions"]
    found = [as_found(p, expected_questions[i] if i < len(expected_questions) else None) for i, p in enumerate(parsed)]
    if found != expected_questions:

        def lines(questions):
            return [json.dumps(q, ensure_ascii=False, sort_keys=True) for q in questions]

        diff = difflib.unified_diff(lines(expected_questions), lines(found), "expected", "imported", lineterm="", n=0)
        problems.append(
            f"questions differ (expected {len(expected_questions)}, imported {len(found)}):\n" + "\n".join(diff)
        )
    return problems


# --- the corpus itself ------------------------------------------------------------------------------------------


def test_the_corpus_covers_the_layouts_of_the_issue():
    assert len(EXPECTED) >= 15
    specs = [json.loads(p.read_text(encoding="utf-8")) for p in EXPECTED]
    for spec in specs:
        assert (CORPUS / spec["file"]).is_file(), spec["file"]
        assert 5 <= len(spec["questions"]) + len(spec["issues"]) <= 30, spec["file"]
    suffixes = {Path(spec["file"]).suffix for spec in specs}
    assert {".xlsx", ".xls", ".csv", ".docx", ".txt", ".xml", ".gift"} <= suffixes
    bank_files = {p.name for p in CORPUS.iterdir()} - {p.name for p in EXPECTED} - {"make_corpus.py", "README.md"}
    assert bank_files == {spec["file"] for spec in specs}, "every bank file has its expected questions"


def test_the_corpus_files_are_what_they_claim_to_be():
    """Made by real programs: GBK that is not UTF-8, an OLE2 (BIFF) .xls, Word files written by LibreOffice Writer."""
    gbk = (CORPUS / "04_fire_basics_gbk.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        gbk.decode("utf-8")
    assert "消防工作贯彻" in gbk.decode("gbk") and b"\r\n" in gbk
    assert (CORPUS / "05_high_voltage_welding.xls").read_bytes()[:8] == bytes.fromhex("d0cf11e0a1b11ae1")
    for path in CORPUS.glob("*.docx"):
        with zipfile.ZipFile(path) as docx:
            assert "LibreOffice" in docx.read("docProps/app.xml").decode(), path.name
            assert "word/document.xml" in docx.namelist()
    with zipfile.ZipFile(CORPUS / "10_safety_signs_images.docx") as docx:
        assert len([n for n in docx.namelist() if n.startswith("word/media/")]) == 2
    assert b"\r\n" in (CORPUS / "12_gas_elevator_pasted.txt").read_bytes()


# --- every file imports exactly as expected -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("expected_path", EXPECTED, ids=lambda p: p.name.removesuffix(".expected.json"))
def test_corpus_file_imports_exactly_as_expected(expected_path):
    spec = json.loads(expected_path.read_text(encoding="utf-8"))
    problems = differences(spec, plan_of(spec))
    assert not problems, f"{spec['file']} ({spec['note']}):\n" + "\n".join(problems)


def test_the_comparison_notices_a_changed_byte():
    """The check itself: a full-width comma turned into an ASCII one, a dropped warning or an extra rejection is
    a difference (the comparison cannot pass by accident)."""

    class Parsed:
        row, type, stem, options, correct_options = 2, "single", "题干（ ）。", ["停电，验电", "乙"], [0]
        accepted_answers, explanation, category, difficulty, image = [], "", ["用电"], 3, None

    class Planned:
        parsed, row = Parsed, 2

    class Plan:
        new, updated, unchanged, rejected, skipped, warnings = [Planned], [], [], [], [], []

    expected = {"type": "single", "stem": "题干（ ）。", "options": ["停电，验电", "乙"], "answer": "A", "row": 2}
    spec = {"questions": [expected], "issues": [], "allowed_warnings": []}
    assert differences(spec, Plan) == []
    Parsed.options = ["停电,验电", "乙"]
    assert differences(spec, Plan)
    Parsed.options = ["停电，验电", "乙"]
    spec["issues"] = [{"kind": "warning", "row": None, "phrases": ["50%"]}]
    assert differences(spec, Plan) == ["missing warning at anywhere mentioning one of ['50%']"]


# --- updates and pictures, committed ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_retyped_sheet_without_explanation_columns_updates_only_what_changed():
    """02 imported, then 15 (five of its questions re-typed, no 答案解析/难易程度 columns, one moved to another
    chapter): one update showing old -> new chapter, four unchanged, and no explanation or difficulty blanked."""
    first, again = spec_of("02_hazchem_synonyms_title_rows"), spec_of("15_hazchem_retyped_update")
    bank_import(data=bank_file(first), filename=first["file"], actor=None)
    stems = [q["stem"] for q in again["questions"]]
    before = {q.stem: (q.explanation, q.difficulty) for q in Question.objects.filter(stem__in=stems)}
    assert len(before) == 5 and any(explanation for explanation, _d in before.values())

    plan = plan_of(again)
    assert (len(plan.new), len(plan.updated), len(plan.unchanged), len(plan.rejected)) == (0, 1, 4, 0)
    (update,) = plan.report()["updates"]
    assert update["row"] == 2
    shown = json.dumps(update, ensure_ascii=False)
    assert "第一章 基础知识" in shown and "第二章 储存管理" in shown, shown

    bank_import(data=bank_file(again), filename=again["file"], actor=None)
    after = {q.stem: (q.explanation, q.difficulty) for q in Question.objects.filter(stem__in=stems)}
    assert after == before
    moved = Question.objects.select_related("category").get(stem=stems[0])
    assert moved.category.name == "第二章 储存管理"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "stem", "size"),
    [
        ("10_safety_signs_images", "下图所示安全标志表示（ ）。", (160, 140)),
        ("13_moodle_fire_hazchem", "下图所示为（ ）。", (80, 60)),
    ],
)
def test_pictures_are_stored_as_wagtail_images_on_their_questions(name, stem, size):
    spec = spec_of(name)
    bank_import(data=bank_file(spec), filename=spec["file"], fmt=spec["fmt"], actor=None, skip_rejected=True)
    question = Question.objects.select_related("image").get(stem=stem)
    assert question.image is not None, "the picture was not attached"
    assert (question.image.width, question.image.height) == size
    expected_with_pictures = sum(1 for q in spec["questions"] if "image" in q)
    assert Question.objects.filter(image__isnull=False).count() == expected_with_pictures
