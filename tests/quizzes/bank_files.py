"""Builders for question-bank test files (xlsx, csv, GIFT, Aiken, Moodle XML, Kahoot!, zip bombs), made in the
tests with openpyxl so no binary is committed."""

from __future__ import annotations

import io
import zipfile

from openpyxl import Workbook

from quizzes.bank.importers.template import TEMPLATE_HEADER


def xlsx(rows: list[list], *, title_rows: list[list] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in (title_rows or []) + rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that merely looks like a formula, as a user would type '=...
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def template_row(
    type_="单选题",
    stem="题干",
    options=("甲", "乙", "丙", "丁"),
    answer="A",
    explanation="",
    category="消防安全",
    difficulty=3,
    source="",
    tags="",
    time_limit="",
) -> list:
    opts = list(options) + [""] * (8 - len(options))
    return [type_, stem, *opts, answer, explanation, category, difficulty, source, tags, time_limit]


def template_xlsx(rows: list[list]) -> bytes:
    return xlsx([TEMPLATE_HEADER, *rows])


def csv_text(rows: list[list]) -> str:
    import csv

    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


KAHOOT_HEADER = [
    "",
    "Question - max 120 characters",
    "Answer 1 - max 75 characters",
    "Answer 2 - max 75 characters",
    "Answer 3 - max 75 characters",
    "Answer 4 - max 75 characters",
    "Time limit (sec) \u2013 5, 10, 20, 30, 60, 90, 120, or 240 secs",
    "Correct answer(s) - choose at least one",
]


def kahoot_xlsx(rows: list[list]) -> bytes:
    """The Kahoot! template: title block on rows 1-7, header on row 8."""
    title = [
        ["Quiz template"],
        ["Add questions, at least two answer alternatives, time limit and choose correct answers (at least one)."],
        [],
        [],
        [],
        [],
        [],
    ]
    return xlsx([KAHOOT_HEADER, *rows], title_rows=title)


def zip_bomb(name: str = "xl/worksheets/sheet1.xml", size: int = 50 * 1024 * 1024) -> bytes:
    """An 'xlsx' whose one entry inflates to `size` bytes of zeros (a few hundred KB on disk)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open(name, "w", force_zip64=True) as entry:
            chunk = b"\0" * (1024 * 1024)
            for _ in range(size // len(chunk)):
                entry.write(chunk)
    return buffer.getvalue()


def many_entries_zip(count: int = 3000) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for i in range(count):
            archive.writestr(f"x/{i}.xml", "")
    return buffer.getvalue()
