"""Moodle GIFT: `::title:: stem {=right ~wrong #feedback ####general feedback}`, `{T}`/`{FALSE}`,
`{=a =b}` (short answer, imported as fill-in), weights `~%50%`, `$CATEGORY: a/b`, `//` comments and `\\` escapes.

Essay (`{}`), numerical (`{#...}`) and matching (`->`) questions, and text without an answer block, are reported
as skipped with their line and reason.
"""

from __future__ import annotations

import html
import re

from django.utils.translation import gettext as _

from quizzes.bank.importers.common import Issue, ParseResult, RawQuestion, Rejected, validate

FORMAT = "gift"
SPECIAL = "~=#{}:"
_TAG = re.compile(r"<[^>]+>")


def looks_like_gift(text: str) -> bool:
    return bool(re.search(r"(?<!\\)\{[^{}]*(?<!\\)\}", text)) or "$CATEGORY:" in text


def _find(text: str, token: str, start: int = 0) -> int:
    """Index of the first unescaped `token` at or after `start`, or -1."""
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(token, i):
            return i
        i += 1
    return -1


def _split_unescaped(text: str, token: str) -> list[str]:
    parts, start = [], 0
    while True:
        index = _find(text, token, start)
        if index < 0:
            parts.append(text[start:])
            return parts
        parts.append(text[start:index])
        start = index + len(token)


def unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\n" if nxt == "n" else nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _plain(text: str) -> str:
    text = text.strip()
    is_html = False
    match = re.match(r"^\[(html|moodle|markdown|plain)\]", text)
    if match:
        is_html = match.group(1) == "html"
        text = text[match.end() :]
    text = unescape(text)
    if is_html or re.search(r"</?(p|br|span|div|b|strong|em|i)\b", text, re.I):
        text = re.sub(r"<br\s*/?>|</p>", "\n", text, flags=re.I)
        text = html.unescape(_TAG.sub("", text))
    return text.strip()


def _category(line: str) -> list[str]:
    path = line.split(":", 1)[1].strip()
    parts = [p.strip() for p in re.split(r"(?<!/)/(?!/)", path)]
    return [p.replace("//", "/") for p in parts if p and not p.startswith("$") and p.lower() != "top"]


def parse_text(text: str, filename: str, *, default_category: list[str]) -> ParseResult:
    result = ParseResult(filename=filename, format=FORMAT, layout="gift")
    category = list(default_category)
    block: list[tuple[int, str]] = []

    def flush() -> None:
        if block:
            _question(block[0][0], "\n".join(line for _n, line in block), category, result)
            block.clear()

    depth = 0
    for line_no, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if depth == 0 and stripped.startswith("//"):
            continue
        if depth == 0 and stripped.startswith("$CATEGORY:"):
            flush()
            category = _category(stripped) or list(default_category)
            continue
        if not stripped and depth == 0:
            flush()
            continue
        if depth == 0 and stripped.startswith("::") and block:
            flush()  # a new titled question without the blank line GIFT asks for
        block.append((line_no, line))
        opened = len(re.findall(r"(?<!\\)\{", line))
        closed = len(re.findall(r"(?<!\\)\}", line))
        was_open = depth > 0 or opened > 0
        depth = max(0, depth + opened - closed)
        if depth == 0 and was_open and closed:
            flush()  # the answer block closed: the question is complete
    flush()
    return result


def _question(row: int, text: str, category: list[str], result: ParseResult) -> None:
    filename = result.filename
    answer_column = _("答案部分 {…}")
    text = text.strip()
    title_match = re.match(r"^::(.*?)(?<!\\)::", text, re.S)
    if title_match:
        text = text[title_match.end() :].strip()
    open_at = _find(text, "{")
    close_at = -1
    if open_at >= 0:
        close_at = _find(text, "}", open_at + 1)
    if open_at < 0 or close_at < 0:
        result.skipped.append(Issue(filename, row, _("题干"), _("没有答案部分“{…}”，按说明文字跳过。")))
        return
    before, inside, after = text[:open_at], text[open_at + 1 : close_at], text[close_at + 1 :]
    body, *general = _split_unescaped(inside, "####")
    explanation = _plain(general[0]) if general else ""
    body = body.strip()
    stem = _plain(before)
    if after.strip():
        stem = f"{stem}____{_plain(after)}"
    columns = {"stem": _("题干"), "answer": answer_column, "options": answer_column}
    provided = frozenset({"type", "stem", "options", "answer", "explanation", "category"})
    raw = RawQuestion(
        row=row, stem=stem, explanation=explanation, category=list(category), columns=columns, provided=provided
    )
    try:
        if not body:
            result.skipped.append(Issue(filename, row, answer_column, _("问答题（essay）不支持，已跳过。")))
            return
        if body.startswith("#"):
            result.skipped.append(Issue(filename, row, answer_column, _("数值题（numerical）不支持，已跳过。")))
            return
        tf = re.match(r"^(T|TRUE|F|FALSE)\s*(?:#.*)?$", body, re.I | re.S)
        if tf:
            raw.type_text = "判断题"
            raw.correct_indexes = [0 if tf.group(1).upper().startswith("T") else 1]
        else:
            items = _items(body)
            if not items:
                raise Rejected(answer_column, _("答案部分无法识别：没有以 = 或 ~ 开头的答案。"))
            if any(_find(t, "->") >= 0 for _k, _w, t in items):
                result.skipped.append(Issue(filename, row, answer_column, _("匹配题（matching）不支持，已跳过。")))
                return
            if all(kind == "=" for kind, _w, _t in items):
                raw.type_text = "填空题"
                raw.accepted_answers = [[_plain(t) for _k, w, t in items if w is None or w > 0]]
            else:
                raw.options = [_plain(t) for _k, _w, t in items]
                correct = [
                    i
                    for i, (kind, w, _t) in enumerate(items)
                    if (kind == "=" and (w is None or w > 0)) or (kind == "~" and w is not None and w > 0)
                ]
                if not correct:
                    raise Rejected(answer_column, _("缺少正确答案（没有 = 开头或正分值的选项）。"))
                raw.correct_indexes = correct
                raw.type_text = "单选题" if len(correct) == 1 else "多选题"
        result.questions.append(validate(raw, filename=filename, warnings=result.warnings))
    except Rejected as exc:
        result.rejected.append(Issue(filename, row, exc.column, exc.reason))


def _items(body: str) -> list[tuple[str, float | None, str]]:
    """ "=a ~%50%b#fb ~c" -> [("=", None, "a"), ("~", 50.0, "b"), ("~", None, "c")] (feedback removed)."""
    marks = []
    i = 0
    while i < len(body):
        if body[i] == "\\":
            i += 2
            continue
        if body[i] in "=~":
            marks.append(i)
        i += 1
    items = []
    for n, start in enumerate(marks):
        end = marks[n + 1] if n + 1 < len(marks) else len(body)
        chunk = body[start + 1 : end]
        chunk = _split_unescaped(chunk, "#")[0].strip()
        weight = None
        weight_match = re.match(r"^%(-?\d+(?:\.\d+)?)%", chunk)
        if weight_match:
            weight = float(weight_match.group(1))
            chunk = chunk[weight_match.end() :].strip()
        items.append((body[start], weight, chunk))
    return items
