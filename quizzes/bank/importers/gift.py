"""Moodle GIFT: `::title:: stem {=right ~wrong #feedback ####general feedback}`, `{T}`/`{FALSE}`,
`{=a =b}` (short answer, imported as fill-in), weights `~%50%`, `$CATEGORY: a/b`, `//` comments and `\\` escapes.

Essay (`{}`), numerical (`{#...}`) and matching (`->`) questions, and text without an answer block, are reported
as skipped with their line and reason.

Fidelity, as in Moodle's GIFT reader: a question with an `=` answer is single-answer, one with only `~` answers is
multiple-answer; weights (`=%50%`, `~%-25%`) follow `grades` (a weight Moodle refuses, such as `%33%`, rejects the
question; partial credit becomes a multiple-choice question or a warning naming what was lost). A `data:` picture
in the stem's HTML becomes the question's image; other media, `@@PLUGINFILE@@` pictures (GIFT carries no files) and
pictures in answers or feedback are warnings naming the question.
"""

from __future__ import annotations

import html
import re

from django.utils.translation import gettext as _

from quizzes.bank.importers import grades, html_media
from quizzes.bank.importers.common import Issue, ParseResult, RawQuestion, Rejected, validate
from quizzes.bank.importers.images import choose_image

FORMAT = "gift"
SPECIAL = "~=#{}:"
_TAG = re.compile(r"<[^>]+>")
_HTML_HINT = re.compile(r"</?(p|br|span|div|b|strong|em|i|img|a|audio|video|source|embed|object|iframe)\b", re.I)


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


def _markup(text: str) -> tuple[str, bool]:
    """(unescaped text, whether it is HTML): `[html]` says so; `[plain]` says not; otherwise HTML tags do."""
    text = text.strip()
    declared = None
    match = re.match(r"^\[(html|moodle|markdown|plain)\]", text)
    if match:
        declared = match.group(1)
        text = text[match.end() :]
    text = unescape(text)
    return text, declared == "html" or (declared != "plain" and bool(_HTML_HINT.search(text)))


def _plain(text: str) -> str:
    text, is_html = _markup(text)
    if is_html:
        text = re.sub(r"<br\s*/?>|</p>", "\n", text, flags=re.I)
        text = html.unescape(_TAG.sub("", text)).replace("\xa0", " ")  # &nbsp; is layout in HTML, a plain space
    return text.strip()


def _media(text: str, *, question: str, where: str, attachable: bool = True) -> html_media.Found:
    body, is_html = _markup(text)
    if not is_html:
        return html_media.Found()
    return html_media.scan(body, question=question, where=where, files=None, attachable=attachable)


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
    name = _("第 %(row)d 行") % {"row": row}
    if title_match:
        text = text[title_match.end() :].strip()
        name = unescape(title_match.group(1)).strip() or name
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
    notes: list[tuple[str, str]] = []
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
            texts = [_plain(t) for _k, _w, t in items]
            for i, (_k, _w, t) in enumerate(items):
                if html_media.only_media(_markup(t)[0], texts[i]):
                    raise Rejected(
                        answer_column,
                        _("题目“%(name)s”的选项 %(l)s 只有图片、没有文字：本平台的选项只能是文字。")
                        % {"name": name, "l": grades.letter(i)},
                    )
            values = [
                (100.0 if kind == "=" else 0.0)
                if weight is None
                else grades.parse_grade(
                    weight,
                    name=name,
                    what=_("答案“%(t)s”") % {"t": texts[i]},
                    column=answer_column,
                )
                for i, (kind, weight, _t) in enumerate(items)
            ]
            if all(kind == "=" for kind, _w, _t in items):
                raw.type_text = "填空题"
                accepted, lost = grades.map_short_answer(
                    list(zip(texts, values, strict=True)), name=name, column=answer_column
                )
                raw.accepted_answers = [accepted]
                notes.extend((answer_column, note) for note in lost)
            else:
                raw.options = texts
                # Moodle: one answer only when some answer starts with "=", several when all are "~".
                single = any(kind == "=" for kind, _w, _t in items)
                if not any(v > 0 for v in values):
                    raise Rejected(
                        answer_column,
                        _("题目“%(name)s”缺少正确答案（没有 = 开头或正分值的选项）。") % {"name": name},
                    )
                mapping = grades.map_choice(values, single=single, name=name, column=answer_column)
                raw.correct_indexes = mapping.correct
                raw.type_text = mapping.type_text
                notes.extend((answer_column, note) for note in mapping.notes)
            for i, (_k, _w, t) in enumerate(items):
                where = _("选项 %(l)s") % {"l": grades.letter(i)} if raw.options else _("答案")
                found = _media(t, question=name, where=where, attachable=False)
                notes.extend((answer_column, note) for note in found.notes)
        stem_media = _media(before, question=name, where=_("题干"))
        if after.strip():
            more = _media(after, question=name, where=_("题干"))
            stem_media.images += more.images
            stem_media.notes += more.notes
        notes.extend((_("题干"), note) for note in stem_media.notes)
        raw.image, problems = choose_image(stem_media.images, question=name)
        notes.extend((_("题干"), note) for note in problems)
        if general:
            found = _media(general[0], question=name, where=_("解析"), attachable=False)
            notes.extend((_("解析"), note) for note in found.notes)
        if not raw.stem.strip(" _") and raw.image is not None:
            raise Rejected(
                _("题干"), _("题目“%(name)s”的题干只有图片、没有文字：请在题干中写明问题。") % {"name": name}
            )
        result.questions.append(validate(raw, filename=filename, warnings=result.warnings))
    except Rejected as exc:
        result.rejected.append(Issue(filename, row, exc.column, exc.reason))
        return
    result.warnings.extend(Issue(filename, row, column, reason) for column, reason in notes)


def _items(body: str) -> list[tuple[str, str | None, str]]:
    """ "=a ~%50%b#fb ~c" -> [("=", None, "a"), ("~", "50", "b"), ("~", None, "c")] (feedback removed; the weight as
    written, checked by `grades.parse_grade`)."""
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
        weight_match = re.match(r"^%([^%]*)%", chunk)
        if weight_match:
            weight = weight_match.group(1)
            chunk = chunk[weight_match.end() :].strip()
        items.append((body[start], weight, chunk))
    return items
