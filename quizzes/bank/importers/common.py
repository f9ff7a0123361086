"""What every importer shares: the parsed-question record, row issues, and the rules that turn the many ways
Chinese question banks write a type, an option list or an answer into the bank's canonical form.

Format modules (template, chinese, gift, aiken, moodle_xml, kahoot) only locate fields in their file and hand a
`RawQuestion` to `validate`, which either returns a `ParsedQuestion` or the reasons the row was rejected.
Nothing here touches the database.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elearn.spreadsheets import control_character
from quizzes.bank.models import MAX_OPTION_LENGTH, OPTION_LETTERS, TRUE_FALSE_OPTIONS, Category, Question

FORMAT_LABELS = {
    "spreadsheet": gettext_lazy("Excel/CSV 题库（本平台模板或常见中文题库格式）"),
    "kahoot": gettext_lazy("Kahoot! 题目表格"),
    "gift": gettext_lazy("Moodle GIFT"),
    "aiken": gettext_lazy("Aiken"),
    "moodle_xml": gettext_lazy("Moodle XML"),
    "text": gettext_lazy("文本题库（粘贴的文字或 .txt：编号题目、选项、答案行）"),
    "docx": gettext_lazy("Word 文档（.docx）"),
}
LAYOUT_LABELS = {
    "template": gettext_lazy("本平台导入模板"),
    "chinese": gettext_lazy("常见中文题库表格（已按表头识别各列）"),
    "kahoot": gettext_lazy("Kahoot! 模板（表头在第 8 行）"),
    "gift": gettext_lazy("GIFT 文本"),
    "aiken": gettext_lazy("Aiken 文本"),
    "moodle_xml": gettext_lazy("Moodle XML"),
    "text": gettext_lazy("文本题库（行号为文字的行号）"),
    "docx": gettext_lazy("Word 文档（行号为段落序号，表格每行计一段）"),
    "demo": gettext_lazy("演示题库"),
}
MAX_OPTIONS = 8
# The fields a table column can be mapped to (the preview's column selects, the API's column_map values).
FIELD_CHOICES = {
    "stem": gettext_lazy("题干"),
    "type": gettext_lazy("题型"),
    "options": gettext_lazy("选项（全部在一格）"),
    **{f"option{letter}": format_lazy("{}{}", gettext_lazy("选项"), letter) for letter in OPTION_LETTERS},
    "answer": gettext_lazy("答案"),
    "explanation": gettext_lazy("解析"),
    "category": gettext_lazy("分类"),
    "difficulty": gettext_lazy("难度"),
    "source": gettext_lazy("出处"),
    "tags": gettext_lazy("标签"),
    "time_limit": gettext_lazy("限时（秒）"),
}
IGNORE_LABEL = gettext_lazy("忽略")
MAX_STEM = 5000
MAX_CATEGORY_NAME = Category._meta.get_field("name").max_length
MAX_TAG = 100  # django-taggit's Tag.name

QType = Question.Type

TYPE_WORDS: dict[str, str] = {}
for _words, _type in (
    (
        "单选 单选题 单项选择 单项选择题 单选择题 选择题 单项 single single_choice singlechoice 单",
        QType.SINGLE,
    ),
    ("多选 多选题 多项选择 多项选择题 不定项 不定项选择题 多项 multiple multiple_choice multi 多", QType.MULTIPLE),
    ("判断 判断题 是非 是非题 对错题 正误题 truefalse true_false tf 判", QType.TRUE_FALSE),
    ("填空 填空题 填空题目 fill fill_in fillin blank shortanswer short_answer 填", QType.FILL),
):
    for _word in _words.split():
        TYPE_WORDS[_word] = _type

TRUE_WORDS = {"正确", "对", "√", "✓", "✔", "是", "t", "true", "y", "yes", "正", "对的"}
FALSE_WORDS = {"错误", "错", "×", "✗", "✘", "x", "否", "f", "false", "n", "no", "误", "错的"}
TYPE_LABELS = {QType.SINGLE: "单选题", QType.MULTIPLE: "多选题", QType.TRUE_FALSE: "判断题", QType.FILL: "填空题"}

# Numbering in front of a stem: "1.", "1．", "12、", "（3）", "【4】", "201，", "第5题", "第十二题：", "5)"; never the
# number that starts the text itself ("1.5米", "1:1", "1,000人").
_NUMBERING = re.compile(
    r"^\s*(?:第\s*[\d一二三四五六七八九十百零〇]+\s*题\s*[.．、:：,，]?"
    r"|[（(【\[]\s*\d+\s*[)）】\]]\s*[.．、:：]?"
    r"|\d+\s*(?:[.．:：,，](?!\d)|[.．](?=\d{4}\s*年)|[、)）]))\s*"  # "9．2021年版…" is numbering, "1.5米" is not
    r"(?!\d+\s*[、,，]\s*\d)"  # "119、110、120分别是…" starts with a list of numbers, not with numbering
)
_ANSWER_SEPARATORS = re.compile(r"[\s,，、;；/|.．+]+")
_ANSWER_BRACKETS = re.compile(r"^[(（【\[〔]\s*(?P<inner>[^()（）【】\[\]〔〕]*?)\s*[)）】\]〕]$")
_TF_MARKS = frozenset("√✓✔×✗✘")
_TAG_SEPARATORS = re.compile(r"[,，、;；|\s]+")
_SOURCE_LAW = re.compile(r"^\s*《(?P<law>[^》]+)》\s*(?P<article>.*?)\s*$", re.S)
_SOURCE_ARTICLE = re.compile(r"^\s*(?P<article>第[一二三四五六七八九十百零〇\d]+条.*?)\s*$", re.S)
_FORMULA_ESCAPE = ("'=", "'+", "'-", "'@")
DIFFICULTY_WORDS = {
    "很容易": 1,
    "非常简单": 1,
    "容易": 2,
    "简单": 2,
    "易": 2,
    "较易": 2,
    "中等": 3,
    "一般": 3,
    "中": 3,
    "适中": 3,
    "较难": 4,
    "难": 4,
    "困难": 5,
    "很难": 5,
    "非常难": 5,
}


@dataclass(frozen=True)
class Issue:
    """A rejected row, a skipped question or a warning: where (file, row, column) and why."""

    file: str
    row: int
    column: str
    reason: str

    def as_dict(self) -> dict:
        return {"file": self.file, "row": self.row, "column": self.column, "reason": self.reason}


@dataclass(frozen=True)
class ImportedImage:
    """An image that came with a question (embedded in a .docx, base64 in Moodle XML): bytes as found in the file.
    Parsing never writes; `quizzes.bank.services` stores it as a Wagtail image when the import is committed."""

    name: str
    data: bytes


@dataclass
class RawQuestion:
    """A question as a format module found it: text fields still in the file's spelling.

    `columns` names the column (or field) each value came from, for error messages. `provided` lists the model
    fields this format carries at all; fields it does not carry keep their stored value on an update.
    """

    row: int
    type_text: str = ""
    stem: str = ""
    options: list[str] | None = None  # separate option cells, in order (may contain blanks)
    options_cell: str = ""  # all options in one cell: "A.xxx B.xxx"
    answer: str = ""
    correct_indexes: list[int] | None = None  # formats that already know the indexes (GIFT, XML, Kahoot)
    accepted_answers: list[list[str]] | None = None
    explanation: str = ""
    category: list[str] = field(default_factory=list)
    difficulty: str = ""
    source: str = ""
    source_law: str = ""
    source_article: str = ""
    tags: str | list[str] = ""
    time_limit: str = ""
    image: ImportedImage | None = None
    columns: dict[str, str] = field(default_factory=dict)
    provided: frozenset[str] = frozenset()


@dataclass
class ParsedQuestion:
    """A valid question ready to be matched against the bank."""

    row: int
    type: str
    stem: str
    options: list[str]
    correct_options: list[int]
    accepted_answers: list[list[str]]
    explanation: str
    category: list[str]
    difficulty: int
    source_law: str
    source_article: str
    tags: list[str]
    time_limit: int | None
    provided: frozenset[str]
    image: ImportedImage | None = None
    blank: frozenset[str] = frozenset()  # provided fields this question leaves empty (kept on update by default)

    def model_values(self) -> dict:
        return {
            "type": self.type,
            "stem": self.stem,
            "options": list(self.options),
            "correct_options": sorted(self.correct_options),
            "accepted_answers": [list(a) for a in self.accepted_answers],
            "explanation": self.explanation,
            "difficulty": self.difficulty,
            "source_law": self.source_law,
            "source_article": self.source_article,
            "time_limit": self.time_limit,
        }


@dataclass
class HeaderInfo:
    """A table's header row as the importer read it: which field each column became and why, so the preview can
    show it and let the admin map the columns by hand.

    `row` is the 1-based row of the header (None when no row was recognised: `names` is then the likeliest
    candidate). `fields[i]` is the field of column i ("" = ignored). `source` is "auto" (recognised by name),
    "manual" (a mapping given with this import) or "remembered" (the mapping saved for this header).
    `column_map` (header name -> field) reproduces exactly this reading on the commit."""

    row: int | None
    names: list[str]
    fields: list[str]
    fingerprint: str
    source: str = "auto"
    column_map: dict[str, str] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)  # the first data row's cells, to help map by hand

    def as_dict(self) -> dict:
        return {
            "row": self.row,
            "fingerprint": self.fingerprint,
            "source": self.source,
            "column_map": dict(self.column_map),
            "columns": [
                {
                    "index": i,
                    "name": name,
                    "field": f,
                    "label": str(FIELD_CHOICES.get(f, "")),
                    "sample": self.samples[i][:40] if i < len(self.samples) else "",
                }
                for i, (name, f) in enumerate(zip(self.names, self.fields, strict=True))
            ],
        }


@dataclass
class ParseResult:
    """What a format module hands back: valid questions, rejected rows, skipped questions, warnings.

    `notices` say what the importer decided on its own (a remembered column mapping applied); `header` is set for
    tables; `clear_empty` makes an empty cell clear the stored value on an update (default: keep it)."""

    filename: str
    format: str
    layout: str = ""
    questions: list[ParsedQuestion] = field(default_factory=list)
    rejected: list[Issue] = field(default_factory=list)
    skipped: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    unmapped_columns: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    header: HeaderInfo | None = None
    clear_empty: bool = False


# --- text helpers -----------------------------------------------------------------------------------------


def clean(value) -> str:
    """Cell/field text as written: line breaks unified, whitespace around each line trimmed (ideographic spaces
    inside, as in "（　　）", are kept), the export's anti-formula apostrophe undone."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = "\n".join(line.strip() for line in text.split("\n")).strip()
    if text.startswith(_FORMULA_ESCAPE):
        text = text[1:]
    return text


def strip_numbering(stem: str) -> str:
    return _NUMBERING.sub("", stem, count=1).strip()


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().casefold()


def type_from_text(text: str) -> str | None:
    key = _fold(text).replace(" ", "").strip("[]【】()（）")
    return TYPE_WORDS.get(key)


def answer_letters(text: str) -> list[str] | None:
    """ "ABD", "A,B,D", "A、B", "a b" -> ["A", "B", "D"]; None if the text is not written as letters."""
    folded = unicodedata.normalize("NFKC", text.translate(_CIRCLED_TO_LETTER)).upper()  # "①③" as "AC"
    folded = folded.replace("答案", "").replace(":", "").strip().rstrip("。").strip()
    bracketed = _ANSWER_BRACKETS.match(folded)  # "（A）" "【AC】": the brackets a paper prints around an answer
    if bracketed:
        folded = bracketed["inner"]
    letters = _ANSWER_SEPARATORS.sub("", folded)
    if not letters or not all("A" <= ch <= "Z" for ch in letters):
        return None
    return list(letters)


def true_false_value(text: str) -> int | None:
    """0 for 正确/对/√/是/T/TRUE, 1 for 错误/错/×/否/F/FALSE, None otherwise."""
    key = _fold(text).replace(" ", "").rstrip("。.")
    bracketed = _ANSWER_BRACKETS.match(key)  # "（√）"
    if bracketed:
        key = bracketed["inner"]
    value = _true_false_word(key)
    if value is None and len(key) > 1 and (key[0] in _TF_MARKS or key[-1] in _TF_MARKS):
        # "对√", "正确✔", "×错": a word and a mark that say the same; "对×" says both, and is not an answer.
        mark, word = (key[0], key[1:]) if key[0] in _TF_MARKS else (key[-1], key[:-1])
        if _true_false_word(word) is not None and _true_false_word(word) == _true_false_word(mark):
            value = _true_false_word(mark)
    return value


def _true_false_word(key: str) -> int | None:
    if key in TRUE_WORDS:
        return 0
    if key in FALSE_WORDS:
        return 1
    return None


def split_tags(value: str | list[str]) -> list[str]:
    items = value if isinstance(value, list) else _TAG_SEPARATORS.split(clean(value))
    seen, tags = set(), []
    for tag in items:
        tag = tag.strip()
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags


def split_category(text: str) -> list[str]:
    text = clean(text)
    if not text:
        return []
    separator = ">" if (">" in text or "＞" in text) else "/"
    parts = re.split(r"\s*[>＞]\s*" if separator == ">" else r"\s*/\s*", text)
    return [p.strip() for p in parts if p.strip()]


def parse_source(text: str) -> tuple[str, str]:
    """ "《中华人民共和国安全生产法》第二十一条" -> (law, article); anything else is kept whole as the law."""
    text = clean(text)
    match = _SOURCE_LAW.match(text)
    if match:
        return match["law"].strip(), match["article"].strip()
    match = _SOURCE_ARTICLE.match(text)
    if match:
        return "", match["article"]
    return text, ""


def format_source(law: str, article: str) -> str:
    if law and article:
        return f"《{law}》{article}"
    if law:
        # A law name is wrapped in 《》; a free-form note that already has brackets stays as written.
        return law if "《" in law or "》" in law else f"《{law}》"
    return article


def fill_answers_from_text(text: str) -> list[list[str]]:
    """Blanks separated by ";" / "；" (or line breaks), alternative spellings by "|"."""
    blanks = []
    for blank in re.split(r"[;；\n]", text):
        spellings = [s.strip() for s in blank.split("|") if s.strip()]
        if spellings:
            blanks.append(spellings)
    return blanks


def fill_answers_to_text(accepted: list[list[str]]) -> str:
    return "；".join("|".join(blank) for blank in accepted)


def answer_to_text(question) -> str:
    if question.type == QType.FILL:
        return fill_answers_to_text(question.accepted_answers)
    if question.type == QType.TRUE_FALSE:
        return TRUE_FALSE_OPTIONS[question.correct_options[0]] if question.correct_options else ""
    return "".join(OPTION_LETTERS[i] for i in sorted(question.correct_options) if 0 <= i < len(OPTION_LETTERS))


def letters_range(count: int) -> str:
    return f"A–{OPTION_LETTERS[count - 1]}" if count >= 1 else "—"


# --- option cells -------------------------------------------------------------------------------------------
#
# One splitter for every way a bank writes all options in one cell: "A.甲 B.乙", "A、甲\nB、乙", "A．" "A:" "A："
# "A)" "（A）" "**A.甲**B.乙", "**A强制性**B科学性" (bold markers without punctuation), "A 甲 B 乙". It finds every
# place a letter A-H could start an option, grades how sure that is, and accepts a split only when the letters run
# A, B, C... in order with no sure marker left inside an option. Anything else is refused with the reason (or, where
# the split is still certain, a warning). The options keep the cell's own text: nothing is converted.

_OPTION_LETTER = re.compile("[A-HＡ-Ｈ]")
# Some banks number options a. b. c. or ① ② ③: read only in a cell with no A. B. marker at all, by the same rules.
_LOWER_OPTION_LETTER = re.compile("[a-hａ-ｈ]")
_CIRCLED = "①②③④⑤⑥⑦⑧"
_CIRCLED_TO_LETTER = str.maketrans(_CIRCLED, "ABCDEFGH")
_AFTER_CIRCLED = re.compile(r"[ \t]*[.．、:：]?[ \t]*")
_AFTER_LETTER = re.compile(r"(?P<close>[ \t]*[）)】\]])?(?P<punct>[ \t]*[.．、:：])?(?P<bold>\*\*)?")
_BOUNDARY = frozenset(" \t\n\u3000\xa0;；,，。!！?？|/*")
_OPENERS = frozenset("（(【[")
_OPTION_TAIL = " \t\n\u3000\xa0;；,，、|"
SURE, SPACED, GLUED, BARE = 3, 2, 1, 0  # how sure a candidate marker is


@dataclass(frozen=True)
class _Marker:
    start: int  # where the marker begins (its "**" or bracket included)
    end: int  # where the option's text begins
    letter: int  # 0 for A
    level: int

    def shown(self, text: str) -> str:
        return text[self.start : self.end].strip()


@dataclass
class OptionSplit:
    """What the splitter made of a cell: the options (source text, trimmed), or the reason it refused, and
    warnings about markers it saw but did not use."""

    options: list[str] = field(default_factory=list)
    error: str = ""
    warnings: list[str] = field(default_factory=list)


def _circled_markers(text: str) -> list[_Marker]:
    """ "①甲 ②乙": a circled digit is a marker wherever it stands (it has no other use in an option list)."""
    found = []
    for p, ch in enumerate(text):
        if ch in _CIRCLED:
            start = p - 2 if p >= 2 and text[p - 2 : p] == "**" else p
            found.append(_Marker(start, _AFTER_CIRCLED.match(text, p + 1).end(), _CIRCLED.index(ch), SURE))
    return found


def _markers(text: str, pattern: re.Pattern = _OPTION_LETTER) -> list[_Marker]:
    found = []
    for match in pattern.finditer(text):
        p = match.start()
        letter = OPTION_LETTERS.index(unicodedata.normalize("NFKC", match.group()).upper())
        k = p
        while k > 0 and text[k - 1] in " \t":
            k -= 1
        after = _AFTER_LETTER.match(text, p + 1)
        opened = k > 0 and text[k - 1] in _OPENERS
        closed = bool(after["close"])
        start = k - 1 if opened and closed else p
        bold = start >= 2 and text[start - 2 : start] == "**"
        if bold:
            start -= 2
        punct = bool(after["punct"]) or (closed and not opened and after["close"].strip() in ")）")
        end = after.end()
        if closed and not (opened or punct):
            end = p + 1  # "A]" is no marker; do not swallow the bracket
        before = text[start - 1] if start > 0 else "\n"
        if (opened and closed) or bold or after["bold"]:
            level = SURE
        elif punct:
            if before in _BOUNDARY:
                level = SURE
            elif before.isascii() and before.isalpha():
                continue  # "PCB." "ABC:" are words, not markers
            else:
                level = GLUED  # "甲B、乙", "维生素B.族"
        else:
            following = text[p + 1] if p + 1 < len(text) else ""
            if before.isascii() and before.isalnum() or following.isascii() and following.isalnum():
                continue  # "CO2", "A级" after a marker, "PM10"
            if before in _BOUNDARY and following in (" ", "\t"):
                level = SPACED  # "A 甲 B 乙"
            elif before == "\n" and following and not following.isspace():
                level = SPACED  # "A甲\nB乙": a letter opening a line
            elif following and not following.isspace():
                level = BARE  # "甲B乙": only reported, never used
            else:
                continue
        found.append(_Marker(start, end, letter, level))
    return found


def _segment(text: str, markers: list[_Marker], levels: set[int]) -> list[_Marker]:
    """The first marker of each next letter A, B, C... (of the given levels); A must open the cell."""
    chosen: list[_Marker] = []
    for marker in markers:
        if marker.level not in levels or (chosen and marker.start < chosen[-1].end):
            continue
        if marker.letter == len(chosen):
            if not chosen and text[: marker.start].strip(" \t\n*"):
                break
            chosen.append(marker)
    return chosen


def _option_text(text: str, start: int, stop: int) -> str:
    option = text[start:stop].strip(_OPTION_TAIL)
    if option.endswith("**"):
        option = option[:-2].rstrip(_OPTION_TAIL)
    if option.startswith("**"):
        option = option[2:].lstrip()
    return option


def split_options(cell: str) -> OptionSplit:
    """Split one cell holding every option; see the comment above. Text outside markers is kept as written."""
    text = cell.strip()
    markers = _markers(text)
    if not any(m.level > BARE for m in markers):
        for alternative in (_markers(text, _LOWER_OPTION_LETTER), _circled_markers(text)):
            if any(m.level > BARE for m in alternative):
                markers = alternative
                break
    usable = [m for m in markers if m.level > BARE]
    attempts = []
    for levels in ({SURE}, {SURE, SPACED}, {SURE, SPACED, GLUED}):
        chosen = _segment(text, usable, levels)
        bounds = [(m.end, chosen[i + 1].start if i + 1 < len(chosen) else len(text)) for i, m in enumerate(chosen)]
        inside = [(i, m) for i, (lo, hi) in enumerate(bounds) for m in usable if lo <= m.start < hi and m.level == SURE]
        next_letter_in_last = bool(bounds) and any(m.letter == len(chosen) and bounds[-1][0] <= m.start for m in usable)
        attempts.append((chosen, bounds, inside))
        if len(chosen) >= 2 and not inside and not next_letter_in_last:
            result = OptionSplit(options=[_option_text(text, lo, hi) for lo, hi in bounds])
            for i, (lo, hi) in enumerate(bounds):
                for m in usable:
                    if not (lo <= m.start < hi and m.letter > i):
                        continue
                    if m.letter == i + 1 and i + 1 < len(chosen):
                        reason = _("选项 %(l)s 中的“%(m)s”没有当作选项标记（后面有更明确的“%(n)s”）。") % {
                            "l": OPTION_LETTERS[i],
                            "m": m.shown(text),
                            "n": chosen[i + 1].shown(text),
                        }
                    else:
                        reason = _("选项 %(l)s 中的“%(m)s”没有当作选项标记，请确认这一格拆分正确。") % {
                            "l": OPTION_LETTERS[i],
                            "m": m.shown(text),
                        }
                    result.warnings.append(reason)
            return result
    chosen, bounds, inside = attempts[-1]
    if not chosen:
        first = next(iter(usable), None)
        if first is None:
            return OptionSplit(error=_("没有找到选项标记（应写作 A.xxx B.xxx）。"))
        if first.letter != 0:
            return OptionSplit(
                error=_("第一个选项标记是“%(m)s”，没有 A（字母须按 A、B、C… 的顺序）。") % {"m": first.shown(text)}
            )
        return OptionSplit(
            error=_("“%(t)s”写在选项 A 之前，不属于任何选项。") % {"t": text[: first.start].strip()[:20]}
        )
    if inside:
        i, m = inside[0]
        expected = len(chosen) if i == len(chosen) - 1 else i + 1
        if m.letter > expected:
            return OptionSplit(
                error=_("选项 %(l)s 之后是“%(m)s”，缺少 %(x)s（字母须按 A、B、C… 的顺序）。")
                % {"l": OPTION_LETTERS[i], "m": m.shown(text), "x": OPTION_LETTERS[expected]}
            )
        return OptionSplit(
            error=_("选项 %(l)s 的文字中又出现了选项标记“%(m)s”（字母重复或顺序不对），无法确定从哪里拆分。")
            % {"l": OPTION_LETTERS[i], "m": m.shown(text)}
        )
    later = [m for m in markers if m.start >= chosen[-1].end]
    if later:
        m = later[0]
        if m.level == BARE and m.letter == len(chosen):
            return OptionSplit(
                error=_(
                    "只找到 %(n)d 个选项标记；“%(m)s”前后没有标点或空格，无法确定是不是选项（应写作 A.xxx B.xxx）。"
                )
                % {"n": len(chosen), "m": text[m.start : m.start + 2]}
            )
        return OptionSplit(
            error=_("选项 %(l)s 之后是“%(m)s”，缺少 %(x)s（字母须按 A、B、C… 的顺序）。")
            % {
                "l": OPTION_LETTERS[len(chosen) - 1],
                "m": m.shown(text) or text[m.start : m.start + 2],
                "x": OPTION_LETTERS[len(chosen)],
            }
        )
    # One marker and nothing else that looks like one: truly a single option (validate says so).
    return OptionSplit(options=[_option_text(text, lo, hi) for lo, hi in bounds])


def split_options_cell(cell: str) -> list[str]:
    """ "A.甲 B.乙", "A、甲\\nB、乙", "**A.甲**B.乙", "A：甲 B：乙" -> ["甲", "乙"]; [] if the cell cannot be split."""
    result = split_options(cell)
    return [] if result.error else result.options


# --- validation -------------------------------------------------------------------------------------------


class Rejected(Exception):
    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column = column
        self.reason = reason


def validate(raw: RawQuestion, *, filename: str, warnings: list[Issue]) -> ParsedQuestion:
    """Canonical question from a raw one, or raise Rejected(column, reason). Appends non-fatal warnings."""
    col = raw.columns
    _refuse_control_characters(raw)

    def warn(column_key: str, reason: str) -> None:
        warnings.append(Issue(filename, raw.row, col.get(column_key, column_key), reason))

    stem = strip_numbering(clean(raw.stem))
    if not stem:
        raise Rejected(col.get("stem", "题干"), _("题干为空。"))
    if len(stem) > MAX_STEM:
        raise Rejected(col.get("stem", "题干"), _("题干超过 %(n)d 个字符。") % {"n": MAX_STEM})

    options = [clean(o) for o in raw.options] if raw.options is not None else []
    while options and not options[-1]:
        options.pop()
    options = [strip_option_letter(o, i) for i, o in enumerate(options)]

    answer = clean(raw.answer)
    qtype = None
    type_text = clean(raw.type_text)
    if type_text:
        qtype = type_from_text(type_text)
        if qtype is None:
            raise Rejected(
                col.get("type", "题型"),
                _("无法识别的题型“%(type)s”（可用：单选题、多选题、判断题、填空题）。") % {"type": type_text},
            )
    cell = clean(raw.options_cell)
    if not options and cell:
        split = split_options(cell)
        if split.error and qtype in (QType.TRUE_FALSE, QType.FILL):
            warn("options", _("%(type)s不用选项，“%(cell)s”已忽略。") % {"type": TYPE_LABELS[qtype], "cell": cell[:40]})
        elif split.error:
            raise Rejected(
                col.get("options", "选项"),
                _("无法从“%(cell)s”中拆分出选项：%(why)s") % {"cell": cell[:40], "why": split.error},
            )
        else:
            options = split.options
            for reason in split.warnings:
                warn("options", reason)
    if qtype is None:
        qtype = _infer_type(options, answer, raw)
        if qtype == QType.FILL and raw.accepted_answers is None and _option_letters_only(answer):
            # "B" with no options is an option letter whose options are missing (an empty or unrecognised options
            # column), not the text a fill-in blank expects: never stored as a fill-in question by guess.
            raise Rejected(
                col.get("answer", "答案"),
                _(
                    "答案“%(a)s”是选项字母，但这一行没有选项（选项为空，或选项所在的列没有认出来）。"
                    "如果是选择题，请补上选项或在预览页指定选项列；如果确实是填空题，请把题型写为“填空题”。"
                )
                % {"a": answer[:20]},
            )

    correct: list[int] = []
    accepted: list[list[str]] = []
    if qtype == QType.FILL:
        accepted = raw.accepted_answers if raw.accepted_answers is not None else fill_answers_from_text(answer)
        accepted = [[clean(s) for s in blank if clean(s)] for blank in accepted]
        accepted = [blank for blank in accepted if blank]
        if not accepted:
            raise Rejected(col.get("answer", "答案"), _("填空题缺少答案。"))
        options = []
    elif qtype == QType.TRUE_FALSE:
        correct = _true_false_answer(raw, options, answer, warn=warn)
        options = list(TRUE_FALSE_OPTIONS)
    else:
        if any(not o for o in options):
            blank = OPTION_LETTERS[next(i for i, o in enumerate(options) if not o)]
            raise Rejected(col.get(f"option{blank}", col.get("options", "选项")), _("选项 %(l)s 为空。") % {"l": blank})
        if len(options) < 2:
            raise Rejected(
                col.get("options", "选项"), _("选择题至少需要 2 个选项，这里只有 %(n)d 个。") % {"n": len(options)}
            )
        if len(options) > MAX_OPTIONS:
            raise Rejected(
                col.get("options", "选项"), _("选择题最多 8 个选项，这里有 %(n)d 个。") % {"n": len(options)}
            )
        for letter, option in zip(OPTION_LETTERS, options, strict=False):
            if len(option) > MAX_OPTION_LENGTH:
                raise Rejected(
                    col.get(f"option{letter}", col.get("options", "选项")),
                    _("选项 %(l)s 超过 %(n)d 个字符。") % {"l": letter, "n": MAX_OPTION_LENGTH},
                )
        correct = _choice_answer(raw, options, answer)
        if qtype == QType.SINGLE and len(correct) != 1:
            raise Rejected(
                col.get("answer", "答案"),
                _("单选题只能有一个答案，这里是“%(a)s”。") % {"a": answer or ",".join(str(i + 1) for i in correct)},
            )
        if qtype == QType.MULTIPLE and len(correct) < 2:
            raise Rejected(col.get("answer", "答案"), _("多选题至少要有两个正确答案，这里只有一个。"))
        if len({_fold(o) for o in options}) != len(options):
            warn("options", _("有重复的选项文字。"))

    difficulty = 3
    difficulty_text = clean(raw.difficulty)
    if difficulty_text:
        difficulty = _difficulty(difficulty_text)
        if difficulty is None:
            warn("difficulty", _("难度“%(d)s”无法识别，按 3 处理（应为 1–5）。") % {"d": difficulty_text})
            difficulty = 3

    law, article = clean(raw.source_law), clean(raw.source_article)
    if raw.source:
        law, article = parse_source(raw.source)
    if len(law) > 100:
        warn("source", _("出处过长，已截断为 100 个字符。"))
        law = law[:100]
    if len(article) > 50:
        warn("source", _("条款过长，已截断为 50 个字符。"))
        article = article[:50]

    time_limit = None
    limit_text = clean(raw.time_limit)
    if limit_text:
        try:
            time_limit = int(float(limit_text))
            if not 1 <= time_limit <= 3600:
                raise ValueError
        except ValueError:
            warn("time_limit", _("限时“%(t)s”无效，已忽略。") % {"t": limit_text})
            time_limit = None

    category = [c for c in raw.category if c]
    if any(len(c) > MAX_CATEGORY_NAME for c in category):
        warn("category", _("分类名称超过 %(n)d 个字符，已截断。") % {"n": MAX_CATEGORY_NAME})
        category = [c[:MAX_CATEGORY_NAME] for c in category]
    tags = split_tags(raw.tags)
    if any(len(t) > MAX_TAG for t in tags):
        warn("tags", _("标签超过 %(n)d 个字符，已截断。") % {"n": MAX_TAG})
        tags = split_tags([t[:MAX_TAG] for t in tags])

    return ParsedQuestion(
        row=raw.row,
        type=str(qtype),
        stem=stem,
        options=options,
        correct_options=sorted(set(correct)),
        accepted_answers=accepted,
        explanation=clean(raw.explanation),
        category=category,
        difficulty=difficulty,
        source_law=law,
        source_article=article,
        tags=tags,
        time_limit=time_limit,
        provided=raw.provided,
        image=raw.image,
        blank=_blank_fields(raw),
    )


def _blank_fields(raw: RawQuestion) -> frozenset[str]:
    """The optional fields the format carries (`provided`) but this question leaves empty. An update keeps the
    stored value of such a field unless the import was asked to clear empty fields (ParseResult.clear_empty)."""
    empty = {
        "explanation": not clean(raw.explanation),
        "difficulty": not clean(raw.difficulty),
        "source": not (clean(raw.source) or clean(raw.source_law) or clean(raw.source_article)),
        "tags": not split_tags(raw.tags),
        "time_limit": not clean(raw.time_limit),
    }
    return frozenset(name for name, is_empty in empty.items() if is_empty and name in raw.provided)


DEFAULT_COLUMNS = {
    "type": "题型",
    "stem": "题干",
    "options": "选项",
    "answer": "答案",
    "explanation": "解析",
    "category": "分类",
    "difficulty": "难度",
    "source": "出处",
    "tags": "标签",
    "time_limit": "限时",
}


def _refuse_control_characters(raw: RawQuestion) -> None:
    """No text may carry NUL, bidi overrides and the like (PostgreSQL cannot store NUL; the others hide or reverse
    text on the phone): Rejected, naming the column."""
    options = raw.options or []
    fields = [
        ("type", [raw.type_text]),
        ("stem", [raw.stem]),
        *((f"option{OPTION_LETTERS[i]}", [o]) for i, o in enumerate(options) if i < len(OPTION_LETTERS)),
        ("options", [raw.options_cell, *options[len(OPTION_LETTERS) :]]),
        ("answer", [raw.answer, *(a for blank in raw.accepted_answers or [] for a in blank)]),
        ("explanation", [raw.explanation]),
        ("category", list(raw.category)),
        ("difficulty", [raw.difficulty]),
        ("source", [raw.source, raw.source_law, raw.source_article]),
        ("tags", raw.tags if isinstance(raw.tags, list) else [raw.tags]),
        ("time_limit", [raw.time_limit]),
    ]
    for key, values in fields:
        for value in values:
            if isinstance(value, str) and (bad := control_character(value)):
                column = raw.columns.get(key) or raw.columns.get("options" if key.startswith("option") else key)
                raise Rejected(
                    column or DEFAULT_COLUMNS.get(key, DEFAULT_COLUMNS["options"]),
                    _("含有不可见的控制字符 %(char)s，请删除后重新导入。") % {"char": bad},
                )


def strip_option_letter(option: str, index: int) -> str:
    """Separate option cells sometimes repeat the letter: "A.甲" in column 选项A."""
    letter = OPTION_LETTERS[index] if index < len(OPTION_LETTERS) else ""
    if letter:
        match = re.match(r"^[（(]?" + letter + r"\s*[\.．、:：)）]\s*", option)
        if match and option[match.end() :].strip():
            return option[match.end() :].strip()
    return option


def _option_letters_only(answer: str) -> bool:
    letters = answer_letters(answer)
    return bool(letters) and len(letters) <= len(OPTION_LETTERS) and all(ch in OPTION_LETTERS for ch in letters)


def _infer_type(options: list[str], answer: str, raw: RawQuestion) -> str:
    if raw.accepted_answers is not None:
        return QType.FILL
    if raw.correct_indexes is not None:
        return QType.SINGLE if len(set(raw.correct_indexes)) == 1 else QType.MULTIPLE
    if not options:
        return QType.TRUE_FALSE if true_false_value(answer) is not None else QType.FILL
    letters = answer_letters(answer)
    if letters and len(set(letters)) > 1:
        return QType.MULTIPLE
    return QType.SINGLE


def _choice_answer(raw: RawQuestion, options: list[str], answer: str) -> list[int]:
    col = raw.columns.get("answer", "答案")
    if raw.correct_indexes is not None:
        indexes = list(raw.correct_indexes)
        if not indexes:
            raise Rejected(col, _("缺少答案。"))
    else:
        if not answer:
            raise Rejected(col, _("缺少答案。"))
        letters = answer_letters(answer)
        if letters is None:
            # An answer written as the option text itself.
            matches = [i for i, o in enumerate(options) if _fold(o) == _fold(answer)]
            if len(matches) == 1:
                return matches
            raise Rejected(col, _("答案“%(a)s”应写作选项字母（如 A、ABD、A,B,D）。") % {"a": answer[:40]})
        indexes = [OPTION_LETTERS.index(ch) if ch in OPTION_LETTERS else 99 for ch in letters]
    bad = [i for i in indexes if not 0 <= i < len(options)]
    if bad:
        shown = answer or ",".join(str(i + 1) for i in indexes)
        raise Rejected(
            col,
            _("答案“%(a)s”不在选项 %(range)s 中。") % {"a": shown, "range": letters_range(len(options))},
        )
    return sorted(set(indexes))


def _true_false_answer(raw: RawQuestion, options: list[str], answer: str, *, warn=None) -> list[int]:
    col = raw.columns.get("answer", "答案")
    if raw.correct_indexes is not None:
        if len(raw.correct_indexes) != 1 or raw.correct_indexes[0] not in (0, 1):
            raise Rejected(col, _("判断题须有且只有一个答案。"))
        index = raw.correct_indexes[0]
        if options and len(options) == 2:
            value = true_false_value(options[index])
            return [value if value is not None else index]
        return [index]
    if not answer:
        raise Rejected(col, _("缺少答案。"))
    value = true_false_value(answer)
    if value is None:
        letters = answer_letters(answer)
        if letters and len(letters) == 1 and letters[0] in "AB":
            index = "AB".index(letters[0])
            value = true_false_value(options[index]) if len(options) == 2 else index
            if value is None:
                value = index
            if len(options) != 2 and warn is not None:
                # No options to say what A and B are: the usual convention, said out loud.
                warn(
                    "answer",
                    _("判断题答案写作“%(a)s”，这一行没有选项，已按 A=正确、B=错误 理解为“%(v)s”，请核对。")
                    % {"a": answer, "v": TRUE_FALSE_OPTIONS[value]},
                )
    if value is None and _true_false_conflict(answer):
        raise Rejected(col, _("判断题答案“%(a)s”互相矛盾（既说对又说错），请只保留一个。") % {"a": answer[:40]})
    if value is None:
        raise Rejected(
            col, _("判断题答案“%(a)s”无法识别（可写 正确/错误、对/错、√/×、是/否、T/F）。") % {"a": answer[:40]}
        )
    return [value]


def _true_false_conflict(text: str) -> bool:
    """ "对×", "错误√": a word and a mark that say opposite things."""
    key = _fold(text).replace(" ", "").rstrip("。.")
    if len(key) < 2 or not (key[0] in _TF_MARKS or key[-1] in _TF_MARKS):
        return False
    mark, word = (key[0], key[1:]) if key[0] in _TF_MARKS else (key[-1], key[:-1])
    values = {_true_false_word(word), _true_false_word(mark)}
    return None not in values and len(values) == 2


def _difficulty(text: str) -> int | None:
    folded = unicodedata.normalize("NFKC", text).strip()
    try:
        value = float(folded)
    except ValueError:
        return DIFFICULTY_WORDS.get(folded.replace("题", ""))
    if value.is_integer() and 1 <= value <= 5:
        return int(value)
    return None
