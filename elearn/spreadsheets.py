"""Reading uploaded spreadsheets safely and writing exports: one place for every table that crosses the border.

- `read_table` takes an upload (xlsx or csv, UTF-8 or GBK), checks its size and, for xlsx, the zip container
  (entries, total uncompressed size, no DTD in its XML parts) before pandas parses anything; every cell comes back as
  a stripped string. `control_character` finds what no imported text may carry (NUL, bidi overrides, ...).
- `neutralise` stops spreadsheet programs evaluating exported text as a formula; `neutralise_wagtail_exports` applies
  it to Wagtail's admin exports too (its reports, every listing with `list_export`, form submissions).
- `workbook_bytes` writes sheets with xlsxwriter in constant-memory mode.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from zlib import error as zlib_error

import pandas as pd
from django.conf import settings
from django.utils.translation import gettext as _

MAX_ZIP_ENTRIES = 2_000
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
XML_HEAD_BYTES = 64 * 1024  # an XML part's DTD sits in its prolog, before the root element
# Characters no cell, name or question should carry: C0/C1 controls other than tab and line breaks (NUL cannot even be
# stored in PostgreSQL), explicit bidirectional overrides/isolates (they make text display reversed) and unpaired
# surrogates (not encodable as UTF-8).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")


class SpreadsheetError(ValueError):
    """The upload cannot be read at all (wrong type, corrupt, too large, empty). The message is for the user."""


@dataclass
class Table:
    frame: pd.DataFrame
    header_row: int  # 1-based spreadsheet row of the header, so data row i is at header_row + 1 + i
    filename: str

    def spreadsheet_row(self, index: int) -> int:
        return self.header_row + 1 + index


def _check_size(data: bytes, filename: str) -> None:
    limit = getattr(settings, "ELEARN_UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
    if not data:
        raise SpreadsheetError(_("文件“%(name)s”是空的。") % {"name": filename})
    if len(data) > limit:
        raise SpreadsheetError(
            _("文件“%(name)s”太大（%(size).1f MB），上限为 %(limit).0f MB。")
            % {"name": filename, "size": len(data) / 1e6, "limit": limit / 1e6}
        )


def check_zip(
    data: bytes, filename: str, *, kind: str = "Excel（xlsx）", parts: tuple[str, ...] = ("[Content_Types].xml",)
) -> None:
    """Refuse an Office file (xlsx; docx with kind/parts) that is not a zip, lacks its `parts`, declares a DTD, or
    whose entries would inflate past our limits (a zip bomb)."""
    not_valid = _("文件“%(name)s”不是有效的 %(kind)s文件。") % {"name": filename, "kind": kind}
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise SpreadsheetError(not_valid) from exc
    infos = archive.infolist()
    if len(infos) > MAX_ZIP_ENTRIES:
        raise SpreadsheetError(_("文件“%(name)s”包含的条目过多，拒绝处理。") % {"name": filename})
    total = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos) or 1
    if total > MAX_UNCOMPRESSED_BYTES or total / compressed > MAX_COMPRESSION_RATIO:
        raise SpreadsheetError(_("文件“%(name)s”解压后过大（疑似压缩炸弹），拒绝处理。") % {"name": filename})
    names = set(archive.namelist())
    if any(part not in names for part in parts):
        raise SpreadsheetError(not_valid)
    for info in infos:
        if info.filename.endswith((".xml", ".rels")) and _declares_dtd(archive, info):
            raise SpreadsheetError(_("文件“%(name)s”含有实体或 DTD 定义，出于安全原因拒绝处理。") % {"name": filename})


def _declares_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Office never writes a DTD; one in an xlsx part is an entity-expansion or external-entity attack. The readers
    refuse it too (defusedxml, calamine), but with an obscure message: this names the problem."""
    try:
        with archive.open(info) as part:
            head = part.read(XML_HEAD_BYTES)
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError, zlib_error):
        return False  # unreadable parts are reported by the reader
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        head = head.decode("utf-16", errors="ignore").encode()
    return b"<!DOCTYPE" in head or b"<!ENTITY" in head


def control_character(text: str) -> str | None:
    """The first invisible control character in `text` as "U+XXXX" (for the user's message), or None."""
    found = _CONTROL.search(text)
    return f"U+{ord(found.group()):04X}" if found else None


def decode_text(data: bytes, filename: str) -> str:
    """UTF-8 (with or without BOM) first, then GBK/GB18030 as Chinese Excel saves CSV. A UTF-8 byte-order mark in
    front of GBK text (WPS re-saving a UTF-8 file as GBK keeps it) is dropped before GBK is tried."""
    for body, encoding in ((data, "utf-8-sig"), (data.removeprefix(b"\xef\xbb\xbf"), "gb18030")):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_("无法识别文件“%(name)s”的编码，请另存为 UTF-8 或 GBK 编码的 CSV。") % {"name": filename})


def _clean(value, exact: bool = False) -> str:
    """A cell as text: line breaks unified and surrounding whitespace trimmed; ideographic spaces inside become ASCII
    spaces unless `exact` (a question bank keeps its text as written: "（　　）" stays)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer():
            return str(int(value))
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip() if exact else text.replace("\u3000", " ").strip()


def raw_rows(data: bytes, filename: str, *, max_rows: int | None = None, exact: bool = False) -> list[list[str]]:
    """All rows of the first sheet (or the CSV) as lists of cleaned strings, no header interpretation."""
    _check_size(data, filename)
    lower = filename.lower()
    if lower.endswith(EXCEL_SUFFIXES):
        check_zip(data, filename)
        try:
            frame = pd.read_excel(io.BytesIO(data), header=None, dtype=object, engine="openpyxl", nrows=max_rows)
        except Exception as exc:  # openpyxl raises many types for damaged files
            raise SpreadsheetError(
                _("无法读取 Excel 文件“%(name)s”：%(error)s") % {"name": filename, "error": exc}
            ) from exc
        rows = [[_clean(v, exact) for v in row] for row in frame.itertuples(index=False, name=None)]
    elif lower.endswith(CSV_SUFFIXES):
        text = decode_text(data, filename)
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
            delimiter = dialect.delimiter
        except csv.Error:
            delimiter = ","
        rows = [[_clean(v, exact) for v in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
        if max_rows is not None:
            rows = rows[:max_rows]
    elif lower.endswith(".xls"):
        raise SpreadsheetError(_("不支持旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再上传。"))
    else:
        raise SpreadsheetError(_("不支持的文件类型“%(name)s”，请上传 .xlsx 或 .csv 文件。") % {"name": filename})
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        raise SpreadsheetError(_("文件“%(name)s”没有任何内容。") % {"name": filename})
    return rows


def read_table(data: bytes, filename: str, *, header_matches=None, search_rows: int = 20) -> Table:
    """Read a table whose header is the first row that `header_matches(cells)` accepts (default: first non-empty).

    Columns are the header's cleaned names; blank rows are dropped (their spreadsheet row numbers are kept).
    """
    rows = raw_rows(data, filename)
    header_index = None
    for index, row in enumerate(rows[:search_rows]):
        if not any(row):
            continue
        if header_matches is None or header_matches(row):
            header_index = index
            break
    if header_index is None:
        raise SpreadsheetError(_("文件“%(name)s”中找不到表头行。") % {"name": filename})
    header = [h.replace("\n", "").strip() for h in rows[header_index]]
    width = len(header)
    body = [(row + [""] * width)[:width] for row in rows[header_index + 1 :]]
    frame = pd.DataFrame(body, columns=_unique(header), dtype=object)
    frame.index = range(len(frame))
    frame = frame[frame.apply(lambda r: any(str(v) for v in r), axis=1)] if len(frame) else frame
    return Table(frame=frame, header_row=header_index + 1, filename=filename)


def _unique(names: Sequence[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, name in enumerate(names):
        name = name or f"未命名列{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        out.append(name)
    return out


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Make a cell safe for spreadsheet programs: text that starts like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_wagtail_exports() -> None:
    """Every cell and heading of Wagtail's CSV and XLSX exports goes through `neutralise`.

    Wagtail's exports (wagtail.admin.views.mixins.SpreadsheetExportMixin: the site history and its other reports,
    every model or snippet listing with `list_export`, form submissions) write each cell through
    `preprocess_field_value` and each heading through `get_heading`, and leave text such as =HYPERLINK(...) live in
    CSV. Wrapping those two methods on the mixin covers every view built on it, Wagtail's own included (they cannot
    be subclassed from here). Called once from OrgConfig.ready(); calling it again changes nothing."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    for name in ("preprocess_field_value", "get_heading"):
        original = getattr(SpreadsheetExportMixin, name)
        if getattr(original, "neutralised", False):
            continue

        def wrapped(self, *args, _original=original, **kwargs):
            return neutralise(_original(self, *args, **kwargs))

        wrapped.neutralised = True
        wrapped.__name__ = wrapped.__qualname__ = name
        wrapped.__doc__ = original.__doc__
        setattr(SpreadsheetExportMixin, name, wrapped)


def workbook_bytes(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """Write (sheet name, header, rows) triples to an xlsx in constant memory; every string cell is neutralised."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "constant_memory": True,
            "in_memory": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = book.add_format({"bold": True, "bg_color": "#E8F0FE", "border": 1})
    for name, header, rows in sheets:
        sheet = book.add_worksheet(name[:31])
        sheet.freeze_panes(1, 0)
        for col, title in enumerate(header):
            sheet.write_string(0, col, str(title), bold)
            sheet.set_column(col, col, max(10, min(40, len(str(title)) * 2 + 2)))
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value is None or value == "":
                    continue
                if isinstance(value, bool):
                    sheet.write_string(r, c, "是" if value else "否")
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, neutralise(str(value)))
    book.close()
    return buffer.getvalue()


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """CSV with a UTF-8 BOM so Excel on Chinese Windows opens it correctly; cells neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v if not isinstance(v, str) else v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
