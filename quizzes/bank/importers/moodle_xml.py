"""Moodle XML (`<quiz><question type="...">`), parsed with defusedxml: multichoice (single or multiple), truefalse,
shortanswer (imported as fill-in); `type="category"` entries set the category of the questions after them.
Every other type (essay, matching, numerical, cloze, description ...) is reported as skipped with its reason.
Rows are the line of each `<question>` element; messages name the question by its `<name>`.

Fidelity: fractions follow `grades` (a value Moodle itself would refuse is a rejection naming the question and the
value; partial credit becomes a multiple-choice question or a warning). The stem's pictures (`<file>` elements
referenced as `@@PLUGINFILE@@/x.png`, `data:` URIs, Moodle 1.9's `<image_base64>`) become the question's image
(`html_media`, checked by `images`); other media, and pictures in options or feedback, are warnings."""

from __future__ import annotations

import base64
import binascii
import html
import re

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.utils.translation import gettext as _

from elearn.spreadsheets import SpreadsheetError
from quizzes.bank.importers import grades, html_media
from quizzes.bank.importers.common import (
    ImportedImage,
    Issue,
    ParseResult,
    RawQuestion,
    Rejected,
    split_tags,
    validate,
)
from quizzes.bank.importers.images import choose_image

FORMAT = "moodle_xml"
_TAG = re.compile(r"<[^>]+>")
TYPE_NAMES = {
    "essay": "问答题（essay）",
    "matching": "匹配题（matching）",
    "numerical": "数值题（numerical）",
    "cloze": "完形填空（cloze）",
    "multianswer": "完形填空（cloze）",
    "description": "说明（description）",
    "calculated": "计算题（calculated）",
    "ddwtos": "拖放题（ddwtos）",
    "gapselect": "下拉选词（gapselect）",
    "randomsamatch": "随机匹配题",
}


HTML_FORMATS = ("html", "markdown", "moodle_auto_format")


def _answer_text(answer) -> str:
    value = _text(answer, "text")
    return _plain(value) if answer.get("format", "moodle_auto_format") in ("html", "markdown") else value.strip()


def _answer_html(answer) -> str:
    return _text(answer, "text") if answer.get("format", "moodle_auto_format") in HTML_FORMATS else ""


def looks_like_moodle_xml(text: str) -> bool:
    return "<quiz" in text[:2000]


def _text(element, path: str) -> str:
    node = element.find(path)
    if node is None:
        return ""
    value = node.text or ""
    return value


def _field(element, path: str) -> str:
    """Text of `path/text`, with HTML removed when the field's format is html (Moodle's default)."""
    node = element.find(path)
    if node is None:
        return ""
    value = _text(node, "text")
    if node.get("format", "html") in ("html", "markdown"):
        return _plain(value)
    return value.strip()


def _plain(value: str) -> str:
    value = re.sub(r"<br\s*/?>|</p>", "\n", value, flags=re.I)
    value = html.unescape(_TAG.sub("", value)).replace("\xa0", " ")  # &nbsp; is layout in HTML, a plain space
    return value.strip()


def _category(path: str) -> list[str]:
    parts = [p.strip() for p in re.split(r"(?<!/)/(?!/)", path)]
    return [p.replace("//", "/") for p in parts if p and not p.startswith("$") and p.lower() != "top"]


def parse_text(text: str, filename: str, *, default_category: list[str]) -> ParseResult:
    try:
        root = SafeET.fromstring(text)
    except DefusedXmlException as exc:
        raise SpreadsheetError(
            _("XML 文件“%(name)s”含有实体或 DTD 定义，出于安全原因拒绝处理。") % {"name": filename}
        ) from exc
    except SafeET.ParseError as exc:
        line = getattr(exc, "position", (0, 0))[0]
        raise SpreadsheetError(
            _("XML 文件“%(name)s”格式错误（第 %(line)d 行）：%(error)s")
            % {"name": filename, "line": line, "error": exc}
        ) from exc
    if root.tag != "quiz":
        raise SpreadsheetError(_("“%(name)s”不是 Moodle XML 题库（根元素应为 <quiz>）。") % {"name": filename})
    lines = [text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"<question[\s>]", text)]
    result = ParseResult(filename=filename, format=FORMAT, layout="moodle_xml")
    category = list(default_category)
    for index, element in enumerate(root.findall("question")):
        row = lines[index] if index < len(lines) else index + 1
        qtype = element.get("type", "")
        if qtype == "category":
            category = _category(_text(element, "category/text")) or list(default_category)
            continue
        if qtype not in ("multichoice", "truefalse", "shortanswer"):
            label = TYPE_NAMES.get(qtype, qtype or _("（未注明）"))
            result.skipped.append(Issue(filename, row, "type", _("不支持的题型 %(t)s，已跳过。") % {"t": label}))
            continue
        name = _text(element, "name/text").strip() or _("第 %(row)d 行") % {"row": row}
        notes: list[tuple[str, str]] = []
        try:
            raw = _question(element, qtype, name, row, category, notes)
            parsed = validate(raw, filename=filename, warnings=result.warnings)
        except Rejected as exc:
            result.rejected.append(Issue(filename, row, exc.column, exc.reason))
            continue
        result.questions.append(parsed)
        result.warnings.extend(Issue(filename, row, column, reason) for column, reason in notes)
    return result


def _question(element, qtype: str, name: str, row: int, category: list[str], notes: list[tuple[str, str]]):
    """The RawQuestion of one `<question>`; appends (column, warning) pairs to `notes`; raises Rejected."""
    raw = RawQuestion(
        row=row,
        stem=_field(element, "questiontext"),
        explanation=_field(element, "generalfeedback"),
        category=list(category),
        tags=split_tags([_text(tag, "text").strip() for tag in element.findall("tags/tag")]),
        columns={"stem": "questiontext", "answer": "answer", "options": "answer", "type": "type"},
        provided=frozenset({"type", "stem", "options", "answer", "explanation", "category", "tags"}),
    )
    raw.image = _stem_image(element, name, notes)
    feedback = element.find("generalfeedback")
    if feedback is not None and feedback.get("format", "html") in HTML_FORMATS:
        found = html_media.scan(_text(feedback, "text"), question=name, where=_("解析"), files={}, attachable=False)
        notes.extend(("generalfeedback", note) for note in found.notes)
    if not raw.stem.strip() and raw.image is not None:
        raise Rejected(
            "questiontext", _("题目“%(name)s”的题干只有图片、没有文字：请在题干中写明问题。") % {"name": name}
        )

    answers = element.findall("answer")
    texts = [_answer_text(answer) for answer in answers]
    for i, answer in enumerate(answers):
        if html_media.only_media(_answer_html(answer), texts[i]):
            raise Rejected(
                "answer",
                _("题目“%(name)s”的选项 %(l)s 只有图片、没有文字：本平台的选项只能是文字。")
                % {"name": name, "l": grades.letter(i)},
            )
    what = _("选项 %(letter)s") if qtype == "multichoice" else _("答案“%(text)s”")
    values = [
        grades.parse_grade(
            answer.get("fraction"),
            name=name,
            what=what % {"letter": grades.letter(i), "text": texts[i]},
            column="answer/@fraction",
        )
        for i, answer in enumerate(answers)
    ]
    if qtype == "truefalse":
        raw.type_text = "判断题"
        truth = [t for t, v in zip(texts, values, strict=True) if v > 0]
        if len(truth) != 1 or truth[0].lower() not in ("true", "false"):
            raise Rejected(
                "answer", _("题目“%(name)s”：判断题须有且只有一个得分答案（true 或 false）。") % {"name": name}
            )
        if values[texts.index(truth[0])] < 100:
            raise Rejected(
                "answer/@fraction",
                _("题目“%(name)s”：判断题的得分答案“%(t)s”只有 %(v)s，应为 100%%。")
                % {"name": name, "t": truth[0], "v": grades.show(values[texts.index(truth[0])])},
            )
        raw.correct_indexes = [0 if truth[0].lower() == "true" else 1]
        return raw
    if qtype == "shortanswer":
        raw.type_text = "填空题"
        accepted, lost = grades.map_short_answer(list(zip(texts, values, strict=True)), name=name, column="answer")
        raw.accepted_answers = [accepted]
        notes.extend(("answer", note) for note in lost)
        _option_media(answers, name, notes, where=lambda _i: _("答案"))
        return raw
    single = (_text(element, "single") or "true").strip().lower() in ("true", "1")
    raw.options = texts
    mapping = grades.map_choice(values, single=single, name=name, column="answer/@fraction")
    raw.correct_indexes = mapping.correct
    raw.type_text = mapping.type_text
    notes.extend(("answer/@fraction", note) for note in mapping.notes)
    _option_media(answers, name, notes, where=lambda i: _("选项 %(l)s") % {"l": grades.letter(i)})
    return raw


def _option_media(answers, name: str, notes: list[tuple[str, str]], *, where) -> None:
    for i, answer in enumerate(answers):
        body = _answer_html(answer)
        if body:
            found = html_media.scan(body, question=name, where=where(i), files={}, attachable=False)
            notes.extend(("answer", note) for note in found.notes)


def _files(node, name: str, notes: list[tuple[str, str]], column: str) -> dict[str, bytes]:
    """A field's `<file name="x.png" path="/" encoding="base64">` elements: {"x.png": bytes} (and "sub/x.png")."""
    files: dict[str, bytes] = {}
    for item in node.findall("file"):
        filename = (item.get("name") or "").strip()
        if not filename:
            continue
        path = (item.get("path") or "/").strip("/")
        try:
            data = base64.b64decode("".join((item.text or "").split()), validate=True)
        except (binascii.Error, ValueError):
            notes.append(
                (
                    column,
                    _("题目“%(name)s”的附件“%(file)s”base64 数据有误，未导入。") % {"name": name, "file": filename},
                )
            )
            continue
        files[f"{path}/{filename}" if path else filename] = data
    return files


def _stem_image(element, name: str, notes: list[tuple[str, str]]) -> ImportedImage | None:
    """The question's picture: Moodle 1.9's `<image_base64>` first (shown above the text), then the pictures of the
    question text in order. Warnings for the rest, for media, and for attached files the text never shows."""
    images: list[ImportedImage] = []
    legacy_name = _text(element, "image").strip()
    legacy_data = "".join(_text(element, "image_base64").split())
    if legacy_data:
        try:
            images.append(
                ImportedImage(name=legacy_name or "image.png", data=base64.b64decode(legacy_data, validate=True))
            )
        except (binascii.Error, ValueError):
            notes.append(("image_base64", _("题目“%(name)s”的 <image_base64> 数据有误，未导入。") % {"name": name}))
    elif legacy_name:
        notes.append(
            ("image", _("题目“%(name)s”的图片“%(file)s”未随文件导出，未导入。") % {"name": name, "file": legacy_name})
        )
    node = element.find("questiontext")
    if node is not None:
        files = _files(node, name, notes, "questiontext")
        body = _text(node, "text")
        if node.get("format", "html") in HTML_FORMATS:
            found = html_media.scan(body, question=name, where=_("题干"), files=files)
            images.extend(found.images)
            notes.extend(("questiontext", note) for note in found.notes)
        for unused in html_media.unused_files(files, body):
            notes.append(
                (
                    "questiontext",
                    _("题目“%(name)s”的附件“%(file)s”没有在题干中使用（Moodle 也不显示它），未导入。")
                    % {"name": name, "file": unused},
                )
            )
    chosen, problems = choose_image(images, question=name)
    notes.extend(("questiontext", note) for note in problems)
    return chosen
