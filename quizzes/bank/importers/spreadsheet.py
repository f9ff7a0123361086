"""Question banks as tables (xlsx or csv, UTF-8 or GBK): the project's template and the layouts real Chinese
banks come in.

The header row is found among the first 20 rows by its names (题干/题目/试题内容 ..., 答案/正确答案 ...); options
may sit one per column (选项A, A, A选项, 选项1 ...) or all in one cell ("A.xxx B.xxx"). Every header this module
cannot map is reported back, never silently ignored.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.translation import gettext as _

from quizzes.bank.importers.common import Issue, ParseResult, RawQuestion, Rejected, split_category, validate
from quizzes.bank.importers.template import is_template_header
from quizzes.bank.models import OPTION_LETTERS

FORMAT = "spreadsheet"

ALIASES: dict[str, tuple[str, ...]] = {
    "type": ("题型", "题目类型", "试题类型", "题类", "类型", "题型名称", "questiontype", "type"),
    "stem": (
        "题干",
        "题目",
        "题目内容",
        "试题内容",
        "试题",
        "问题",
        "题目名称",
        "内容",
        "试题题干",
        "stem",
        "question",
    ),
    "options": ("选项", "选项内容", "备选答案", "答案选项", "候选项", "全部选项", "options"),
    "answer": ("答案", "正确答案", "标准答案", "参考答案", "试题答案", "answer", "correct"),
    "explanation": ("解析", "答案解析", "试题解析", "题目解析", "解释", "解题思路", "explanation"),
    "category": ("分类", "题目分类", "题库分类", "所属分类", "章节", "知识点", "科目", "题库", "category"),
    "difficulty": ("难度", "难易程度", "难度等级", "难易度", "难度系数", "difficulty"),
    "source": ("出处", "依据", "法规依据", "出题依据", "来源", "参考依据", "法律依据", "source"),
    "tags": ("标签", "关键词", "关键字", "tags", "tag"),
    "time_limit": ("限时（秒）", "限时", "限时秒", "答题时间", "答题时间（秒）", "时间限制", "timelimit"),
}
_CHINESE_NUMBERS = "一二三四五六七八"


def _key(name: str) -> str:
    key = unicodedata.normalize("NFKC", name).casefold()
    key = re.sub(r"[\s*＊:：]", "", key)
    return re.sub(r"[（(](必填|选填|可选|非必填)[)）]", "", key)


_LOOKUP: dict[str, str] = {}
for _field, _names in ALIASES.items():
    for _name in _names:
        _LOOKUP[_key(_name)] = _field
for _i, _letter in enumerate(OPTION_LETTERS):
    for _name in (
        f"选项{_letter}",
        _letter,
        f"{_letter}选项",
        f"选项{_i + 1}",
        f"选项{_CHINESE_NUMBERS[_i]}",
        f"答案{_letter}",
        f"option{_letter}",
        f"option{_i + 1}",
    ):
        _LOOKUP[_key(_name)] = f"option{_letter}"


def map_header(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """field -> column index, and the non-empty header names that map to nothing (or to a field twice)."""
    mapping: dict[str, int] = {}
    unmapped: list[str] = []
    for index, name in enumerate(header):
        if not name:
            continue
        field = _LOOKUP.get(_key(name))
        if field is None and _key(name).startswith(("题干", "题目内容", "试题内容")):
            field = "stem"
        if field is None or field in mapping:
            unmapped.append(name)
        else:
            mapping[field] = index
    return mapping, unmapped


def find_header(rows: list[list[str]], search_rows: int = 20) -> int | None:
    for index, row in enumerate(rows[:search_rows]):
        mapping, _unmapped = map_header([c.replace("\n", "") for c in row])
        if "stem" in mapping and "answer" in mapping:
            return index
    return None


def parse_rows(rows: list[list[str]], filename: str, *, default_category: list[str]) -> ParseResult:
    header_index = find_header(rows)
    result = ParseResult(filename=filename, format=FORMAT)
    if header_index is None:
        result.rejected.append(
            Issue(filename, 1, _("表头"), _("前 20 行中找不到包含“题干”和“答案”两列的表头行，无法识别题库格式。"))
        )
        return result
    header = [c.replace("\n", "").strip() for c in rows[header_index]]
    mapping, unmapped = map_header(header)
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
            # An empty category cell means "not given": a re-import keeps the stored category.
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
