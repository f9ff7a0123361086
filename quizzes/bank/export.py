"""Exporting the question bank: the Excel/CSV template (re-imports with no changes), Moodle GIFT and Moodle XML.

Spreadsheet cells go through elearn.spreadsheets (xlsxwriter constant memory, cells that start like a formula
neutralised); the importer undoes that neutralisation, so a round trip is exact.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.etree import ElementTree as ET

from django.db.models import QuerySet

from elearn.spreadsheets import csv_bytes, workbook_bytes
from quizzes.bank.importers.common import TYPE_LABELS, answer_to_text, format_source
from quizzes.bank.importers.plan import CategoryIndex
from quizzes.bank.importers.template import TEMPLATE_HEADER
from quizzes.bank.models import OPTION_LETTERS, Question, QuestionTag

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_FORMATS = {
    "xlsx": ("question-bank.xlsx", XLSX),
    "csv": ("question-bank.csv", "text/csv; charset=utf-8"),
    "gift": ("question-bank.gift.txt", "text/plain; charset=utf-8"),
    "xml": ("question-bank.moodle.xml", "application/xml; charset=utf-8"),
}


def _tags_by_question(queryset: QuerySet) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = {}
    links = QuestionTag.objects.filter(content_object__in=queryset.values("pk")).order_by("tag__name")
    for qid, name in links.values_list("content_object_id", "tag__name").iterator(chunk_size=5000):
        tags.setdefault(qid, []).append(name)
    return tags


def _questions(queryset: QuerySet) -> Iterator[Question]:
    return queryset.order_by("category_id", "pk").iterator(chunk_size=2000)


def template_rows(queryset: QuerySet) -> Iterator[list]:
    categories = CategoryIndex()
    tags = _tags_by_question(queryset)
    for q in _questions(queryset):
        options = list(q.options) if q.type in (Question.Type.SINGLE, Question.Type.MULTIPLE) else []
        yield [
            TYPE_LABELS[q.type],
            q.stem,
            *(options + [""] * (len(OPTION_LETTERS) - len(options)))[: len(OPTION_LETTERS)],
            answer_to_text(q),
            q.explanation,
            " > ".join(categories.path_of.get(q.category_id, ())),
            q.difficulty,
            format_source(q.source_law, q.source_article),
            " ".join(tags.get(q.pk, [])),
            q.time_limit if q.time_limit else "",
        ]


def export_xlsx(queryset: QuerySet) -> bytes:
    return workbook_bytes([("题库", TEMPLATE_HEADER, template_rows(queryset))])


def export_csv(queryset: QuerySet) -> bytes:
    return csv_bytes(TEMPLATE_HEADER, template_rows(queryset))


# --- GIFT ----------------------------------------------------------------------------------------------------


def gift_escape(text: str) -> str:
    text = str(text).replace("\\", "\\\\")
    for ch in "~=#{}:":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\r", "").replace("\n", "\\n")


def _moodle_category(path: tuple[str, ...]) -> str:
    return "/".join(["$course$", "top", *(p.replace("/", "//") for p in path)])


def _weight(count: int) -> str:
    return f"{100 / count:.5f}".rstrip("0").rstrip(".")


def export_gift(queryset: QuerySet) -> bytes:
    categories = CategoryIndex()
    out: list[str] = ["// 题库导出（Moodle GIFT）。填空题只导出第一个空。", ""]
    current = None
    for q in _questions(queryset):
        path = categories.path_of.get(q.category_id, ())
        if path != current:
            out += [f"$CATEGORY: {_moodle_category(path)}", ""]
            current = path
        title = f"::Q{q.pk}::"
        stem = gift_escape(q.stem)
        feedback = f"####{gift_escape(q.explanation)}" if q.explanation else ""
        if q.type == Question.Type.TRUE_FALSE:
            body = "{" + ("TRUE" if q.correct_options == [0] else "FALSE") + feedback + "}"
        elif q.type == Question.Type.FILL:
            if len(q.accepted_answers) != 1:
                out += [f"// Q{q.pk}: 多空填空题无法用 GIFT 表达，已略过。", ""]
                continue
            body = "{" + " ".join("=" + gift_escape(a) for a in q.accepted_answers[0]) + feedback + "}"
        elif q.type == Question.Type.SINGLE:
            items = [("=" if i in q.correct_options else "~") + gift_escape(o) for i, o in enumerate(q.options)]
            body = "{\n\t" + "\n\t".join(items) + ("\n\t" + feedback if feedback else "") + "\n}"
        else:
            weight = _weight(len(q.correct_options))
            items = [
                (f"~%{weight}%" if i in q.correct_options else "~%-100%") + gift_escape(o)
                for i, o in enumerate(q.options)
            ]
            body = "{\n\t" + "\n\t".join(items) + ("\n\t" + feedback if feedback else "") + "\n}"
        out += [f"{title} {stem} {body}", ""]
    return "\n".join(out).encode("utf-8")


# --- Moodle XML ----------------------------------------------------------------------------------------------


def _text_node(parent, tag: str, text: str, *, fmt: str | None = "plain_text"):
    node = ET.SubElement(parent, tag)
    if fmt:
        node.set("format", fmt)
    ET.SubElement(node, "text").text = text
    return node


_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def export_moodle_xml(queryset: QuerySet) -> bytes:
    categories = CategoryIndex()
    tags = _tags_by_question(queryset)
    root = ET.Element("quiz")
    current = None
    for q in _questions(queryset):
        path = categories.path_of.get(q.category_id, ())
        if path != current:
            entry = ET.SubElement(root, "question", type="category")
            ET.SubElement(ET.SubElement(entry, "category"), "text").text = _moodle_category(path)
            current = path
        kind = {
            Question.Type.SINGLE: "multichoice",
            Question.Type.MULTIPLE: "multichoice",
            Question.Type.TRUE_FALSE: "truefalse",
            Question.Type.FILL: "shortanswer",
        }[q.type]
        element = ET.SubElement(root, "question", type=kind)
        ET.SubElement(ET.SubElement(element, "name"), "text").text = f"Q{q.pk} {q.stem[:40]}"
        _text_node(element, "questiontext", _XML_ILLEGAL.sub("", q.stem))
        _text_node(element, "generalfeedback", _XML_ILLEGAL.sub("", q.explanation))
        ET.SubElement(element, "defaultgrade").text = "1"
        ET.SubElement(element, "idnumber").text = str(q.pk)
        if kind == "multichoice":
            ET.SubElement(element, "single").text = "true" if q.type == Question.Type.SINGLE else "false"
            ET.SubElement(element, "shuffleanswers").text = "true"
            ET.SubElement(element, "answernumbering").text = "ABCD"
            weight = _weight(len(q.correct_options)) if q.correct_options else "0"
            for i, option in enumerate(q.options):
                fraction = (
                    (weight if q.type == Question.Type.MULTIPLE else "100")
                    if i in q.correct_options
                    else ("-100" if q.type == Question.Type.MULTIPLE else "0")
                )
                answer = _text_node(element, "answer", _XML_ILLEGAL.sub("", option))
                answer.set("fraction", fraction)
        elif kind == "truefalse":
            for i, word in enumerate(("true", "false")):
                answer = _text_node(element, "answer", word, fmt="moodle_auto_format")
                answer.set("fraction", "100" if q.correct_options == [i] else "0")
        else:
            ET.SubElement(element, "usecase").text = "0"
            for spelling in q.accepted_answers[0] if q.accepted_answers else []:
                answer = _text_node(element, "answer", _XML_ILLEGAL.sub("", spelling))
                answer.set("fraction", "100")
        if tags.get(q.pk):
            tags_node = ET.SubElement(element, "tags")
            for name in tags[q.pk]:
                ET.SubElement(ET.SubElement(tags_node, "tag"), "text").text = name
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")


def export_bank(queryset: QuerySet, fmt: str) -> tuple[bytes, str, str]:
    """(body, filename, content type) for `fmt` in EXPORT_FORMATS."""
    writer = {"xlsx": export_xlsx, "csv": export_csv, "gift": export_gift, "xml": export_moodle_xml}[fmt]
    filename, content_type = EXPORT_FORMATS[fmt]
    return writer(queryset), filename, content_type
