"""Moodle XML (`<quiz><question type="...">`), parsed with defusedxml: multichoice (single or multiple), truefalse,
shortanswer (imported as fill-in); `type="category"` entries set the category of the questions after them.
Every other type (essay, matching, numerical, cloze, description ...) is reported as skipped with its reason.
Rows are the line of each `<question>` element."""

from __future__ import annotations

import html
import re

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET
from django.utils.translation import gettext as _

from elearn.spreadsheets import SpreadsheetError
from quizzes.bank.importers.common import Issue, ParseResult, RawQuestion, Rejected, split_tags, validate

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


def _answer_text(answer) -> str:
    value = _text(answer, "text")
    return _plain(value) if answer.get("format", "moodle_auto_format") in ("html", "markdown") else value.strip()


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
    value = html.unescape(_TAG.sub("", value))
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
        answers = []
        for answer in element.findall("answer"):
            try:
                fraction = float(answer.get("fraction", "0") or 0)
            except ValueError:
                fraction = 0.0
            answers.append((_answer_text(answer), fraction))
        raw = RawQuestion(
            row=row,
            stem=_field(element, "questiontext"),
            explanation=_field(element, "generalfeedback"),
            category=list(category),
            tags=split_tags([_text(tag, "text").strip() for tag in element.findall("tags/tag")]),
            columns={"stem": "questiontext", "answer": "answer", "options": "answer", "type": "type"},
            provided=frozenset({"type", "stem", "options", "answer", "explanation", "category", "tags"}),
        )
        if "@@PLUGINFILE@@" in _text(element, "questiontext/text"):
            result.warnings.append(Issue(filename, row, "questiontext", _("题干中的图片未导入，请在后台补充。")))
        try:
            if qtype == "truefalse":
                raw.type_text = "判断题"
                truth = [a for a, f in answers if f > 0]
                if len(truth) != 1 or truth[0].lower() not in ("true", "false"):
                    raise Rejected("answer", _("判断题须有且只有一个得分答案（true 或 false）。"))
                raw.correct_indexes = [0 if truth[0].lower() == "true" else 1]
            elif qtype == "shortanswer":
                raw.type_text = "填空题"
                raw.accepted_answers = [[a for a, f in answers if f > 0 and a]]
            else:
                single = (_text(element, "single") or "true").strip().lower() in ("true", "1")
                raw.options = [a for a, _f in answers]
                raw.correct_indexes = [i for i, (_a, f) in enumerate(answers) if f > 0]
                if not raw.correct_indexes:
                    raise Rejected("answer", _("缺少答案：没有分值为正的选项。"))
                raw.type_text = "单选题" if single and len(raw.correct_indexes) == 1 else "多选题"
                if single and len(raw.correct_indexes) > 1:
                    raise Rejected("single", _("标为单选（single=true），却有多个得分选项。"))
            result.questions.append(validate(raw, filename=filename, warnings=result.warnings))
        except Rejected as exc:
            result.rejected.append(Issue(filename, row, exc.column, exc.reason))
    return result
