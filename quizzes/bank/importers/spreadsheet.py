"""Question banks as tables (xlsx, xls or csv, UTF-8 or GBK): the project's template and the layouts real Chinese
banks come in.

The header row is found among the first 20 rows by its names: `ACCEPTED_NAMES` lists, per field, every name
recognised (题干/题目/题目内容/试题内容 ..., 答案/正确答案/题目答案 ...), compared after folding full-width forms,
case, spaces, brackets and "(必填)" marks. Options may sit one per column (选项A, A, A选项, 选项1 ...) or all in one
cell ("A.xxx B.xxx"). A header no name matches can be mapped by hand (`column_map`: header name -> field); a mapping
saved for the same header (same fingerprint) is applied again, with a notice. Every header this module cannot map
is reported back, never silently ignored; a file whose header is not found is answered with the rows it looked at
and the names it accepts.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable

from django.utils.translation import gettext as _

from quizzes.bank.importers.common import (
    FIELD_CHOICES,
    HeaderInfo,
    Issue,
    ParseResult,
    RawQuestion,
    Rejected,
    split_category,
    validate,
)
from quizzes.bank.importers.template import is_template_header
from quizzes.bank.models import OPTION_LETTERS

FORMAT = "spreadsheet"
SEARCH_ROWS = 20
SHOWN_CANDIDATES = 3  # header-row candidates quoted in the "no header found" message

# Every name accepted for a field (the first one is the name the template uses). Compared by `header_key`.
ALIASES: dict[str, tuple[str, ...]] = {
    "type": (
        "题型",
        "试题类型",
        "题目类型",
        "类型",
        "题类",
        "题型名称",
        "试题题型",
        "题目题型",
        "questiontype",
        "type",
    ),
    "stem": (
        "题干",
        "题目",
        "题目内容",
        "试题内容",
        "问题",
        "试题",
        "题目名称",
        "内容",
        "试题题干",
        "题目题干",
        "问题内容",
        "考题",
        "stem",
        "question",
    ),
    "options": (
        "选项",
        "题目选项",
        "备选答案",
        "选项内容",
        "试题选项",
        "答案选项",
        "候选项",
        "备选项",
        "全部选项",
        "options",
    ),
    "answer": ("答案", "正确答案", "题目答案", "参考答案", "标准答案", "试题答案", "正确选项", "answer", "correct"),
    "explanation": ("解析", "答案解析", "试题解析", "题目解析", "解释", "解题思路", "答案说明", "explanation"),
    "category": (
        "分类",
        "章节",
        "知识点",
        "作业种类",
        "科目",
        "题目分类",
        "题库分类",
        "所属分类",
        "所属章节",
        "作业类别",
        "题库",
        "category",
    ),
    "difficulty": ("难度", "难易程度", "难度等级", "难易度", "难度系数", "难易", "difficulty"),
    "source": ("出处", "依据", "法规依据", "出题依据", "来源", "题目来源", "参考依据", "法律依据", "source"),
    "tags": ("标签", "关键词", "关键字", "tags", "tag"),
    "time_limit": ("限时（秒）", "限时", "答题时间", "答题时间（秒）", "时间限制", "timelimit"),
}
_CHINESE_NUMBERS = "一二三四五六七八"
_OPTIONAL_MARK = re.compile(r"[（(\[【]\s*(必填|选填|可选|非必填|必选)\s*[)）\]】]")
_FOLDED_AWAY = re.compile(r"[\s*:：()\[\]【】<>《》〈〉「」『』\"'“”‘’_\-—·.。,，、]")
IGNORE_WORDS = {"", "ignore", "忽略", "none"}


def header_key(name: str) -> str:
    """A header name folded for comparison: full-width forms and case folded, "(必填)" marks, spaces, brackets and
    punctuation dropped. "【题目 内容】" and "题目内容" have the same key."""
    key = _OPTIONAL_MARK.sub("", unicodedata.normalize("NFKC", name).casefold())
    return _FOLDED_AWAY.sub("", key)


def _option_names(index: int, letter: str) -> tuple[str, ...]:
    return (
        f"选项{letter}",
        letter,
        f"{letter}选项",
        f"选项{index + 1}",
        f"选项{_CHINESE_NUMBERS[index]}",
        f"答案{letter}",
        f"option{letter}",
        f"option{index + 1}",
    )


_LOOKUP: dict[str, str] = {}
for _field, _names in ALIASES.items():
    for _name in _names:
        _LOOKUP[header_key(_name)] = _field
for _i, _letter in enumerate(OPTION_LETTERS):
    for _name in _option_names(_i, _letter):
        _LOOKUP[header_key(_name)] = f"option{_letter}"


def accepted_names() -> dict[str, list[str]]:
    """Field label -> the header names accepted for it (for messages and the import page)."""
    names = {str(FIELD_CHOICES[f]): list(aliases) for f, aliases in ALIASES.items()}
    names[_("单独的选项列")] = [
        "选项A…选项H",
        "A…H",
        "A选项…H选项",
        "选项1…选项8",
        "选项一…选项八",
        "optionA…optionH",
    ]
    return names


def header_fingerprint(cells: list[str]) -> str:
    """Identifies a header row across files: the folded names in order (trailing empty cells ignored)."""
    keys = [header_key(c) for c in cells]
    while keys and not keys[-1]:
        keys.pop()
    return hashlib.sha256("\x1f".join(keys).encode()).hexdigest()


def normalise_column_map(column_map: dict | None) -> dict[str, str]:
    """{"题目选项": "options", "备注": ""} -> {header_key: field}; "" / "忽略" / "ignore" mean ignore the column.
    Raises ValueError (message for the user) for a field that does not exist."""
    if column_map is None:
        return {}
    if not isinstance(column_map, dict):
        raise ValueError(_("列对应关系应为“表头名称: 字段”的映射。"))
    out: dict[str, str] = {}
    for name, field in column_map.items():
        value = str(field or "").strip()
        if value.casefold() in IGNORE_WORDS:
            value = ""
        elif value not in FIELD_CHOICES:
            raise ValueError(
                _("列“%(name)s”对应的字段“%(field)s”无效，可用：%(fields)s 或 忽略。")
                % {"name": name, "field": value, "fields": "、".join(FIELD_CHOICES)}
            )
        key = header_key(str(name))
        if key:
            out[key] = value
    return out


def map_header(
    header: list[str], overrides: dict[str, str] | None = None
) -> tuple[dict[str, int], list[str], list[str]]:
    """field -> column index; the non-empty names that map to nothing (or to a field already taken); and the field of
    every column ("" = none). `overrides` (header_key -> field or "") win over the names recognised."""
    mapping: dict[str, int] = {}
    unmapped: list[str] = []
    fields: list[str] = []
    for index, name in enumerate(header):
        key = header_key(name)
        if not key:
            fields.append("")
            continue
        if overrides and key in overrides:
            field = overrides[key] or None
            if field is None:
                fields.append("")
                continue
        else:
            field = _LOOKUP.get(key)
            if field is None and key.startswith(("题干", "题目内容", "试题内容")):
                field = "stem"
        if field is None or field in mapping:
            unmapped.append(name)
            fields.append("")
        else:
            mapping[field] = index
            fields.append(field)
    return mapping, unmapped, fields


def _header_cells(row: list[str]) -> list[str]:
    return [c.replace("\n", "").strip() for c in row]


def merge_sub_headers(rows: list[list[str]], search_rows: int = SEARCH_ROWS) -> list[list[str]]:
    """A header on two rows, as a sheet with merged cells has it: "选项" merged over four columns and A B C D in the
    row below (the other names merged down over both rows, so empty below). The two rows become one header row
    (选项A … 选项D) followed by an empty row, so row numbers stay the sheet's. Only a row below holding nothing but
    option letters in order, the first under a named cell and the rest under empty ones, is such a row."""
    out = rows
    for index in range(min(search_rows, len(rows)) - 1):
        names = _sub_header_names(_header_cells(rows[index]), _header_cells(rows[index + 1]))
        if names is not None:
            out = [*rows[:index], names, [""] * len(rows[index + 1]), *rows[index + 2 :]]
            break
    return out


def _sub_header_names(above: list[str], below: list[str]) -> list[str] | None:
    filled = [(i, cell) for i, cell in enumerate(below) if cell]
    if len(filled) < 2:
        return None
    first = filled[0][0]
    for offset, (i, cell) in enumerate(filled):
        letter = OPTION_LETTERS[offset] if offset < len(OPTION_LETTERS) else None
        if i != first + offset or unicodedata.normalize("NFKC", cell).upper().strip(".、)）") != letter:
            return None
        over = above[i] if i < len(above) else ""
        if (offset == 0) != bool(over):
            return None  # the first letter sits under the merged label, the others under its empty continuation
    names = list(above) + [""] * (len(below) - len(above))
    for offset, (i, _cell) in enumerate(filled):
        names[i] = f"选项{OPTION_LETTERS[offset]}"
    return names


def _is_header(mapping: dict[str, int]) -> bool:
    return "stem" in mapping and "answer" in mapping


def find_header(rows: list[list[str]], search_rows: int = SEARCH_ROWS, overrides_for=None) -> int | None:
    """Index of the first row (of the first `search_rows`) naming a stem and an answer column."""
    for index, row in enumerate(rows[:search_rows]):
        cells = _header_cells(row)
        overrides = overrides_for(cells) if overrides_for else None
        if _is_header(map_header(cells, overrides)[0]):
            return index
    return None


def _candidate_index(rows: list[list[str]]) -> int | None:
    """The likeliest header row when none is recognised: the first of the widest rows among the first 20."""
    widths = [(sum(1 for c in row if c.strip()), -i) for i, row in enumerate(rows[:SEARCH_ROWS])]
    best = max(widths, default=(0, 0))
    return -best[1] if best[0] else None


def _first_data_row(rows: list[list[str]], header_index: int) -> list[str]:
    return next((row for row in rows[header_index + 1 :] if any(row)), [])


def _no_header_message(rows: list[list[str]]) -> str:
    shown = []
    for index, row in enumerate(rows[:SEARCH_ROWS]):
        cells = [c for c in _header_cells(row) if c]
        if not cells:
            continue
        _mapping, _unmapped, fields = map_header(cells)
        parts = [
            (cell[:20] + ("…" if len(cell) > 20 else "")) + (f"［{FIELD_CHOICES[f]}］" if f else "")
            for cell, f in zip(cells[:12], fields, strict=False)
        ]
        if len(cells) > 12:
            parts.append("…")
        shown.append(_("第 %(row)d 行：%(cells)s") % {"row": index + 1, "cells": " | ".join(parts)})
        if len(shown) == SHOWN_CANDIDATES:
            break
    accepted = "；".join(f"{label}：{'、'.join(names)}" for label, names in accepted_names().items())
    return _(
        "前 %(n)d 行中找不到表头行：表头须有一列题干和一列答案。看到的前几行是——%(rows)s。"
        "可用的列名（不区分全角半角、空格和括号）——%(accepted)s。"
        "也可以在预览页为每一列指定对应的字段。"
    ) % {"n": SEARCH_ROWS, "rows": "；".join(shown) or _("（没有内容）"), "accepted": accepted}


def parse_rows(
    rows: list[list[str]],
    filename: str,
    *,
    default_category: list[str],
    column_map: dict | None = None,
    saved_mappings: Callable[[list[str]], dict[str, dict[str, str]]] | None = None,
) -> ParseResult:
    """Parse a table. `column_map` (header name -> field, "" to ignore) is a mapping chosen by hand for this import;
    without one, `saved_mappings(fingerprints)` -> {fingerprint: {header_key: field}} supplies remembered ones."""
    result = ParseResult(filename=filename, format=FORMAT)
    rows = merge_sub_headers(rows)
    manual = normalise_column_map(column_map)
    remembered: dict[str, dict[str, str]] = {}
    if not manual and saved_mappings is not None:
        fingerprints = [header_fingerprint(_header_cells(row)) for row in rows[:SEARCH_ROWS] if any(row)]
        remembered = saved_mappings(fingerprints) or {}

    def overrides_for(cells: list[str]) -> dict[str, str] | None:
        return manual or remembered.get(header_fingerprint(cells))

    header_index = find_header(rows, overrides_for=overrides_for)
    if header_index is None:
        candidate = _candidate_index(rows)
        if candidate is not None:
            cells = _header_cells(rows[candidate])
            overrides = overrides_for(cells)
            _mapping, _unmapped, fields = map_header(cells, overrides)
            result.header = HeaderInfo(
                row=None,
                names=cells,
                fields=fields,
                fingerprint=header_fingerprint(cells),
                source="manual" if manual else ("remembered" if overrides else "auto"),
                samples=_first_data_row(rows, candidate),
            )
        result.rejected.append(Issue(filename, 1, _("表头"), _no_header_message(rows)))
        return result
    header = _header_cells(rows[header_index])
    overrides = overrides_for(header)
    mapping, unmapped, fields = map_header(header, overrides)
    source = "manual" if manual else ("remembered" if overrides else "auto")
    result.header = HeaderInfo(
        row=header_index + 1,
        names=header,
        fields=fields,
        fingerprint=header_fingerprint(header),
        source=source,
        column_map={name: field for name, field in zip(header, fields, strict=True) if name},
        samples=_first_data_row(rows, header_index),
    )
    if source == "remembered":
        shown = "、".join(
            f"{name}→{FIELD_CHOICES[f] if f else _('忽略')}"
            for name, f in zip(header, fields, strict=True)
            if name and header_key(name) in overrides
        )
        result.notices.append(
            _("已自动套用上次为这个表头保存的列对应关系：%(map)s。如需修改，请在下面重新指定。") % {"map": shown}
        )
    result.unmapped_columns = unmapped
    result.layout = "template" if is_template_header(header) else "chinese"
    if unmapped:
        result.warnings.append(Issue(filename, header_index + 1, "、".join(unmapped), _("这些列无法识别，已忽略。")))
    option_fields = [f"option{letter}" for letter in OPTION_LETTERS if f"option{letter}" in mapping]
    if option_fields and "options" in mapping:
        result.warnings.append(
            Issue(filename, header_index + 1, header[mapping["options"]], _("已有单独的选项列，此列被忽略。"))
        )
    columns = {field: header[index] for field, index in mapping.items()}
    if option_fields:
        columns["options"] = "、".join(header[mapping[f]] for f in option_fields)
    # A field whose column the file lacks is not provided: an update keeps the stored value.
    provided = frozenset(
        {"type", "stem", "options", "answer"}
        | {f for f in ("explanation", "category", "difficulty", "source", "tags", "time_limit") if f in mapping}
    )
    width = len(header)
    option_indexes = [mapping[f"option{letter}"] if f"option{letter}" in mapping else None for letter in OPTION_LETTERS]
    last_option = max((i for i, idx in enumerate(option_indexes) if idx is not None), default=-1)

    def cell(row: list[str], field: str) -> str:
        index = mapping.get(field)
        return row[index] if index is not None and index < len(row) else ""

    for offset, row in enumerate(rows[header_index + 1 :]):
        if not any(row[:width]):
            continue
        row_no = header_index + 2 + offset
        raw = RawQuestion(
            row=row_no,
            type_text=cell(row, "type"),
            stem=cell(row, "stem"),
            answer=cell(row, "answer"),
            explanation=cell(row, "explanation"),
            category=split_category(cell(row, "category")) or list(default_category),
            difficulty=cell(row, "difficulty"),
            source=cell(row, "source"),
            tags=cell(row, "tags"),
            time_limit=cell(row, "time_limit"),
            columns=columns,
            # An empty category cell means "not given": a re-import keeps the stored category (a question always
            # has one, so it is never cleared).
            provided=provided if cell(row, "category") else provided - {"category"},
        )
        if option_fields:
            raw.options = [
                (row[idx] if idx is not None and idx < len(row) else "") for idx in option_indexes[: last_option + 1]
            ]
        else:
            raw.options_cell = cell(row, "options")
        try:
            result.questions.append(validate(raw, filename=filename, warnings=result.warnings))
        except Rejected as exc:
            result.rejected.append(Issue(filename, row_no, exc.column, exc.reason))
    return result
