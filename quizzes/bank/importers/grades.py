"""Moodle's grade fractions (Moodle XML `fraction="…"`, GIFT `=%50%` / `~%-25%`) and how they map onto this bank.

Moodle accepts only a fixed list of percentages (question_bank::fraction_options_full: 100, 90, 83.33333 … 5, 0 and
their negatives), matched within 0.001 percentage points (match_grade_options compares fractions within 0.00001);
its own importer refuses a file with any other value, and so does this one: a fraction of 33 or 150 is a typing
mistake, never silently "correct".

A question here has correct options and nothing else; points and partial credit are an exam setting
(`quizzes.scoring.MultipleMode.PARTIAL`, the exam's 多选题计分 = 少选按比例得分，错选不得分). So:

- a multiple-answer question whose positive fractions add up to 100 becomes a multiple-choice question with those
  options correct, and a warning says that partial credit applies only where the exam scores multiple choice
  partially (and, when the fractions were unequal, that their weights were not kept);
- otherwise only the 100% answers are correct, and a warning names every answer whose partial credit was dropped;
- a question with no way to say which answer is fully correct is rejected with the fractions it had.

Nothing here touches the database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from quizzes.bank.importers.common import Rejected
from quizzes.bank.models import OPTION_LETTERS

ALLOWED = (
    100.0,
    90.0,
    83.33333,
    80.0,
    75.0,
    70.0,
    66.66667,
    60.0,
    50.0,
    40.0,
    33.33333,
    30.0,
    25.0,
    20.0,
    16.66667,
    14.28571,
    12.5,
    11.11111,
    10.0,
    5.0,
    0.0,
)
TOLERANCE = 0.001  # percentage points
SUM_TOLERANCE = 0.01  # 3 x 33.33333 = 99.99999
ALLOWED_TEXT = "100、90、83.33333、80、75、70、66.66667、60、50、40、33.33333、30、25、20、16.66667、14.28571、12.5、11.11111、10、5、0"


def show(value: float) -> str:
    """33.33333 -> "33.33333%", 50.0 -> "50%"."""
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return f"{'0' if text == '-0' else text}%"


def letter(index: int) -> str:
    return OPTION_LETTERS[index] if index < len(OPTION_LETTERS) else str(index + 1)


def parse_grade(text: str | None, *, name: str, what: str, column: str) -> float:
    """A fraction as written in the file ("100", "33.33333", "-50", "" = 0) -> a percentage from Moodle's list.
    Anything else raises Rejected naming the question (`name`), the answer (`what`) and the value."""
    raw = (text or "").strip()
    if not raw:
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if math.isfinite(value):
        for allowed in ALLOWED:
            if abs(abs(value) - allowed) < TOLERANCE:
                return math.copysign(allowed, value) if allowed else 0.0
    reason = _(
        "题目“%(name)s”中%(what)s的分值“%(value)s”无效：Moodle 只允许 -100 到 100 之间的固定分值"
        "（%(allowed)s，及其负数）。"
    ) % {
        "name": name,
        "what": what + (" " if what[-1:].isascii() and what[-1:].isalnum() else ""),
        "value": raw,
        "allowed": ALLOWED_TEXT,
    }
    if math.isfinite(value):
        nearest = min(ALLOWED, key=lambda a: abs(abs(value) - a))
        if abs(abs(value) - nearest) <= 1:
            reason += _("是否应为 %(n)s？") % {"n": show(math.copysign(nearest, value)).rstrip("%")}
    raise Rejected(column, reason)


@dataclass
class Mapping:
    """What a choice question becomes here: its type, its correct option indexes and the warnings to show."""

    type_text: str
    correct: list[int]
    notes: list[str] = field(default_factory=list)


def _weights(grades: list[float], indexes: list[int]) -> str:
    return "、".join(f"{letter(i)} {show(grades[i])}" for i in indexes)


def _close(a: float, b: float, tolerance: float = TOLERANCE) -> bool:
    return abs(a - b) < tolerance


def map_choice(grades: list[float], *, single: bool, name: str, column: str) -> Mapping:
    """Moodle multichoice (or a GIFT question with ~/= answers) -> single or multiple choice here.

    `grades` are the answers' percentages in option order; `single` is Moodle's "one answer only"."""
    positive = [i for i, g in enumerate(grades) if g > 0]
    full = [i for i, g in enumerate(grades) if _close(g, 100.0)]
    if not positive:
        raise Rejected(column, _("题目“%(name)s”缺少答案：没有分值为正的选项。") % {"name": name})
    letters = "".join(letter(i) for i in positive)
    total = sum(grades[i] for i in positive)
    if not single and len(positive) >= 2 and _close(total, 100.0, SUM_TOLERANCE):
        equal = all(_close(grades[i], grades[positive[0]]) for i in positive)
        if equal:
            note = _(
                "题目“%(name)s”在 Moodle 中按比例给分（%(letters)s 各 %(share)s）：已导入为多选题，正确答案 %(letters)s。"
                "只有考试的“多选题计分”设为“少选按比例得分，错选不得分”时才按比例给分，否则全对才得分。"
            ) % {"name": name, "letters": letters, "share": show(grades[positive[0]])}
        else:
            note = _(
                "题目“%(name)s”的正确选项分值不同（%(weights)s）：已导入为多选题，正确答案 %(letters)s，"
                "各选项分值不再区分。只有考试的“多选题计分”设为“少选按比例得分，错选不得分”时才按比例"
                "（每个正确选项相同分值）给分，否则全对才得分。"
            ) % {"name": name, "weights": _weights(grades, positive), "letters": letters}
        return Mapping("多选题", positive, [note])
    if not full:
        if single or len(positive) == 1:
            raise Rejected(
                column,
                _("题目“%(name)s”没有得满分（100%%）的选项（%(weights)s）：本平台的选择题须有完全正确的答案。")
                % {"name": name, "weights": _weights(grades, positive)},
            )
        raise Rejected(
            column,
            _("题目“%(name)s”的得分选项合计 %(total)s（%(weights)s），不是 100%%：无法确定哪些选项构成满分答案。")
            % {"name": name, "total": show(total), "weights": _weights(grades, positive)},
        )
    if len(full) > 1:
        full_letters = "、".join(letter(i) for i in full)
        if single:
            reason = _(
                "题目“%(name)s”标为单选，却有 %(n)d 个得满分的选项（%(letters)s）：本平台单选题只能有一个正确答案。"
            )
        else:
            reason = _(
                "题目“%(name)s”有 %(n)d 个选项各得 100%%（%(letters)s，任选其一即满分）：本平台无法表示，"
                "请只留一个满分选项，或把分值按比例分配（合计 100%%）。"
            )
        raise Rejected(column, reason % {"name": name, "n": len(full), "letters": full_letters})
    right = full[0]
    notes = []
    if not single:
        notes.append(
            _("题目“%(name)s”在 Moodle 中可多选，但只有 %(letter)s 得满分：已导入为单选题。")
            % {"name": name, "letter": letter(right)}
        )
    partial = [i for i in positive if i != right]
    if partial:
        notes.append(
            _(
                "题目“%(name)s”中 %(weights)s 在 Moodle 中得部分分；本平台单选题没有部分得分："
                "只有 %(letter)s（100%%）算正确，%(lost)s 已按错误选项导入。"
            )
            % {
                "name": name,
                "weights": _weights(grades, partial),
                "letter": letter(right),
                "lost": "、".join(letter(i) for i in partial),
            }
        )
    return Mapping("单选题", [right], notes)


def map_short_answer(answers: list[tuple[str, float]], *, name: str, column: str) -> tuple[list[str], list[str]]:
    """Moodle shortanswer (GIFT `{=a =b}`) -> (accepted spellings, warnings): only the 100% answers are accepted."""
    accepted = [text for text, grade in answers if _close(grade, 100.0) and text]
    partial = [(text, grade) for text, grade in answers if 0 < grade < 100 - TOLERANCE and text]
    shown = "、".join(f"“{text}”（{show(grade)}）" for text, grade in partial)
    if not accepted:
        if partial:
            raise Rejected(
                column,
                _("题目“%(name)s”没有得满分（100%%）的答案（%(answers)s）：本平台填空题没有部分得分。")
                % {"name": name, "answers": shown},
            )
        raise Rejected(column, _("题目“%(name)s”缺少答案：没有得满分（100%%）的答案。") % {"name": name})
    notes = []
    if partial:
        notes.append(
            _("题目“%(name)s”的答案%(answers)s在 Moodle 中得部分分；本平台填空题没有部分得分，这些写法未导入。")
            % {"name": name, "answers": shown}
        )
    wildcards = [text for text in accepted if "*" in text]
    if wildcards:
        notes.append(
            _("题目“%(name)s”的答案%(answers)s含 Moodle 通配符 *：本平台按原文比较，* 不再匹配任意文字。")
            % {"name": name, "answers": "、".join(f"“{t}”" for t in wildcards)}
        )
    return accepted, notes
