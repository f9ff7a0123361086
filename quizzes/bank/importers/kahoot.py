"""The Kahoot! quiz spreadsheet template: a title block, the header on row 8 ("Question - max 120 characters",
"Answer 1 - max 75 characters" ... "Time limit (sec) – 5, 10, 20, 30, 60, 90, 120, or 240 secs" with an en dash,
"Correct answer(s) - choose at least one"), correct answers written "1,3" or stored as the number 1.0.
The time limit is kept for live competitions."""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

from quizzes.bank.importers.common import Issue, ParseResult, RawQuestion, Rejected, true_false_value, validate

FORMAT = "kahoot"
KAHOOT_TIME_LIMITS = (5, 10, 20, 30, 60, 90, 120, 240)


def _kind(name: str) -> str | None:
    text = unicodedata.normalize("NFKC", name).strip().casefold()
    if text.startswith("question"):
        return "stem"
    match = re.match(r"answer\s*(\d)", text)
    if match:
        return f"answer{match.group(1)}"
    if text.startswith("time limit"):
        return "time_limit"
    if text.startswith("correct answer"):
        return "correct"
    return None


def looks_like_kahoot(rows: list[list[str]]) -> bool:
    return find_header(rows) is not None


def find_header(rows: list[list[str]]) -> int | None:
    for index, row in enumerate(rows[:15]):
        kinds = {_kind(c) for c in row if c}
        if "stem" in kinds and "correct" in kinds and "answer1" in kinds:
            return index
    return None


def parse_rows(rows: list[list[str]], filename: str, *, default_category: list[str]) -> ParseResult:
    result = ParseResult(filename=filename, format=FORMAT, layout="kahoot")
    header_index = find_header(rows)
    if header_index is None:
        result.rejected.append(Issue(filename, 8, _("表头"), _("找不到 Kahoot! 模板的表头行（第 8 行）。")))
        return result
    header = rows[header_index]
    mapping: dict[str, int] = {}
    for index, name in enumerate(header):
        kind = _kind(name) if name else None
        if kind and kind not in mapping:
            mapping[kind] = index
        elif name:
            result.unmapped_columns.append(name)
    if result.unmapped_columns:
        result.warnings.append(
            Issue(filename, header_index + 1, "、".join(result.unmapped_columns), _("这些列无法识别，已忽略。"))
        )
    answer_keys = sorted((k for k in mapping if k.startswith("answer")), key=lambda k: int(k[6:]))
    columns = {
        "stem": header[mapping["stem"]],
        "answer": header[mapping["correct"]],
        "options": "、".join(header[mapping[k]] for k in answer_keys),
    }
    if "time_limit" in mapping:
        columns["time_limit"] = header[mapping["time_limit"]]
    provided = frozenset({"type", "stem", "options", "answer", "time_limit"})

    def cell(row, key):
        index = mapping.get(key)
        return row[index] if index is not None and index < len(row) else ""

    for offset, row in enumerate(rows[header_index + 1 :]):
        row_no = header_index + 2 + offset
        stem = cell(row, "stem")
        answers = [cell(row, k) for k in answer_keys]
        correct_text = cell(row, "correct")
        if not stem and not any(answers) and not correct_text:
            continue
        try:
            raw = _raw(
                row_no, stem, answers, correct_text, cell(row, "time_limit"), columns, provided, default_category
            )
            if raw.time_limit and raw.time_limit.replace(".0", "").isdigit():
                if int(float(raw.time_limit)) not in KAHOOT_TIME_LIMITS:
                    result.warnings.append(
                        Issue(
                            filename,
                            row_no,
                            columns.get("time_limit", ""),
                            _("Kahoot! 只允许 5、10、20、30、60、90、120 或 240 秒。"),
                        )
                    )
            result.questions.append(validate(raw, filename=filename, warnings=result.warnings))
        except Rejected as exc:
            result.rejected.append(Issue(filename, row_no, exc.column, exc.reason))
    return result


def _raw(row_no, stem, answers, correct_text, time_limit, columns, provided, default_category) -> RawQuestion:
    if not correct_text:
        raise Rejected(columns["answer"], _("缺少答案。"))
    numbers = []
    for part in re.split(r"[,，;；、\s]+", unicodedata.normalize("NFKC", correct_text).strip()):
        if not part:
            continue
        try:
            value = float(part)
        except ValueError:
            raise Rejected(
                columns["answer"], _("正确答案“%(a)s”应写作答案序号，如 1 或 1,3。") % {"a": correct_text}
            ) from None
        if not value.is_integer():
            raise Rejected(columns["answer"], _("正确答案“%(a)s”不是整数序号。") % {"a": correct_text})
        numbers.append(int(value))
    # Options are the non-empty answer cells; correct answers refer to the cell numbers (1-based).
    kept = [(number, text) for number, text in enumerate(answers, start=1) if text]
    position = {number: i for i, (number, _text) in enumerate(kept)}
    missing = [n for n in numbers if n not in position]
    if missing:
        raise Rejected(
            columns["answer"],
            _("正确答案 %(a)s 不在已填写的答案中（已填写：%(have)s）。")
            % {"a": correct_text, "have": ",".join(str(n) for n, _t in kept) or "无"},
        )
    options = [text for _n, text in kept]
    indexes = sorted({position[n] for n in numbers})
    is_true_false = len(options) == 2 and {true_false_value(o) for o in options} == {0, 1}
    qtype = "判断题" if is_true_false else ("单选题" if len(indexes) == 1 else "多选题")
    return RawQuestion(
        row=row_no,
        type_text=qtype,
        stem=stem,
        options=options,
        correct_indexes=indexes,
        category=list(default_category),
        time_limit=time_limit,
        columns=columns,
        provided=provided,
    )
