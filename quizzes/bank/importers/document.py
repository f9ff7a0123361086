"""Question banks written as documents: text pasted from Word or a PDF, a .txt file, or the paragraphs of a .docx
(`quizzes.bank.importers.docx` turns a .docx into the same lines).

The layouts Chinese banks use, all recognised in one pass over the lines:

    一、单项选择题（每题 2 分，共 40 分）          section heading: sets the type of the questions under it
    1．生产经营单位的主要负责人对本单位的安全生产工作（ B ）负责。     numbered question ("1." "1、" "（1）" "第1题"
    A．部分  B．全面  C．间接  D．不                                 "201，"); answer inline in the stem's brackets
    答案：B                                          or on an answer line (答案： 【答案】 正确答案：)
    解析：……                                          explanation line (解析： 【解析】)
    三、判断题
    5．消防通道可以临时堆放物品。（×）              true/false answer inline
    参考答案：1-5 ABCDA 6.B 7.AC                     or an answer key at the end (ranges, "1.A 2.B",
                                                     "一、单选题 1.A ...", a 题号/答案 table)

Options may sit on the stem's line, on one line, or one per line, in every marker form (A. A、 A． A: A： A) （A）);
the option region is handed to `common.split_options_cell`, numbering to `common.strip_numbering`, and each
question to `common.validate`. Text is kept as written (whitespace at line ends trimmed; no punctuation converted).

Every question's row is the line (or .docx paragraph) where it starts. Nothing is guessed silently: a question with
options and no answer anywhere is rejected naming its line; an answer key that does not fit the questions is
reported; lines that belong to no question are reported as warnings; page furniture from PDFs (`- 3 -`,
`第 3 页 共 10 页`, a running header repeated on every page) is dropped.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from elearn.spreadsheets import SpreadsheetError
from quizzes.bank.importers.common import (
    DEFAULT_COLUMNS,
    TYPE_LABELS,
    ImportedImage,
    Issue,
    ParseResult,
    QType,
    RawQuestion,
    Rejected,
    answer_letters,
    split_category,
    split_options_cell,
    strip_numbering,
    true_false_value,
    validate,
)
from quizzes.bank.importers.images import choose_image
from quizzes.bank.models import OPTION_LETTERS
from quizzes.normalise import normalise_text

FORMAT = "text"
COLUMNS = {field: name for field, name in DEFAULT_COLUMNS.items() if field != "time_limit"}  # a document has no 限时
KEY_COLUMN = "答案表"

# --- what a line can be -------------------------------------------------------------------------------------

_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
_CN = "一二三四五六七八九十"
_HALF_LETTERS = "ABCDEFGH"
_FULL_LETTERS = "ＡＢＣＤＥＦＧＨ"
_TO_HALF_LETTER = str.maketrans(_FULL_LETTERS, _HALF_LETTERS)

SECTION_WORDS: dict[str, str | None] = {}
for _words, _type in (
    ("单项选择题 单选择题 单项选择 单选题 单选", QType.SINGLE),
    ("多项选择题 多项选择 多选题 多选", QType.MULTIPLE),
    ("不定项选择题 不定项选择 不定项 选择题", ""),  # one or more answers: the answer decides
    ("是非判断题 判断正误题 判断正误 判断题 是非题 对错题 正误题 判断", QType.TRUE_FALSE),
    ("填空题 填空", QType.FILL),
    (
        "案例分析题 材料分析题 简答题 问答题 论述题 案例题 计算题 名词解释 综合题 分析题 简述题 实操题 情景题 "
        "连线题 匹配题 排序题 作图题",
        None,  # this platform has no such type: the questions are skipped, each with its line
    ),
):
    for _word in _words.split():
        SECTION_WORDS[_word] = _type
_SECTION_ALTERNATION = "|".join(sorted(SECTION_WORDS, key=len, reverse=True))

_HEADING = re.compile(
    r"^(?P<prefix>第\s*[" + _CN + r"\d]+\s*(?:部分|大题|章|节|篇|类)\s*[、.．:：]?"
    r"|[" + _CN + r"]{1,3}\s*[、.．:：]"
    r"|[（(]\s*[" + _CN + r"]{1,3}\s*[)）]"
    r"|[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]{1,3}\s*[、.．]?"
    r"|[IVX]{1,4}\s*[、.．])?\s*"
    r"[【\[〔]?\s*(?P<word>" + _SECTION_ALTERNATION + r")\s*(?:部分)?\s*[】\]〕]?"
    r"(?P<rest>.*)$"
)
# What may follow a heading's type word: score notes and instructions, usually bracketed.
_HEADING_NOTE = re.compile(
    r"^\s*(?:$|[（(【\[〔:：,，;；。.．\-—]|(?:每|共|本|满分|计|总分|合计|以下|下列|请)|\d+\s*(?:分|题|小题|道))"
)
_BARE_HEADING_NOTE = re.compile(r"^\s*(?:$|[（(【\[〔:：]|(?:每|共|满分|总分)|\d+\s*(?:分|题|小题|道))")

_ANSWER_WORDS = r"(?:正确答案|参考答案|标准答案|试题答案|答\s*案)"
_ANSWER_LABEL = re.compile(
    r"^(?:[【\[〔]\s*" + _ANSWER_WORDS + r"\s*[】\]〕]\s*[:：]?|" + _ANSWER_WORDS + r"\s*[:：])\s*(?P<value>.*)$"
)
_ANSWER_BARE = re.compile(r"^(?:正确答案|答案)\s+(?P<value>[A-HＡ-Ｈ]{1,8}|[√×✓✗✔✘]|对|错|正确|错误)$")
_KEY_TITLE = re.compile(
    r"^[【\[〔]?\s*(?:参考答案|标准答案|试题答案|答案速查|正确答案|答案)\s*(?:[与及和]\s*(?:解析|详解))?\s*[】\]〕]?"
    r"\s*[:：]?\s*(?P<rest>.*)$"
)
_KEY_NUMBERS = re.compile(r"^题\s*号\s*[:：|]?\s*(?P<rest>.*)$")
_KEY_VALUES = re.compile(r"^(?:正确答案|参考答案|标准答案|答\s*案)\s*[:：|]?\s*(?P<rest>.*)$")
_EXPLANATION_WORDS = r"(?:答案解析|试题解析|题目解析|解\s*析|分\s*析|解答|详解|点拨|点评|评析)"
_EXPLANATION = re.compile(
    r"^(?:[【\[〔]\s*"
    + _EXPLANATION_WORDS
    + r"\s*[】\]〕]\s*[:：]?|(?:答案解析|试题解析|题目解析|解\s*析|分析|详解|点评)"
    r"\s*[:：]|解\s*析\s*$)\s*(?P<value>.*)$"
)
_META_FIELDS = {
    "难度": "difficulty",
    "难易程度": "difficulty",
    "难易度": "difficulty",
    "出处": "source",
    "依据": "source",
    "法规依据": "source",
    "法律依据": "source",
    "出题依据": "source",
    "来源": "source",
    "分类": "category",
    "章节": "category",
    "知识点": "tags",
    "考点": "tags",
    "标签": "tags",
    "关键词": "tags",
    "题型": "type",
    # What exam-result pages add (copied along with the questions): not part of the question.
    "我的答案": "ignore",
    "你的答案": "ignore",
    "考生答案": "ignore",
    "学员答案": "ignore",
    "本题得分": "ignore",
    "得分": "ignore",
    "本题分值": "ignore",
    "分值": "ignore",
}
_META_WORDS = "|".join(sorted(_META_FIELDS, key=len, reverse=True))
_META = re.compile(
    r"^(?:[【\[〔]\s*(?P<a>"
    + _META_WORDS
    + r")\s*[】\]〕]\s*[:：]?|(?P<b>"
    + _META_WORDS
    + r")\s*[:：])\s*(?P<value>.*)$"
)
# Labels that start a new field in the middle of a line ("…D．丁 答案：B", "【答案】B【解析】…").
_MID_LABEL = re.compile(
    r"(?<=\S)\s*(?=[【\[〔]\s*(?:" + _ANSWER_WORDS + "|" + _EXPLANATION_WORDS + "|" + _META_WORDS + r")\s*[】\]〕])"
    r"|(?<=\S)\s+(?=(?:正确答案|参考答案|答案|解析|答案解析|我的答案|你的答案|考生答案|本题得分|得分|分值)\s*[:：])"
)

_MID_HINT = re.compile(
    r"\s(?:正确答案|参考答案|答案|解析|答案解析|我的答案|你的答案|考生答案|本题得分|得分|分值)\s*[:：]"
)
_OPTION_START = re.compile(r"^(?:\*\*)?(?:[（(]\s*([A-HＡ-Ｈ])\s*[)）]|([A-HＡ-Ｈ])\s*(?:[.．、:：)）]|\*\*))")
_OPTION_SOFT = re.compile(r"^([A-HＡ-Ｈ])\s+\S")
# Where options begin inside a stem line: an A marker after a space or punctuation, with a B marker after it.
_INLINE_A = re.compile(r"(?<![A-Za-z0-9Ａ-Ｚａ-ｚ０-９])(?:\*\*)?(?:[（(]\s*[AＡ]\s*[)）]|[AＡ]\s*[.．、:：)）])")
_INLINE_B = re.compile(r"(?<![A-Za-z0-9Ａ-Ｚａ-ｚ０-９])(?:\*\*)?(?:[（(]\s*[BＢ]\s*[)）]|[BＢ]\s*[.．、:：)）])")
_FULL_MARKER = re.compile(r"(?<![A-Za-zＡ-Ｚａ-ｚ])([Ａ-Ｈ])(?=\s*[.．、:：)）])|(?<=[（(])\s*([Ａ-Ｈ])(?=\s*[)）])")
_TYPE_MARK = re.compile(r"^[【\[〔（(]\s*(?P<word>" + _SECTION_ALTERNATION + r")\s*[】\]〕)）]\s*")

_PAGE_FURNITURE = re.compile(
    r"^(?:[-—–－_~·•\s]*\d{1,4}[-—–－_~·•\s]*"
    r"|[-—–－]?\s*第\s*\d+\s*页\s*(?:[,，/／]?\s*共\s*\d+\s*页)?\s*[-—–－]?"
    r"|共\s*\d+\s*页\s*[,，]?\s*第\s*\d+\s*页"
    r"|\d+\s*[/／]\s*\d+"
    r"|page\s*\d+(?:\s*(?:of|/)\s*\d+)?)$",
    re.IGNORECASE,
)
_DIGIT_START = re.compile(r"^[0-9０-９]")
_NUMBER = re.compile(r"[0-9０-９]+")
_CN_NUMBER = re.compile(r"[零〇一二两三四五六七八九十百]+")
_CN_DIGIT_VALUES = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
# A true/false answer after the statement without brackets: "……应立即报警。 √"
_TRAILING_TF = re.compile(r"(?<=[。.．！!？?）)\s])\s*(?P<ans>[√×✓✗✔✘])$")

# Answer-key entries: "1.A" "2、B" "3：AC" "4 A" "5A" "1-5 ABCDA" "6～10：√×√√×" "11.安全第一".
_ENTRY = re.compile(
    r"(?<![0-9０-９.．])(?P<a>[0-9０-９]{1,5})(?:\s*[-－~～—–至到]\s*(?P<b>[0-9０-９]{1,5}))?"
    r"(?:\s*(?:[.．](?![0-9０-９])|[、:：)）])\s*|\t+|(?=[A-Za-zＡ-Ｚａ-ｚ√×✓✗✔✘对错正误])|\s+(?=[A-HＡ-Ｈ√×✓✗✔✘对错正误]))"
)
_KEYLIKE = re.compile(r"^(?:[A-HＡ-Ｈa-h]+(?:[、,，\s]+[A-HＡ-Ｈa-h]+)*|[√×✓✗✔✘对错]+|正确|错误)$")
_RANGE_SPLIT = re.compile(r"[\s,，;；、/]+")
_TOKEN_SPLIT = re.compile(r"[\s|｜]+")

# Answers written into the stem's brackets.
_INLINE_CHOICE = re.compile(
    r"(?P<open>[（(])\s*(?P<ans>[A-HＡ-Ｈ](?:\s*[,，、]?\s*[A-HＡ-Ｈ]){0,7})\s*(?P<close>[)）])"
)
_INLINE_TF = re.compile(r"(?P<open>[（(])\s*(?P<ans>[√×✓✗✔✘]|对|错|正确|错误)\s*(?P<close>[)）])")
_INLINE_FILL = re.compile(r"(?P<open>[（(])(?P<ans>[^（）()\n]{1,60})(?P<close>[)）])")
_BLANK = re.compile(r"_{2,}|＿{2,}|[（(]\s*[)）]")

(
    BLANK,
    FURNITURE,
    HEADING,
    KEY_HEADING,
    KEY_TITLE,
    KEY_NUMBERS,
    KEY_LINE,
    ANSWER,
    EXPLANATION,
    META,
    OPTION,
    SOFT_OPTION,
    QUESTION,
    TEXT,
) = range(14)


@dataclass
class Line:
    """One line of the document. `row` is what the user sees in messages (the line number of a text, the paragraph
    number of a .docx; a .docx paragraph with line breaks gives several Lines with the same row). `list_number` is
    set for a .docx paragraph numbered by Word's list numbering (no digits in its text): it starts a question."""

    row: int
    text: str
    list_number: int | None = None
    images: list[ImportedImage] = field(default_factory=list)


@dataclass
class _Section:
    index: int
    row: int
    word: str
    type: str | None  # QType value, "" (the answer decides), or None (a type this platform does not have)


@dataclass
class _Block:
    """A question as the lines gave it, before the answer key is applied."""

    row: int
    number: int | None
    numbered: bool
    section: _Section | None
    type_text: str = ""
    stem: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)
    answer: list[str] | None = None
    answer_row: int = 0
    explanation: list[str] | None = None
    meta: dict[str, list[str]] = field(default_factory=dict)
    images: list[tuple[int, ImportedImage]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, reason): rejected at the end
    key_answer: str | None = None
    key_row: int = 0
    key_explanation: str = ""
    run: int = 0
    ordinal: int = 0


@dataclass
class _Entry:
    number: int
    answer: str
    row: int
    run: int
    explanation: list[str] = field(default_factory=list)
    used: bool = False


# --- entry points -------------------------------------------------------------------------------------------


def text_lines(text: str) -> list[Line]:
    return [Line(row=number, text=line) for number, line in enumerate(text.splitlines(), start=1)]


def parse_text(text: str, filename: str, *, default_category: list[str]) -> ParseResult:
    result = parse_lines(text_lines(text), filename, default_category=default_category)
    require_questions(result)
    return result


def require_questions(result: ParseResult) -> None:
    """A document in which not one question was recognised is refused as a whole, with what a question looks like."""
    if not result.questions and not result.rejected and not result.skipped:
        raise SpreadsheetError(
            _("在“%(name)s”中没有找到任何题目：每道题应有题号（如“1.”）、选项（如“A.”）和答案（如“答案：B”）。")
            % {"name": result.filename}
        )


def parse_lines(
    lines: list[Line], filename: str, *, default_category: list[str], fmt: str = FORMAT, layout: str = FORMAT
) -> ParseResult:
    result = ParseResult(filename=filename, format=fmt, layout=layout)
    _Parser(lines, filename, default_category, result).run()
    return result


def looks_like_document(text: str) -> bool:
    """A .txt that is a numbered document rather than a CSV: numbered question lines with options or answers, and
    no comma- or tab-separated header."""
    lines = [_clean_line(line) for line in text.splitlines()[:400]]
    lines = [line for line in lines if line]
    if not lines:
        return False
    if len(re.split(r"[,\t]", lines[0])) >= 3:
        return False
    questions = structure = 0
    for line in lines:
        if _OPTION_START.match(line) or _ANSWER_LABEL.match(line) or _HEADING.match(line):
            structure += 1
        elif _numbering(line) is not None:
            questions += 1
    return questions >= 1 and structure >= 1


# --- line helpers -------------------------------------------------------------------------------------------


def _clean_line(text: str) -> str:
    return text.strip().strip(_ZERO_WIDTH).strip()  # ideographic spaces inside stay, as in a spreadsheet cell


def _numbering(text: str) -> tuple[int, str] | None:
    """(question number, rest of the line) if the line starts with numbering, judged by common.strip_numbering
    ("1." "（1）" "第1题" "第十二题" "201，"); a type mark before the number ("【单选题】1.") stays in the rest."""
    mark = _TYPE_MARK.match(text)
    body = text[mark.end() :] if mark else text
    rest = strip_numbering(body)
    if rest == body:
        return None
    prefix = body[: len(body) - len(rest)] if rest else body
    found = _NUMBER.search(prefix)
    if found:
        number = int(found.group())
    else:
        chinese = _CN_NUMBER.search(prefix)
        number = _chinese_int(chinese.group()) if chinese else None
        if number is None:
            return None
    return number, (mark.group() + rest if mark else rest)


def _chinese_int(text: str) -> int | None:
    """一 -> 1, 十二 -> 12, 二十 -> 20, 一百零五 -> 105."""
    total = current = 0
    for ch in text:
        if ch in _CN_DIGIT_VALUES:
            current = _CN_DIGIT_VALUES[ch]
        elif ch in "十百":
            total += (current or 1) * (10 if ch == "十" else 100)
            current = 0
        else:
            return None
    return total + current or None


def _heading(text: str) -> re.Match | None:
    """A section heading ("一、单选题（每题 2 分）", "判断题", "第二部分 多项选择题")."""
    match = _HEADING.match(text)
    if match is None:
        return None
    rest = match["rest"]
    if len(rest) > 200:
        return None
    if match["prefix"] is None:
        if not _BARE_HEADING_NOTE.match(rest):
            return None
    elif not _HEADING_NOTE.match(rest):
        return None
    return match


def _key_heading(text: str) -> list[tuple[int, int, str]] | None:
    """A heading that carries answer-key entries: "一、单选题 1.A 2.B", "单选题：1-5 ABCDA"."""
    match = _HEADING.match(text)
    if match is None or not _is_key_entries(match["rest"].strip(" :：")):
        return None
    return _parse_entries(match["rest"].strip(" :："))


def _option_letter(text: str) -> str | None:
    match = _OPTION_START.match(text)
    if match is None:
        return None
    return (match.group(1) or match.group(2)).translate(_TO_HALF_LETTER)


def _half_markers(text: str) -> str:
    """Full-width option letters used as markers ("Ａ．") written as A: the marker is dropped by the splitter, the
    option text is untouched."""
    if not any(ch in _FULL_LETTERS for ch in text):
        return text
    return _FULL_MARKER.sub(lambda m: (m.group(1) or m.group(2)).translate(_TO_HALF_LETTER), text)


def _inline_options_start(text: str) -> int | None:
    """Where an option list starts inside a stem line, if it does: an A marker with a B marker after it."""
    b_markers = [m.start() for m in _INLINE_B.finditer(text)]
    if not b_markers:
        return None
    for match in _INLINE_A.finditer(text, 1, b_markers[-1]):
        if match.start() > 0:
            return match.start()
    return None


def _parse_entries(text: str, *, strict: bool = False) -> list[tuple[int, int, str]] | None:
    """Answer-key entries in `text`: [(first, last, answer)], or None if the text is not wholly key entries.
    `strict`: every answer must look like an answer (letters, √/×, 对/错), with at least two entries or a range."""
    text = text.strip()
    if not text or not _DIGIT_START.match(text):
        return None
    matches = list(_ENTRY.finditer(text))
    if not matches or matches[0].start() != 0:
        return None
    entries = []
    for index, match in enumerate(matches):
        stop = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        answer = text[match.end() : stop].strip(" \t,，;；、")
        if not answer:
            return None
        first = int(match["a"])
        last = int(match["b"]) if match["b"] else first
        if last < first or last - first > 500:
            return None
        tokens = _RANGE_SPLIT.split(answer) if last > first else [answer]
        if strict and not all(_KEYLIKE.match(token) for token in tokens if token):
            return None
        entries.append((first, last, answer))
    if strict and len(entries) < 2 and entries[0][0] == entries[0][1]:
        return None
    return entries


def _split_range(answer: str, count: int) -> list[str] | None:
    tokens = [t for t in _RANGE_SPLIT.split(answer) if t]
    if len(tokens) == count:
        return tokens
    if len(tokens) == 1 and len(tokens[0]) == count:
        return list(tokens[0])
    return None


def _answer_form(answer: str, *, choice: bool) -> str:
    """A comparable form of an answer: sorted letters, true/false, or normalised text."""
    if choice:
        letters = answer_letters(answer)
        if letters:
            return "".join(sorted(set(letters)))
    value = true_false_value(answer)
    if value is not None:
        return f"tf:{value}"
    letters = answer_letters(answer)
    if letters:
        return "".join(sorted(set(letters)))
    return normalise_text(answer)


def _strip_brackets(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] in "（(【[" and value[-1] in "）)】]":
        return value[1:-1].strip()
    return value


# --- the parser ---------------------------------------------------------------------------------------------


class _Parser:
    def __init__(self, lines: list[Line], filename: str, default_category: list[str], result: ParseResult):
        self.filename = filename
        self.default_category = list(default_category)
        self.result = result
        self.lines = self._split_mid_labels(lines)
        self.kinds = [self._kind(line) for line in self.lines]
        self._drop_running_headers()
        self.blocks: list[_Block] = []
        self.current: _Block | None = None
        self.state = ""  # stem / options / answer / explanation / meta:<field>
        self.blank_before = False
        self.sections: list[_Section] = []
        self.section: _Section | None = None
        self.entries: list[_Entry] = []
        self.key_runs = 0
        self.key_rows: list[int] = []
        self.key_explaining = False
        self.ignored: list[Line] = []
        self.orphan_images: list[tuple[int, ImportedImage]] = []

    # -- classification --

    @staticmethod
    def _split_mid_labels(lines: list[Line]) -> list[Line]:
        out: list[Line] = []
        for line in lines:
            text = _clean_line(line.text)
            if (
                "【" in text
                or "[" in text
                or "〔" in text
                or (("：" in text or ":" in text) and _MID_HINT.search(text))
            ):
                parts = [p for p in (_clean_line(p) for p in _MID_LABEL.split(text)) if p] or [""]
            else:
                parts = [text]
            for index, part in enumerate(parts):
                first = index == 0
                out.append(Line(line.row, part, line.list_number if first else None, line.images if first else []))
        return out

    @staticmethod
    def _kind(line: Line) -> int:
        text = line.text
        if not text:
            return BLANK
        if line.list_number is None and _PAGE_FURNITURE.match(text):
            return FURNITURE
        if _heading(text):
            return HEADING
        if _key_heading(text):
            return KEY_HEADING
        if _KEY_NUMBERS.match(text):
            return KEY_NUMBERS
        if line.list_number is None and _DIGIT_START.match(text) and _parse_entries(text, strict=True):
            return KEY_LINE
        if _ANSWER_LABEL.match(text) or _ANSWER_BARE.match(text):
            return ANSWER
        title = _KEY_TITLE.match(text)
        if title and not title["rest"]:
            return KEY_TITLE
        if _EXPLANATION.match(text):
            return EXPLANATION
        if _META.match(text):
            return META
        if line.list_number is not None:
            return QUESTION
        if _OPTION_START.match(text):
            return OPTION
        if _numbering(text) is not None:
            return QUESTION
        if _OPTION_SOFT.match(text):
            return SOFT_OPTION
        return TEXT

    def _drop_running_headers(self) -> None:
        """A line repeated on many pages (a running header or footer copied from a PDF) is furniture too."""
        if QUESTION not in self.kinds:
            return
        counts = Counter(line.text for line, kind in zip(self.lines, self.kinds, strict=True) if kind == TEXT)
        repeated = {text for text, count in counts.items() if count >= 3}
        if not repeated:
            return
        first: dict[str, int] = {}
        for index, line in enumerate(self.lines):
            if self.kinds[index] == TEXT and line.text in repeated:
                self.kinds[index] = FURNITURE
                first.setdefault(line.text, line.row)
        for text, row in first.items():
            self.result.warnings.append(
                Issue(
                    self.filename,
                    row,
                    _("页眉页脚"),
                    _("“%(t)s”重复出现 %(n)d 次，视为页眉或页脚，已忽略。") % {"t": text[:40], "n": counts[text]},
                )
            )

    # -- the pass --

    def run(self) -> None:
        index = 0
        in_key = False
        while index < len(self.lines):
            kind = self.kinds[index]
            if kind == BLANK or (kind == FURNITURE and not self._answer_pending()):
                line = self.lines[index]
                if line.images:  # a picture in a paragraph of its own belongs to the question around it
                    if self.current is not None and not in_key:
                        self._take_images(line)
                    else:
                        self._orphan_images(line)
                self.blank_before = self.blank_before or kind == BLANK
                index += 1
                continue
            if in_key:
                resume = self._key_line(index)
                if resume is not None:
                    in_key, index = False, resume
                    continue
            else:
                in_key = self._question_line(index)
            index += 1
        self._flush()
        self._finish()

    def _answer_pending(self) -> bool:
        """An empty "答案：" line was just read: a bare number on the next line is its answer, not a page number."""
        return self.state == "answer" and self.current is not None and not any(self.current.answer or [])

    def _question_line(self, index: int) -> bool:
        """Handle one line outside the answer key; True if the line starts the answer key."""
        line, kind = self.lines[index], self.kinds[index]
        text = line.text
        blank_before, self.blank_before = self.blank_before, False
        if kind == HEADING:
            self._flush()
            word = _heading(text)["word"]
            self.section = _Section(index=len(self.sections), row=line.row, word=word, type=SECTION_WORDS[word])
            self.sections.append(self.section)
            self._orphan_images(line)
            return False
        if kind in (KEY_HEADING, KEY_LINE, KEY_NUMBERS) or (kind == KEY_TITLE and self._key_follows(index, text)):
            self._flush()
            self._start_key(line)
            self._key_line(index)
            return True
        if kind == ANSWER:
            value = (_ANSWER_LABEL.match(text) or _ANSWER_BARE.match(text))["value"].strip()
            if _KEY_TITLE.match(text) and (_is_key_entries(value) or (not value and self._key_follows(index, text))):
                self._flush()
                self._start_key(line)
                self._key_line(index)
                return True
            if self.current is None:
                self._ignore(line)
                return False
            block = self.current
            if block.answer is not None and any(block.answer):
                block.problems.append(
                    (
                        COLUMNS["answer"],
                        _("有两处答案（第 %(a)d 行和第 %(b)d 行），请只保留一处。")
                        % {"a": block.answer_row, "b": line.row},
                    )
                )
            block.answer = [value] if value else []
            block.answer_row = line.row
            self._take_images(line)
            self.state = "answer"
            return False
        if kind == EXPLANATION:
            if self.current is None:
                self._ignore(line)
                return False
            value = _EXPLANATION.match(text)["value"].strip()
            self.current.explanation = (self.current.explanation or []) + ([value] if value else [])
            self._take_images(line)
            self.state = "explanation"
            return False
        if kind == META:
            if self.current is None:
                self._ignore(line)
                return False
            match = _META.match(text)
            name = _META_FIELDS[match["a"] or match["b"]]
            self.current.meta[name] = [match["value"].strip()]
            self.state = "meta:" + name
            return False
        if kind == QUESTION:
            self._start_question(line)
            return False
        if kind in (OPTION, SOFT_OPTION):
            letter = _option_letter(text) if kind == OPTION else text[0].translate(_TO_HALF_LETTER)
            if self.current is None and kind == OPTION:
                # Options with no question before them: kept, so that the question is reported, not lost.
                self.current = _Block(row=line.row, number=None, numbered=False, section=self.section)
                self.state = "options"
            if self._accepts_option(letter, soft=kind == SOFT_OPTION, blank_before=blank_before):
                if not self.current.options and letter != "A":
                    self._split_stem_options()
                self.current.options.append(_half_markers(text))
                self._take_images(line)
                self.state = "options"
                return False
        self._text(line, blank_before)
        return False

    def _accepts_option(self, letter: str, *, soft: bool, blank_before: bool) -> bool:
        block = self.current
        if block is None or self.state not in ("stem", "options", "answer"):
            return False
        if not block.numbered and blank_before and (block.options or block.answer is not None):
            return False  # a new unnumbered question whose stem starts with a letter
        if soft:
            if not block.options:
                return letter == "A"
            if len(block.options) >= len(OPTION_LETTERS) * 2:
                return False
            count = len(_split(block.options))
            return count < len(OPTION_LETTERS) and letter == OPTION_LETTERS[count]
        return bool(block.options) or letter == "A" or self._stem_has_a_marker()

    def _stem_has_a_marker(self) -> bool:
        return bool(self.current and self.current.stem and _INLINE_A.search(self.current.stem[-1], 1))

    def _split_stem_options(self) -> None:
        """The stem's last line ends with "A．甲" and the next line starts with B: move the A option out."""
        block = self.current
        if not block or not block.stem:
            return
        last = block.stem[-1]
        match = None
        for found in _INLINE_A.finditer(last):
            if found.start() > 0:
                match = found
        if match is None:
            return
        block.stem[-1] = last[: match.start()].rstrip()
        if not block.stem[-1]:
            block.stem.pop()
        block.options.append(_half_markers(last[match.start() :]))

    def _text(self, line: Line, blank_before: bool) -> None:
        block = self.current
        text = line.text
        if block is None or (not block.numbered and blank_before):
            self._start_block(line, number=None, numbered=False, rest=text)
            return
        self._take_images(line)
        if self.state == "stem":
            self._add_stem(text)
        elif self.state == "options":
            block.options.append(_half_markers(text))
        elif self.state == "answer":
            block.answer = [*(block.answer or []), text]
        elif self.state == "explanation":
            block.explanation = [*(block.explanation or []), text]
        elif self.state.startswith("meta:"):
            block.meta[self.state[5:]].append(text)

    def _start_question(self, line: Line) -> None:
        if line.list_number is not None:
            self._start_block(line, number=line.list_number, numbered=True, rest=line.text)
            return
        number, rest = _numbering(line.text)
        self._start_block(line, number=number, numbered=True, rest=rest)

    def _start_block(self, line: Line, *, number: int | None, numbered: bool, rest: str) -> None:
        self._flush()
        block = _Block(row=line.row, number=number, numbered=numbered, section=self.section)
        mark = _TYPE_MARK.match(rest)
        if mark:
            block.type_text = mark["word"]
            rest = rest[mark.end() :]
        self.current = block
        self.state = "stem"
        self._take_images(line)
        if rest:
            self._add_stem(rest)

    def _add_stem(self, text: str) -> None:
        block = self.current
        start = _inline_options_start(text)
        if start is None:
            block.stem.append(text)
            return
        before = text[:start].rstrip()
        if before:
            block.stem.append(before)
        block.options.append(_half_markers(text[start:]))
        self.state = "options"

    def _take_images(self, line: Line) -> None:
        if line.images and self.current is not None:
            self.current.images.extend((line.row, image) for image in line.images)

    def _orphan_images(self, line: Line) -> None:
        self.orphan_images.extend((line.row, image) for image in line.images)

    def _ignore(self, line: Line) -> None:
        self.ignored.append(line)
        self._orphan_images(line)

    def _flush(self) -> None:
        block, self.current = self.current, None
        self.state = ""
        if block is None:
            return
        if not block.numbered and not block.options and block.answer is None and not self._inline_answer(block):
            # Text that belongs to no question (a title, an instruction): reported, not imported.
            self.ignored.append(Line(block.row, "\n".join(block.stem)))
            self.orphan_images.extend(block.images)
            return
        self.blocks.append(block)

    # -- the answer key --

    def _start_key(self, line: Line) -> None:
        self.key_runs += 1
        self.key_rows.append(line.row)
        self.key_explaining = False

    def _key_follows(self, index: int, title: str) -> bool:
        """A title line without entries ("参考答案", "【答案】") starts the key only if key entries, a key heading or a
        题号 row follow. After a plain "答案：" the next line must be unmistakably a key ("1.A 2.B", "1-5 ABCDA")."""
        lenient = not re.match(r"^[【\[〔]?\s*(?:正确答案|答\s*案)\s*[】\]〕]?\s*[:：]?\s*$", title)
        for later in range(index + 1, min(index + 6, len(self.lines))):
            kind = self.kinds[later]
            if kind in (BLANK, FURNITURE):
                continue
            if kind in (KEY_LINE, KEY_NUMBERS, KEY_HEADING):
                return True
            return lenient and (kind == HEADING or _parse_entries(self.lines[later].text) is not None)
        return False

    def _key_line(self, index: int) -> int | None:
        """Handle one line of the answer key. Returns an index to go on from outside the key, or None."""
        line, kind = self.lines[index], self.kinds[index]
        text = line.text
        self._orphan_images(line)
        if kind == HEADING:
            if self._more_questions_follow(index):
                return index
            self.key_runs += 1
            self.key_explaining = False
            return None
        if kind == KEY_HEADING:
            self.key_runs += 1
            self._key_entries(_HEADING.match(text)["rest"].strip(" :："), line.row)
            return None
        if kind == KEY_NUMBERS:
            self._key_table(index)
            return None
        if kind == KEY_TITLE:
            return None
        if kind == ANSWER:
            value = (_ANSWER_LABEL.match(text) or _ANSWER_BARE.match(text))["value"].strip()
            if not value:
                return None
            if _parse_entries(value) is not None:
                self._key_entries(value, line.row)
                return None
        if kind in (OPTION, SOFT_OPTION, ANSWER):
            # The line before was a question, not a key entry ("6.下列……" read as the answer "下列……").
            last = self._last_text_entry_line(index)
            if last is not None:
                self.entries = [e for e in self.entries if e.row != self.lines[last].row]
                return last
        if kind == EXPLANATION:
            if self.entries:
                value = _EXPLANATION.match(text)["value"].strip()
                self.entries[-1].explanation.append(value)
                self.key_explaining = True
                return None
        elif kind == TEXT and self.key_explaining:
            self.entries[-1].explanation.append(text)
            return None
        self.key_explaining = False
        if kind == QUESTION and _looks_like_question(text):
            return index  # the questions go on after the key
        if _parse_entries(text) is not None:
            self._key_entries(text, line.row)
            return None
        if kind == QUESTION:
            return index  # a numbered line that is no key entry: the questions go on
        self.result.warnings.append(
            Issue(
                self.filename,
                line.row,
                KEY_COLUMN,
                _("答案表中这一行无法识别，已忽略：“%(t)s”。") % {"t": text[:40]},
            )
        )
        return None

    def _last_text_entry_line(self, index: int) -> int | None:
        """The previous line, if it gave exactly one key entry whose answer is text (a question misread as an entry)."""
        for earlier in range(index - 1, -1, -1):
            if self.kinds[earlier] in (BLANK, FURNITURE):
                continue
            entries = _parse_entries(self.lines[earlier].text)
            if entries and len(entries) == 1 and not _KEYLIKE.match(entries[0][2]) and self.kinds[earlier] == QUESTION:
                return earlier
            return None
        return None

    def _more_questions_follow(self, index: int) -> bool:
        """After an answer key, does this heading start more questions (options, answer lines, blanks, another key
        title later) rather than a part of the key?"""
        for later in range(index + 1, len(self.lines)):
            kind = self.kinds[later]
            if kind in (HEADING, KEY_HEADING, KEY_LINE, KEY_NUMBERS):
                return False
            if kind in (KEY_TITLE, OPTION, EXPLANATION, META) or _BLANK.search(self.lines[later].text):
                return True
            if kind == QUESTION and _looks_like_question(self.lines[later].text):
                return True
            if kind == ANSWER:
                value = _ANSWER_LABEL.match(self.lines[later].text) or _ANSWER_BARE.match(self.lines[later].text)
                return not _is_key_entries(value["value"])
        return False

    def _key_entries(self, text: str, row: int) -> None:
        self.key_explaining = False
        if not text:
            return
        entries = _parse_entries(text)
        if entries is None:
            self.result.rejected.append(
                Issue(self.filename, row, KEY_COLUMN, _("答案表中这一行无法识别：“%(t)s”。") % {"t": text[:40]})
            )
            return
        for first, last, answer in entries:
            if first == last:
                self.entries.append(_Entry(first, _clean_answer(answer), row, self.key_runs))
                continue
            parts = _split_range(answer, last - first + 1)
            if parts is None:
                self.result.rejected.append(
                    Issue(
                        self.filename,
                        row,
                        KEY_COLUMN,
                        _("答案表“%(a)d-%(b)d %(ans)s”：第 %(a)d 至 %(b)d 题共 %(n)d 题，答案的个数对不上。")
                        % {"a": first, "b": last, "ans": answer[:30], "n": last - first + 1},
                    )
                )
                continue
            for offset, part in enumerate(parts):
                self.entries.append(_Entry(first + offset, part, row, self.key_runs))

    def _key_table(self, index: int) -> None:
        """题号 1 2 3 … / 答案 A B C …: two rows (of a text or a Word table), paired in order."""
        line = self.lines[index]
        numbers = [t for t in _TOKEN_SPLIT.split(_KEY_NUMBERS.match(line.text)["rest"]) if t]
        values_line = None
        for later in range(index + 1, min(index + 4, len(self.lines))):
            if self.kinds[later] in (BLANK, FURNITURE):
                continue
            values_line = self.lines[later]
            break
        match = _KEY_VALUES.match(values_line.text) if values_line else None
        if match is None:
            self.result.rejected.append(
                Issue(self.filename, line.row, KEY_COLUMN, _("“题号”一行的下一行应是“答案”一行。"))
            )
            return
        self.kinds[later] = BLANK  # the 答案 row is read here
        values = [t for t in _TOKEN_SPLIT.split(match["rest"]) if t]
        if len(values) != len(numbers) or not all(_NUMBER.fullmatch(n) for n in numbers):
            self.result.rejected.append(
                Issue(
                    self.filename,
                    line.row,
                    KEY_COLUMN,
                    _("答案表有 %(n)d 个题号、%(v)d 个答案，对不上。") % {"n": len(numbers), "v": len(values)},
                )
            )
            return
        for number, value in zip(numbers, values, strict=True):
            self.entries.append(_Entry(int(number), value, values_line.row, self.key_runs))

    # -- matching the key, then validating --

    def _finish(self) -> None:
        self._report_ignored()
        self._number_runs()
        if self.entries:
            self._apply_key()
        for block in self.blocks:
            self._emit(block)
        self.result.questions.sort(key=lambda q: q.row)
        for issues in (self.result.rejected, self.result.skipped, self.result.warnings):
            issues.sort(key=lambda issue: issue.row)

    def _report_ignored(self) -> None:
        for line in self.ignored:
            self.result.warnings.append(
                Issue(
                    self.filename,
                    line.row,
                    COLUMNS["stem"],
                    _("这段文字不属于任何题目（没有题号、选项或答案），已忽略：“%(t)s”。") % {"t": line.text[:40]},
                )
            )
        for row, image in self.orphan_images:
            self.result.warnings.append(
                Issue(self.filename, row, _("图片"), _("图片“%(n)s”不属于任何题目，未导入。") % {"n": image.name})
            )

    def _number_runs(self) -> None:
        """Runs of questions: a new run at each section and wherever numbering starts again; an unnumbered question
        is numbered by its place in its run."""
        run, previous, section, ordinal, last_numbered = 0, None, object(), 0, None
        for block in self.blocks:
            restart = block.number is not None and previous is not None and block.number <= previous
            if block.section is not section or restart:
                run, ordinal, previous, section = run + 1, 0, None, block.section
            ordinal += 1
            block.run, block.ordinal = run, ordinal
            if block.numbered and block.number is not None:
                # A gap in the numbering is where a question's first line was not recognised (its text is then in
                # the question before it): say where to look.
                before = previous if previous is not None else (last_numbered if block.number != 1 else None)
                if before is not None and block.number > before + 1:
                    missing = str(before + 1) if block.number == before + 2 else f"{before + 1}–{block.number - 1}"
                    self.result.warnings.append(
                        Issue(
                            self.filename,
                            block.row,
                            COLUMNS["stem"],
                            _(
                                "题号从 %(a)d 跳到 %(b)d：没有找到第 %(m)s 题，可能它的题号写法无法识别而并入了上一题，"
                                "请检查。"
                            )
                            % {"a": before, "b": block.number, "m": missing},
                        )
                    )
                last_numbered = block.number
            if block.number is None:
                block.number = ordinal
            previous = block.number

    def _apply_key(self) -> None:
        question_runs: dict[int, list[_Block]] = {}
        for block in self.blocks:
            question_runs.setdefault(block.run, []).append(block)
        # Key runs: one per key block or key heading, and a new one wherever the numbers start again.
        key_groups: list[dict[int, _Entry]] = []
        duplicates: list[_Entry] = []
        current, previous = None, None
        for entry in self.entries:
            if entry.run != current or (previous is not None and entry.number <= previous):
                key_groups.append({})
                current = entry.run
            if entry.number in key_groups[-1]:
                duplicates.append(entry)
            else:
                key_groups[-1][entry.number] = entry
            previous = entry.number
        for entry in duplicates:
            self.result.rejected.append(
                Issue(self.filename, entry.row, KEY_COLUMN, _("答案表中第 %(n)d 题出现了两次。") % {"n": entry.number})
            )
        runs = [question_runs[key] for key in sorted(question_runs)]
        if len(key_groups) == len(runs):
            pairs = list(zip(runs, key_groups, strict=True))
        else:
            numbers = [b.number for b in self.blocks]
            key_numbers = [n for group in key_groups for n in group]
            if len(set(numbers)) != len(numbers) or len(set(key_numbers)) != len(key_numbers):
                self.result.rejected.append(
                    Issue(
                        self.filename,
                        self.key_rows[0] if self.key_rows else 1,
                        KEY_COLUMN,
                        _(
                            "答案表分为 %(k)d 组，题目分为 %(q)d 组（各组分别从第 %(rows)s 行开始），无法对应。"
                            "请让答案表与题目按同样的题型分组，或让题号在全文连续。"
                        )
                        % {"k": len(key_groups), "q": len(runs), "rows": "、".join(str(r[0].row) for r in runs)},
                    )
                )
                return
            pairs = [(list(self.blocks), {n: e for group in key_groups for n, e in group.items()})]
        for blocks, group in pairs:
            for block in blocks:
                entry = group.get(block.number)
                if entry is not None:
                    entry.used = True
                    block.key_answer, block.key_row = entry.answer, entry.row
                    block.key_explanation = "\n".join(e for e in entry.explanation if e)
        for entry in self.entries:
            if not entry.used and entry not in duplicates:
                self.result.rejected.append(
                    Issue(
                        self.filename,
                        entry.row,
                        KEY_COLUMN,
                        _("答案表中第 %(n)d 题（答案 %(a)s）找不到对应的题目。")
                        % {"n": entry.number, "a": entry.answer[:20]},
                    )
                )
        count = len(self.entries) - len(duplicates)
        if count != len(self.blocks):
            self.result.warnings.append(
                Issue(
                    self.filename,
                    self.key_rows[0] if self.key_rows else 1,
                    KEY_COLUMN,
                    _("答案表共有 %(k)d 个答案，文中共有 %(q)d 道题，数量不一致。")
                    % {"k": count, "q": len(self.blocks)},
                )
            )

    def _block_type(self, block: _Block) -> str | None:
        """QType value, "" (the answer decides) or None (a type this platform does not have)."""
        word = block.type_text or _clean_type(block.meta.get("type"))
        if word:
            return SECTION_WORDS.get(word, "")
        return block.section.type if block.section else ""

    def _inline_answer(self, block: _Block) -> tuple[str, str] | None:
        """(answer, stem with that bracket emptied) if the stem carries its answer in brackets: "（ B ）", "（√）"."""
        if not block.stem or self._block_type(block) == QType.FILL:
            return None
        stem = "\n".join(block.stem)
        found = list((_INLINE_CHOICE if block.options else _INLINE_TF).finditer(stem))
        if not found and not block.options:
            trailing = _TRAILING_TF.search(stem)
            if trailing:
                return trailing["ans"], stem[: trailing.start()].rstrip()
        if len(found) != 1:
            return None
        match = found[0]
        return match["ans"], stem[: match.start()] + f"{match['open']} {match['close']}" + stem[match.end() :]

    def _emit(self, block: _Block) -> None:
        row = block.row
        qtype = self._block_type(block)
        if qtype is None:
            word = block.type_text or _clean_type(block.meta.get("type")) or block.section.word
            self.result.skipped.append(
                Issue(self.filename, row, COLUMNS["type"], _("本平台没有“%(s)s”这种题型，已跳过。") % {"s": word})
            )
            return
        if block.problems:
            column, reason = block.problems[0]
            self.result.rejected.append(Issue(self.filename, row, column, reason))
            return
        stem = "\n".join(block.stem)
        choice = bool(block.options)
        sources: list[tuple[str, str]] = []  # (where, answer) from the answer line and the answer key
        explicit = "\n".join(block.answer or []).strip()
        if explicit:
            sources.append(("line", _clean_answer(explicit)))
        if block.key_answer is not None:
            sources.append(("key", block.key_answer))
        if len(sources) > 1 and len({_answer_form(answer, choice=choice) for _where, answer in sources}) > 1:
            where = {
                "line": _("第 %(r)d 行的答案") % {"r": block.answer_row},
                "key": _("答案表第 %(r)d 行") % {"r": block.key_row},
            }
            detail = "；".join(
                _("%(where)s为“%(answer)s”") % {"where": where[name], "answer": answer} for name, answer in sources
            )
            self.result.rejected.append(
                Issue(self.filename, row, COLUMNS["answer"], _("答案不一致：%(d)s。") % {"d": detail})
            )
            return
        answer = sources[0][1] if sources else ""
        inline = self._inline_answer(block)
        if inline is not None and not answer and _BLANK.search(stem):
            # "手提式（ABC）干粉灭火器适用于扑救（ ）": the stem keeps an empty blank for its answer, so the letters in the
            # other bracket are text, not an answer given inline; with no answer anywhere the question is refused.
            inline = None
        if inline is not None:
            inline_answer, emptied = inline
            if not answer or _answer_form(inline_answer, choice=choice) == _answer_form(answer, choice=choice):
                answer, stem = answer or inline_answer, emptied
            else:
                self.result.warnings.append(
                    Issue(
                        self.filename,
                        row,
                        COLUMNS["stem"],
                        _("题干括号中的“%(i)s”与答案“%(a)s”不同，视为题干文字，未作改动。")
                        % {"i": inline_answer, "a": answer},
                    )
                )
        accepted = None
        if qtype == QType.FILL:
            if not answer:
                found = [m for m in _INLINE_FILL.finditer(stem) if m["ans"].strip()]
                if found:
                    accepted = [[m["ans"].strip()] for m in found]
                    stem = _INLINE_FILL.sub(
                        lambda m: f"{m['open']} {m['close']}" if m["ans"].strip() else m.group(), stem
                    )
            else:
                accepted = _fill_blanks(answer, stem)
        if not answer and accepted is None:
            if block.options:
                reason = _(
                    "第 %(r)d 行的题目有选项，但题目中、答案行和答案表中都找不到答案"
                    "（可写“答案：B”、在题干括号中写“（ B ）”，或在文末写参考答案）。"
                ) % {"r": row}
            else:
                reason = _(
                    "第 %(r)d 行的题目没有答案（可写“答案：…”，判断题可在题干后写“（√）”“（×）”，或在文末写参考答案）。"
                ) % {"r": row}
            self.result.rejected.append(Issue(self.filename, row, COLUMNS["answer"], reason))
            return
        if not block.options and qtype in ("", QType.SINGLE, QType.MULTIPLE) and answer_letters(answer):
            if true_false_value(answer) is None:
                self.result.rejected.append(
                    Issue(
                        self.filename,
                        row,
                        COLUMNS["options"],
                        _("答案“%(a)s”是选项字母，但这道题没有找到选项（选项应写作 A.xxx、B.xxx，字母后加标点）。")
                        % {"a": answer},
                    )
                )
                return
        explanation = "\n".join(p for p in ("\n".join(block.explanation or []), block.key_explanation) if p)
        meta = {name: "\n".join(values).strip() for name, values in block.meta.items()}
        provided = {"type", "stem", "options", "answer"}
        if block.explanation is not None or block.key_explanation:
            provided.add("explanation")
        category = list(self.default_category)
        if meta.get("category"):
            category = split_category(meta["category"]) or category
            provided.add("category")
        provided.update(name for name in ("difficulty", "source", "tags") if meta.get(name))
        image = None
        if block.images:
            # One picture per question, checked by its content (a Word drawing in EMF is no web image).
            image, notes = choose_image([found for _row, found in block.images], question=_short(stem))
            self.result.warnings.extend(Issue(self.filename, row, _("图片"), note) for note in notes)
        raw = RawQuestion(
            row=row,
            type_text=str(TYPE_LABELS[qtype]) if qtype else "",
            stem=stem,
            options_cell="\n".join(block.options),
            answer=answer if accepted is None else "",
            accepted_answers=accepted,
            explanation=explanation,
            category=category,
            difficulty=meta.get("difficulty", ""),
            source=meta.get("source", ""),
            tags=meta.get("tags", ""),
            image=image,
            columns=COLUMNS,
            provided=frozenset(provided),
        )
        try:
            parsed = validate(raw, filename=self.filename, warnings=self.result.warnings)
        except Rejected as exc:
            self.result.rejected.append(Issue(self.filename, row, exc.column, exc.reason))
            return
        self.result.questions.append(parsed)
        self._report_hyphens(parsed)

    def _report_hyphens(self, question) -> None:
        """A word broken across two lines with a hyphen ("建-\n设"), as PDFs do: kept as written (the text is stored
        as it is), but pointed out, since Chinese never hyphenates a word and the phone would show the hyphen."""
        texts = [
            ("stem", question.stem),
            *(("options", o) for o in question.options),
            ("explanation", question.explanation),
        ]
        for column, text in texts:
            found = _HYPHENATED.search(text)
            if found:
                self.result.warnings.append(
                    Issue(
                        self.filename,
                        question.row,
                        COLUMNS[column],
                        _(
                            "“%(w)s”像是从 PDF 复制时断行留下的连字符，已按原文保留（含换行），如需去掉请修改原文后重新导入。"
                        )
                        % {"w": found.group().replace("\n", "")},
                    )
                )


_HYPHENATED = re.compile(r"[\u4e00-\u9fff][-‐‑－][ \t]*\n[ \t]*[\u4e00-\u9fff]")


def _short(text: str) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= 20 else text[:20] + "…"


def _looks_like_question(text: str) -> bool:
    """A numbered line after an answer key that is a question, not an entry: it has a blank, an answer in
    brackets, or is longer than any answer would be."""
    if _BLANK.search(text) or _INLINE_TF.search(text) or _INLINE_CHOICE.search(text):
        return True
    entries = _parse_entries(text)
    return entries is None or (len(entries) == 1 and not _KEYLIKE.match(entries[0][2]) and len(entries[0][2]) > 25)


def _is_key_entries(value: str) -> bool:
    """Answer-key entries after an answer label: "1-5 ABCDA", "1.A 2.B", "7.√" (but "1.5米" is an answer)."""
    entries = _parse_entries(value)
    if not entries:
        return False
    return len(entries) > 1 or entries[0][0] != entries[0][1] or bool(_KEYLIKE.match(entries[0][2]))


def _clean_answer(value: str) -> str:
    """An answer as written, brackets and a closing full stop removed: "（B）" "B。" -> "B"."""
    value = _strip_brackets(value)
    stripped = value.rstrip("。.．")
    return stripped if stripped and answer_letters(stripped) else value


def _clean_type(values: list[str] | None) -> str:
    return re.sub(r"\s", "", "".join(values or [])).strip("[]【】()（）")


def _split(options: list[str]) -> list[str]:
    return split_options_cell("\n".join(options)) or options


def _fill_blanks(answer: str, stem: str) -> list[list[str]] | None:
    """Several blanks and an answer without ";": split on 、，, or spaces only if that gives exactly one answer per
    blank. Otherwise None, and common.validate reads the answer as written (";" between blanks, "|" alternatives)."""
    blanks = len(_BLANK.findall(stem))
    if blanks < 2 or re.search(r"[;；|\n]", answer):
        return None
    parts = [p for p in re.split(r"[、，,\s]+", answer) if p]
    if len(parts) == blanks:
        return [[p] for p in parts]
    return None
