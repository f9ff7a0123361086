"""Question banks in Word (.docx), read with python-docx: the document's paragraphs become the lines that
`quizzes.bank.importers.document` parses, and tables that are banks (a header row with 题干/答案 …, one question per
row) go to the spreadsheet module.

- Paragraphs and tables are read in body order (content controls included, deleted tracked changes left out); a
  line break inside a paragraph splits it into lines with the same row.
- Word list numbering (no digits in the text): a numbered paragraph starts a question; a lettered one (A. B. …) is
  an option; a Chinese-counted one (一、二、…) may be a section heading. The label Word would show is put back.
- Images in a question's paragraphs are attached to it (`ImportedImage`; stored as Wagtail images when the import
  is committed). Formats Wagtail cannot show (EMF/WMF drawings, equations) and linked images are reported.
- Rows are paragraph numbers: each body paragraph counts one, and so does each row of a table.

The file is checked before python-docx reads it: a zip, within the entry/size/ratio limits of
`elearn.spreadsheets`, no DTD in its XML parts, with a word/document.xml.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from elearn.spreadsheets import SpreadsheetError, _check_size, check_zip
from quizzes.bank.importers import document, spreadsheet
from quizzes.bank.importers.common import ImportedImage, Issue, ParseResult
from quizzes.bank.importers.images import choose_image

FORMAT = "docx"

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_A_BLIP = "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"
_V_IMAGEDATA = "{urn:schemas-microsoft-com:vml}imagedata"
_MC_ALTERNATE = "{http://schemas.openxmlformats.org/markup-compatibility/2006}AlternateContent"
_P, _TBL, _TR, _TC, _SDT, _SDT_CONTENT = (f"{_W}{t}" for t in ("p", "tbl", "tr", "tc", "sdt", "sdtContent"))
_RUN, _T, _TAB, _PTAB, _BR, _CR, _NBH, _SYM = (
    f"{_W}{t}" for t in ("r", "t", "tab", "ptab", "br", "cr", "noBreakHyphen", "sym")
)
_DRAWING, _PICT, _OBJECT = f"{_W}drawing", f"{_W}pict", f"{_W}object"
# Elements whose runs are part of the paragraph's visible text (w:del and w:moveFrom are not).
_CONTAINERS = {
    f"{_W}{t}"
    for t in ("hyperlink", "ins", "smartTag", "sdt", "sdtContent", "fldSimple", "customXml", "moveTo", "dir", "bdo")
}
_BLOCK_CONTAINERS = {_SDT, _SDT_CONTENT, f"{_W}customXml"}
# Check marks inserted from symbol fonts (Insert > Symbol): what a true/false answer is often written with.
_SYMBOLS = {
    ("wingdings", "f0fc"): "√",
    ("wingdings", "f0fb"): "×",
    ("wingdings 2", "f050"): "√",
    ("wingdings 2", "f04f"): "×",
    ("symbol", "f0d6"): "√",
    ("symbol", "f0b4"): "×",
}
_DECIMAL = {
    "decimal",
    "decimalZero",
    "decimalFullWidth",
    "decimalFullWidth2",
    "decimalHalfWidth",
    "decimalEnclosedParen",
    "decimalEnclosedFullstop",
}
_LETTER = {"upperLetter", "lowerLetter"}
_CHINESE = {
    "chineseCounting",
    "chineseCountingThousand",
    "chineseLegalSimplified",
    "ideographTraditional",
    "ideographLegalTraditional",
    "ideographDigital",
    "japaneseCounting",
    "taiwaneseCounting",
    "taiwaneseCountingThousand",
}
_CIRCLED = {"decimalEnclosedCircle", "decimalEnclosedCircleChinese"}
_CN_DIGITS = "零一二三四五六七八九"


@dataclass
class _Table:
    rows: list[list[str]]
    positions: list[int]  # the row (paragraph number) of each table row
    images: list[list[ImportedImage]] = field(default_factory=list)


def parse_docx(
    data: bytes, filename: str, *, default_category: list[str], table_options: dict | None = None
) -> ParseResult:
    """Parse a .docx; `table_options` (column_map, saved_mappings) go to the spreadsheet module with bank tables."""
    items, warnings = read_docx(data, filename)
    lines: list[document.Line] = []
    tables: list[ParseResult] = []
    for item in items:
        if isinstance(item, document.Line):
            lines.append(item)
        elif spreadsheet.find_header(item.rows) is not None:
            tables.append(_parse_table(item, filename, default_category, table_options or {}))
        else:
            lines.extend(_table_lines(item))
    result = document.parse_lines(lines, filename, default_category=default_category, fmt=FORMAT, layout=FORMAT)
    for table in tables:
        result.questions.extend(table.questions)
        result.rejected.extend(table.rejected)
        result.skipped.extend(table.skipped)
        result.warnings.extend(table.warnings)
        result.unmapped_columns.extend(c for c in table.unmapped_columns if c not in result.unmapped_columns)
    if tables:
        result.questions.sort(key=lambda q: q.row)
    result.warnings[:0] = warnings
    document.require_questions(result)
    return result


def read_docx(data: bytes, filename: str) -> tuple[list[document.Line | _Table], list[Issue]]:
    """The body of the document in order: Lines (one per paragraph line) and _Tables; plus warnings (images that
    cannot be imported)."""
    check_docx(data, filename)
    import docx
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.exceptions import PackageNotFoundError

    try:
        doc = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        raise SpreadsheetError(
            _("无法读取 Word 文件“%(name)s”：它不是有效的 .docx 文档。") % {"name": filename}
        ) from exc
    except Exception as exc:  # lxml and zlib raise their own types for damaged parts
        raise SpreadsheetError(_("无法读取 Word 文件“%(name)s”：%(error)s") % {"name": filename, "error": exc}) from exc
    reader = _Reader(doc, filename, RT)
    reader.read(doc.element.body)
    return reader.items, reader.warnings


def check_docx(data: bytes, filename: str) -> None:
    """Refuse what is not a .docx, and zip bombs, before any parser sees it (limits as for xlsx uploads)."""
    _check_size(data, filename)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise SpreadsheetError(
            _("“%(name)s”是旧版 Word（.doc）文件或已加密，请在 Word 中另存为 .docx 后再上传。") % {"name": filename}
        )
    check_zip(data, filename, kind="Word（.docx）", parts=("[Content_Types].xml", "word/document.xml"))


class _Reader:
    def __init__(self, doc, filename: str, rt):
        self.part = doc.part
        self.filename = filename
        self.items: list[document.Line | _Table] = []
        self.warnings: list[Issue] = []
        self.position = 0
        self.images: dict[str, ImportedImage | None] = {}  # rId -> image (None: reported, not importable)
        self.numbering = _Numbering(doc, rt)

    def read(self, body) -> None:
        for child in body:
            tag = child.tag
            if tag == _P:
                self.position += 1
                self._paragraph(child)
            elif tag == _TBL:
                self._table(child)
            elif tag in _BLOCK_CONTAINERS:
                self.read(child)

    def _paragraph(self, element) -> None:
        text, rids = _paragraph_text(element)
        images = self._images(rids)
        label = self.numbering.label(element)
        list_number = None
        if label is not None:
            kind, value = label
            if kind == "decimal":
                list_number = value
            else:
                text = _label(kind, value) + text
        lines = text.split("\n")
        for index, line in enumerate(lines):
            first = index == 0
            self.items.append(
                document.Line(
                    row=self.position,
                    text=line,
                    list_number=list_number if first else None,
                    images=images if first else [],
                )
            )

    def _table(self, element) -> None:
        table = _Table(rows=[], positions=[])
        for row in element.iter(_TR):
            if _enclosing_table(row) is not element:
                continue  # a row of a nested table: read as part of its cell
            self.position += 1
            cells, images = [""] * _grid_value(row, f"{_W}trPr/{_W}gridBefore"), []
            for cell in row:
                if cell.tag != _TC:
                    continue
                texts = []
                for paragraph in cell.iter(_P):
                    text, rids = _paragraph_text(paragraph)
                    texts.append(text)
                    images.extend(self._images(rids))
                cells.append("\n".join(t.strip() for t in texts).strip())
                # A cell merged across columns (选项 over A B C D) keeps the grid: its text, then empty cells, as
                # Excel reads a merged cell, so the columns after it line up with the rows below.
                cells.extend([""] * (_grid_value(cell, f"{_W}tcPr/{_W}gridSpan", 1) - 1))
            table.rows.append(cells)
            table.positions.append(self.position)
            table.images.append(images)
        if table.rows:
            self.items.append(table)

    def _images(self, rids: list[str]) -> list[ImportedImage]:
        found: list[ImportedImage] = []
        for rid in rids:
            if rid not in self.images:
                self.images[rid] = self._image(rid)
            image = self.images[rid]
            if image is not None and image not in found:
                found.append(image)
        return found

    def _image(self, rid: str) -> ImportedImage | None:
        rel = self.part.rels.get(rid)
        if rel is None:
            return None
        if rel.is_external:
            self.warnings.append(
                Issue(self.filename, self.position, _("图片"), _("链接到文件外部的图片无法导入，请把图片嵌入文档。"))
            )
            return None
        target = rel.target_part
        basename = posixpath.basename(str(target.partname))
        stem = re.sub(r"[^\w.-]+", "_", posixpath.splitext(posixpath.basename(self.filename))[0]) or "docx"
        return ImportedImage(name=f"{stem}-{basename}", data=target.blob)


def _grid_value(element, path: str, default: int = 0) -> int:
    """w:gridSpan / w:gridBefore of a cell or row: grid columns, capped at Word's 63."""
    found = element.find(path)
    value = _int(found.get(f"{_W}val"), default) if found is not None else default
    return max(0, min(value, 63))


def _enclosing_table(element):
    parent = element.getparent()
    while parent is not None and parent.tag != _TBL:
        parent = parent.getparent()
    return parent


def _paragraph_text(paragraph) -> tuple[str, list[str]]:
    """The paragraph's visible text (tabs and line breaks kept) and the relationship ids of its images."""
    parts: list[str] = []
    rids: list[str] = []

    def walk(element) -> None:
        for child in element:
            tag = child.tag
            if tag == _RUN:
                run(child)
            elif tag in _CONTAINERS:
                walk(child)

    def run(element) -> None:
        for child in element:
            tag = child.tag
            if tag == _T:
                parts.append(child.text or "")
            elif tag in (_TAB, _PTAB):
                parts.append("\t")
            elif tag in (_BR, _CR):
                parts.append("\n")
            elif tag == _NBH:
                parts.append("-")
            elif tag == _SYM:
                font = (child.get(f"{_W}font") or "").lower()
                char = (child.get(f"{_W}char") or "").lower()
                parts.append(_SYMBOLS.get((font, char), ""))
            elif tag in (_DRAWING, _PICT, _OBJECT, _MC_ALTERNATE):
                for blip in child.iter(_A_BLIP):
                    if blip.get(f"{_R}embed"):
                        rids.append(blip.get(f"{_R}embed"))
                    elif blip.get(f"{_R}link"):
                        rids.append(blip.get(f"{_R}link"))
                for data in child.iter(_V_IMAGEDATA):
                    if data.get(f"{_R}id"):
                        rids.append(data.get(f"{_R}id"))

    walk(paragraph)
    return "".join(parts), rids


def _label(kind: str, value: int) -> str:
    if kind == "letter":
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        return f"{letters[(value - 1) % 26]}."
    if kind == "chinese":
        return f"{_chinese_number(value)}、"
    if kind == "circled":
        return chr(0x2460 + value - 1) if 1 <= value <= 20 else f"({value})"
    if kind == "roman":
        return f"{_roman(value)}."
    return ""


def _chinese_number(value: int) -> str:
    if value < 10:
        return _CN_DIGITS[value]
    if value < 100:
        tens, ones = divmod(value, 10)
        return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")
    return str(value)


def _roman(value: int) -> str:
    out = []
    for number, numeral in ((10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while value >= number:
            out.append(numeral)
            value -= number
    return "".join(out)


class _Numbering:
    """Word list numbering: what label (1. / A. / 一、) a numbered paragraph shows, counted the way Word counts
    (a counter per abstract list and level; a deeper level restarts when a shallower one advances; a list instance
    with a start override restarts)."""

    def __init__(self, doc, rt):
        self.levels: dict[str, dict[int, tuple[str, int]]] = {}  # abstractNumId -> ilvl -> (numFmt, start)
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId -> (abstractNumId, ilvl -> start override)
        self.styles: dict[str, tuple[str, int]] = {}  # styleId -> (numId, ilvl)
        self.counters: dict[str, list[int | None]] = {}
        self.started: set[str] = set()
        try:
            numbering = doc.part.part_related_by(rt.NUMBERING).element
        except (KeyError, AttributeError):
            return
        val = f"{_W}val"
        for abstract in numbering.iter(f"{_W}abstractNum"):
            levels = {}
            for level in abstract.iter(f"{_W}lvl"):
                fmt = level.find(f"{_W}numFmt")
                start = level.find(f"{_W}start")
                levels[_int(level.get(f"{_W}ilvl"))] = (
                    fmt.get(val) if fmt is not None else "decimal",
                    _int(start.get(val), 1) if start is not None else 1,
                )
            self.levels[abstract.get(f"{_W}abstractNumId")] = levels
        for num in numbering.iter(f"{_W}num"):
            abstract = num.find(f"{_W}abstractNumId")
            overrides = {}
            for override in num.iter(f"{_W}lvlOverride"):
                start = override.find(f"{_W}startOverride")
                if start is not None:
                    overrides[_int(override.get(f"{_W}ilvl"))] = _int(start.get(val), 1)
            if abstract is not None:
                self.nums[num.get(f"{_W}numId")] = (abstract.get(val), overrides)
        self._read_styles(doc)

    def _read_styles(self, doc) -> None:
        try:
            styles = doc.styles.element
        except Exception:  # a document without a styles part
            return
        val = f"{_W}val"
        own: dict[str, tuple[str | None, int | None, str | None]] = {}
        for style in styles.iter(f"{_W}style"):
            num_pr = style.find(f"{_W}pPr/{_W}numPr")
            num_id = ilvl = None
            if num_pr is not None:
                num_el, ilvl_el = num_pr.find(f"{_W}numId"), num_pr.find(f"{_W}ilvl")
                num_id = num_el.get(val) if num_el is not None else None
                ilvl = _int(ilvl_el.get(val)) if ilvl_el is not None else None
            based = style.find(f"{_W}basedOn")
            own[style.get(f"{_W}styleId")] = (num_id, ilvl, based.get(val) if based is not None else None)
        for style_id in own:
            seen, current, num_id, ilvl = set(), style_id, None, None
            while current in own and current not in seen:
                seen.add(current)
                style_num, style_ilvl, based = own[current]
                num_id = num_id or style_num
                ilvl = ilvl if ilvl is not None else style_ilvl
                current = based
            if num_id:
                self.styles[style_id] = (num_id, ilvl or 0)

    def label(self, paragraph) -> tuple[str, int] | None:
        if not self.nums:
            return None
        val = f"{_W}val"
        num_id = ilvl = None
        p_pr = paragraph.find(f"{_W}pPr")
        if p_pr is not None:
            num_pr = p_pr.find(f"{_W}numPr")
            if num_pr is not None:
                num_el, ilvl_el = num_pr.find(f"{_W}numId"), num_pr.find(f"{_W}ilvl")
                num_id = num_el.get(val) if num_el is not None else None
                ilvl = _int(ilvl_el.get(val)) if ilvl_el is not None else None
            style = p_pr.find(f"{_W}pStyle")
            if style is not None and style.get(val) in self.styles:
                style_num, style_ilvl = self.styles[style.get(val)]
                num_id = num_id or style_num
                ilvl = ilvl if ilvl is not None else style_ilvl
        if not num_id or num_id == "0" or num_id not in self.nums:
            return None
        ilvl = ilvl or 0
        abstract, overrides = self.nums[num_id]
        levels = self.levels.get(abstract, {})
        fmt, start = levels.get(ilvl, ("decimal", 1))
        counters = self.counters.setdefault(abstract, [None] * 10)
        if num_id not in self.started:
            self.started.add(num_id)
            for level, value in overrides.items():
                if 0 <= level < 10:
                    counters[level] = value - 1
        if not 0 <= ilvl < 10:
            return None
        counters[ilvl] = (counters[ilvl] if counters[ilvl] is not None else start - 1) + 1
        for deeper in range(ilvl + 1, 10):
            counters[deeper] = None
        value = counters[ilvl]
        if fmt in _DECIMAL:
            return "decimal", value
        if fmt in _LETTER:
            return "letter", value
        if fmt in _CHINESE:
            return "chinese", value
        if fmt in _CIRCLED:
            return "circled", value
        if fmt in ("upperRoman", "lowerRoman"):
            return "roman", value
        return None


def _int(value, default: int = 0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _parse_table(table: _Table, filename: str, default_category: list[str], options: dict) -> ParseResult:
    """A bank table (header row + one question per row): the spreadsheet module parses it; rows are renumbered to
    the document's paragraph numbers and each row's first image goes to its question."""
    options = {name: value for name, value in options.items() if value is not None}
    try:
        result = spreadsheet.parse_rows(table.rows, filename, default_category=default_category, **options)
    except ValueError as exc:  # a column_map naming a field that does not exist
        raise SpreadsheetError(str(exc)) from exc

    def position(row: int) -> int:
        return table.positions[row - 1] if 1 <= row <= len(table.positions) else row

    for question in result.questions:
        images = table.images[question.row - 1] if 1 <= question.row <= len(table.images) else []
        if images:
            shown = question.stem if len(question.stem) <= 20 else question.stem[:20] + "…"
            question.image, notes = choose_image(images, question=shown)
            result.warnings.extend(Issue(filename, question.row, _("图片"), note) for note in notes)
        question.row = position(question.row)
    for name in ("rejected", "skipped", "warnings"):
        issues = getattr(result, name)
        setattr(result, name, [Issue(i.file, position(i.row), i.column, i.reason) for i in issues])
    return result


def _table_lines(table: _Table) -> list[document.Line]:
    """A table that is not a bank table (an answer key 题号/答案, or questions laid out in cells) read as lines."""
    lines: list[document.Line] = []
    for cells, row, images in zip(table.rows, table.positions, table.images, strict=True):
        filled = [c for c in cells if c]
        if len(filled) > 1 and all("\n" not in c and len(c) <= 30 for c in filled):
            texts = ["\t".join(filled)]
        else:
            texts = [line for cell in filled for line in cell.split("\n")]
        for index, text in enumerate(texts or [""]):
            lines.append(document.Line(row=row, text=text, images=images if index == 0 else []))
    return lines
