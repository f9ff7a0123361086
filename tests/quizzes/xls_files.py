"""A small writer of old Excel files (.xls: BIFF8 records in an OLE2 compound document), so tests can make the
.xls banks people still have without a binary in the repository or a writer library (xlwt is unmaintained).

Writes one sheet of text and number cells: enough for python-calamine, which is what the importer reads .xls with.
"""

from __future__ import annotations

import struct

SECTOR = 512
ENDOFCHAIN = 0xFFFFFFFE
FREESECT = 0xFFFFFFFF
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF


def _record(kind: int, body: bytes) -> bytes:
    assert len(body) <= 8224, "a BIFF record holds at most 8224 bytes; keep test cells shorter"
    return struct.pack("<HH", kind, len(body)) + body


def _bof(kind: int) -> bytes:
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0x0DBB, 0x07CC, 0, 6))


def _cell(row: int, col: int, value) -> bytes:
    if isinstance(value, bool):
        value = "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return _record(0x0203, struct.pack("<HHHd", row, col, 0, float(value)))  # NUMBER
    text = str(value)
    encoded = text.encode("utf-16-le")
    return _record(0x0204, struct.pack("<HHHHB", row, col, 0, len(text), 1) + encoded)  # LABEL, UTF-16


def _workbook_stream(rows: list[list], sheet_name: str) -> bytes:
    name = sheet_name.encode("utf-16-le")
    sheet = [_bof(0x0010)]
    width = max((len(r) for r in rows), default=0)
    sheet.append(_record(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0)))  # DIMENSIONS
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            sheet.append(_cell(r, c, value))
    sheet.append(_record(0x000A, b""))
    sheet_bytes = b"".join(sheet)

    def globals_part(sheet_offset: int) -> bytes:
        return b"".join(
            [
                _bof(0x0005),
                _record(0x0042, struct.pack("<H", 1200)),  # CODEPAGE: UTF-16
                _record(0x0085, struct.pack("<IBBBB", sheet_offset, 0, 0, len(sheet_name), 1) + name),  # BOUNDSHEET
                _record(0x000A, b""),
            ]
        )

    head = globals_part(0)
    return globals_part(len(head)) + sheet_bytes


def _directory_entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    entry = encoded.ljust(64, b"\0")
    entry += struct.pack("<HBB", len(encoded), kind, 1 if name else 0)
    entry += struct.pack("<III", NOSTREAM, NOSTREAM, child)
    entry += b"\0" * 16 + b"\0" * 4 + b"\0" * 16  # clsid, state bits, times
    entry += struct.pack("<IQ", start, size)
    assert len(entry) == 128
    return entry


def xls(rows: list[list], *, sheet_name: str = "题库") -> bytes:
    """An Excel 97-2003 workbook whose first sheet holds `rows` (str, int or float cells; "" or None = empty)."""
    stream = _workbook_stream(rows, sheet_name)
    padded = stream.ljust(max(4096, -(-len(stream) // SECTOR) * SECTOR), b"\0")  # >= 4096: no mini stream needed
    data_sectors = len(padded) // SECTOR
    fat_sectors = 1
    while data_sectors + 1 + fat_sectors > fat_sectors * (SECTOR // 4):
        fat_sectors += 1
    assert fat_sectors <= 109, "test workbooks stay small"
    directory_sector = data_sectors
    fat = [i + 1 for i in range(data_sectors - 1)] + [ENDOFCHAIN]
    fat += [ENDOFCHAIN]  # the directory's one sector
    fat += [FATSECT] * fat_sectors
    fat += [FREESECT] * (fat_sectors * (SECTOR // 4) - len(fat))
    directory = _directory_entry("Root Entry", 5, 1, ENDOFCHAIN, 0)
    # The stream's size decides where a reader looks: under 4096 bytes it would be in the mini stream. The
    # zeros after the sheet's EOF record are never read.
    directory += _directory_entry("Workbook", 2, NOSTREAM, 0, len(padded))
    directory += _directory_entry("", 0, NOSTREAM, 0, 0) * 2
    difat = [directory_sector + 1 + i for i in range(fat_sectors)] + [FREESECT] * (109 - fat_sectors)
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16
    header += struct.pack("<HHHHH", 0x003E, 0x0003, 0xFFFE, 9, 6) + b"\0" * 6
    header += struct.pack("<IIIIIIIII", 0, fat_sectors, directory_sector, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
    header += struct.pack("<109I", *difat)
    assert len(header) == SECTOR
    return header + padded + directory + struct.pack(f"<{len(fat)}I", *fat)
