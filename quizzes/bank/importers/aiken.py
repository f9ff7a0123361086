"""Moodle's Aiken format: a question line, options "A. xxx" / "A) xxx", then "ANSWER: B"; single choice only.

生产经营单位的主要负责人是本单位安全生产的（ ）。
A. 第一责任人
B. 直接责任人
ANSWER: A
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from quizzes.bank.importers.common import Issue, ParseResult, RawQuestion, Rejected, answer_letters, validate

FORMAT = "aiken"
_OPTION = re.compile(r"^\s*([A-Z])\s*[\.\)．、）]\s*(.*)$")
_ANSWER = re.compile(r"^\s*(?:ANSWER|答案)\s*[:：]\s*(.*)$", re.IGNORECASE)
# An option line Aiken does not accept (lower-case letter, "A：", "A:"): said so instead of "0 options".
_NEAR_OPTION = re.compile(r"^\s*(?:[a-z]\s*[\.\)．、）]|[A-Za-z]\s*[:：])\s*\S")


def looks_like_aiken(text: str) -> bool:
    return bool(re.search(r"^\s*ANSWER\s*:", text, re.MULTILINE | re.IGNORECASE))


def parse_text(text: str, filename: str, *, default_category: list[str]) -> ParseResult:
    result = ParseResult(filename=filename, format=FORMAT, layout="aiken")
    columns = {"stem": _("题干"), "options": _("选项"), "answer": "ANSWER"}
    provided = frozenset({"type", "stem", "options", "answer"})
    block: list[tuple[int, str]] = []

    def flush() -> None:
        if not block:
            return
        start = block[0][0]
        stem_lines, options, answer, answer_seen = [], [], "", False
        try:
            for line_no, line in block:
                answer_match = _ANSWER.match(line)
                option_match = _OPTION.match(line)
                if answer_match:
                    answer, answer_seen = answer_match.group(1).strip(), True
                elif option_match and (options or stem_lines):
                    expected = chr(ord("A") + len(options))
                    if option_match.group(1) != expected:
                        raise Rejected(
                            _("第 %(n)d 行") % {"n": line_no},
                            _("选项字母应为 %(e)s，这里是 %(g)s。") % {"e": expected, "g": option_match.group(1)},
                        )
                    options.append(option_match.group(2))
                elif options:
                    raise Rejected(_("第 %(n)d 行") % {"n": line_no}, _("选项之后出现了无法识别的行。"))
                else:
                    stem_lines.append(line)
            if not answer_seen:
                raise Rejected("ANSWER", _("缺少“ANSWER:”答案行。"))
            raw = RawQuestion(
                row=start,
                type_text="单选题",
                stem="\n".join(stem_lines),
                options=options,
                answer=answer,
                category=list(default_category),
                columns=columns,
                provided=provided,
            )
            if not options:
                near = [n for n, line in block[1:] if _NEAR_OPTION.match(line)]
                if near:
                    raise Rejected(
                        _("第 %(n)d 行") % {"n": near[0]},
                        _("没有找到选项：Aiken 的选项应写作“A. xxx”或“A) xxx”（大写字母加点或右括号）。"),
                    )
            letters = answer_letters(answer) if answer else None
            if answer and (letters is None or len(letters) != 1):
                raise Rejected("ANSWER", _("Aiken 格式只支持单选题，答案“%(a)s”不是一个字母。") % {"a": answer})
            if letters:
                raw.answer = letters[0]
            result.questions.append(validate(raw, filename=filename, warnings=result.warnings))
        except Rejected as exc:
            result.rejected.append(Issue(filename, start, exc.column, exc.reason))
        block.clear()

    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            flush()
            continue
        block.append((line_no, line.rstrip()))
        if _ANSWER.match(line):
            flush()
    flush()
    return result
