"""The ".xls" files Chinese exam and HR systems export that are not Excel files: an HTML page holding a table (Excel
opens it with a warning) or tab-separated text. Recognised from their bytes, never their name, and read as the
rows Excel would show: a cell spanning columns or rows has its text in its first cell and empty ones after it (as
calamine reads a merged cell), `<br>` is a line break, entities are decoded.

The HTML is read with the standard library's HTMLParser, which never loads anything (no DTD, no external entity,
no network); spans are capped so a `colspan="999999999"` cannot make a huge row.
"""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

from elearn.spreadsheets import _clean, decode_text

MAX_SPAN = 256  # columns a cell may span (Excel 97-2003 had 256 columns)
MAX_ROW_SPAN = 65_536
_HTML_HINT = re.compile(rb"<\s*(?:html|table|!doctype\s+html)\b", re.I)
_SPREADSHEET_ML = re.compile(rb"urn:schemas-microsoft-com:office:spreadsheet", re.I)

HTML, TEXT, SPREADSHEET_ML = "html", "text", "spreadsheetml"


def kind_of(data: bytes) -> str | None:
    """What a file that is neither an OLE (.xls) nor a zip (.xlsx) file is: "html", "spreadsheetml" (Excel 2003 XML),
    "text" (tab or comma separated, in an encoding decode_text reads), or None."""
    head = data[:4096]
    if _SPREADSHEET_ML.search(head):
        return SPREADSHEET_ML
    if _HTML_HINT.search(head):
        return HTML
    try:
        text = decode_text(data, "")
    except ValueError:
        return None
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    if ("\t" in first or "," in first) and "\x00" not in text[:4096]:
        return TEXT
    return None


def text_rows(data: bytes, filename: str) -> list[list[str]]:
    text = decode_text(data, filename)
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters="\t,;").delimiter
    except csv.Error:
        delimiter = "\t"
    return [[_clean(v, exact=True) for v in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def html_rows(data: bytes, filename: str) -> list[list[str]]:
    """The rows of the page's largest top-level table ([] if it has none)."""
    parser = _TableParser()
    parser.feed(decode_text(data, filename))
    parser.close()
    tables = parser.tables
    if not tables:
        return []
    return _grid(max(tables, key=len))


def _span(value: str | None, cap: int) -> int:
    try:
        return max(1, min(int(str(value).strip()), cap))
    except (TypeError, ValueError):
        return 1


def _grid(rows: list[list[tuple[str, int, int]]]) -> list[list[str]]:
    """Cells with (text, colspan, rowspan) -> rows of text, spans filled with empty cells."""
    out: list[list[str]] = []
    pending: dict[int, int] = {}  # column -> rows a cell above still covers
    for cells in rows:
        row: list[str] = []
        for text, colspan, rowspan in cells:
            _skip_covered(row, pending)
            for k in range(colspan):
                if rowspan > 1:
                    pending[len(row)] = rowspan - 1
                row.append(text if k == 0 else "")
        for column in sorted(c for c, left in pending.items() if left > 0 and c >= len(row)):
            row.extend([""] * (column - len(row)))
            _skip_covered(row, pending)
        out.append([_clean(text, exact=True) for text in row])
    while out and not any(out[-1]):
        out.pop()
    return out


def _skip_covered(row: list[str], pending: dict[int, int]) -> None:
    """Empty cells where cells of rows above still reach down."""
    while pending.get(len(row), 0) > 0:
        pending[len(row)] -= 1
        row.append("")


class _TableParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[tuple[str, int, int]]]] = []
        self.depth = 0  # table nesting: only top-level tables are read, a nested one is text of its cell
        self.cell: list[str] | None = None
        self.spans = (1, 1)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.depth += 1
            if self.depth == 1:
                self.tables.append([])
        elif self.depth == 1 and tag == "tr":
            self._close_cell()
            self.tables[-1].append([])
        elif self.depth == 1 and tag in ("td", "th"):
            self._close_cell()
            if not self.tables[-1]:
                self.tables[-1].append([])
            values = dict(attrs)
            self.cell = []
            self.spans = (_span(values.get("colspan"), MAX_SPAN), _span(values.get("rowspan"), MAX_ROW_SPAN))
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")
        elif tag in ("p", "div") and self.cell:
            self.cell.append("\n")

    def handle_endtag(self, tag):
        if tag == "table":
            if self.depth == 1:
                self._close_cell()
            self.depth = max(0, self.depth - 1)
        elif self.depth == 1 and tag in ("td", "th", "tr"):
            self._close_cell()

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(re.sub(r"[ \t\r\n]+", " ", data))

    def _close_cell(self):
        if self.cell is not None:
            text = "\n".join(line.strip() for line in "".join(self.cell).split("\n"))
            self.tables[-1][-1].append((text.strip(), *self.spans))
            self.cell = None
