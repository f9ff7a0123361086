"""Outside review of issue 14: whole bank files the way safety officers have them, written here for the review.

A WPS CSV in GBK with a UTF-8 byte-order mark in front, Excel's "Unicode text" export (UTF-16, tabs), a sheet whose
"选项" header is merged over four columns with A B C D in the row below (in Excel and in a Word table), and the ".xls"
that exam systems export as an HTML page (or as tab-separated text). Each file must give exactly the questions it
holds, or be refused with a message that says what the file really is.
"""

import io

import pytest
from openpyxl import Workbook

from elearn.spreadsheets import SpreadsheetError
from quizzes.bank.importers import parse_upload

ROWS = [
    ["题型", "题目", "选项A", "选项B", "选项C", "选项D", "答案", "解析"],
    [
        "单选题",
        "安全生产工作坚持（ ）的方针。",
        "安全第一、预防为主、综合治理",
        "以人为本",
        "生命至上",
        "预防为主",
        "A",
        "",
    ],
    ["多选题", "三级安全教育是指（ ）。", "厂级", "车间级", "班组级", "个人级", "A B", ""],
    ["判断题", "安全帽超过使用期限后仍可使用。", "", "", "", "", "错", "过期的安全帽防护性能下降"],
]


def expected(result):
    assert not result.rejected, [i.reason for i in result.rejected]
    return [(q.row, q.type, q.stem, q.options, q.correct_options, q.explanation) for q in result.questions]


EXPECTED = [
    (
        2,
        "single",
        "安全生产工作坚持（ ）的方针。",
        ["安全第一、预防为主、综合治理", "以人为本", "生命至上", "预防为主"],
        [0],
        "",
    ),
    (3, "multiple", "三级安全教育是指（ ）。", ["厂级", "车间级", "班组级", "个人级"], [0, 1], ""),
    (4, "truefalse", "安全帽超过使用期限后仍可使用。", ["正确", "错误"], [1], "过期的安全帽防护性能下降"),
]


def text_table(separator: str) -> str:
    return "".join(separator.join(row) + "\r\n" for row in ROWS)


def test_a_gbk_csv_with_a_utf8_byte_order_mark_in_front():
    """What WPS writes when a UTF-8 file is re-saved as GBK and keeps its BOM: the text after the mark is GBK."""
    data = b"\xef\xbb\xbf" + text_table(",").encode("gbk")
    assert expected(parse_upload(data=data, filename="WPS导出.csv")) == EXPECTED


@pytest.mark.parametrize("bom, codec", [(b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")])
def test_excel_unicode_text_export_utf16_is_refused_saying_how_to_save_it(bom, codec):
    """Not read (tests/reliability/test_hostile_input.py wants UTF-16 refused on every import), but refused with
    what to do, never read as GBK garbage."""
    data = bom + text_table("\t").encode(codec)
    for name in ("Unicode文本.txt", "Unicode文本.csv"):
        with pytest.raises(SpreadsheetError, match="请另存为 UTF-8 或 GBK"):
            parse_upload(data=data, filename=name)


def test_text_that_is_in_no_known_encoding_is_still_refused_with_the_reason():
    with pytest.raises(SpreadsheetError, match="编码"):
        parse_upload(data=b"\xff\xfe\x00\xd8" + b"\x81\x30" * 3, filename="坏文件.csv")


def two_row_header_xlsx(label="选项") -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["序号", "题目", label, None, None, None, "答案"])
    sheet.append([None, None, "A", "B", "C", "D", None])
    for cells in ("C1:F1", "A1:A2", "B1:B2", "G1:G2"):
        sheet.merge_cells(cells)
    sheet.append([1, "使用灭火器时应站在（ ）。", "上风向", "下风向", "侧风向", "任意位置", "A"])
    sheet.append([2, "高温作业应配备（ ）。", "防暑降温饮品", "棉衣", "雨衣", "手套", "AD"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("label", ["选项", "备选答案", "可选答案"])
def test_options_header_merged_over_four_columns_with_letters_below(label):
    result = parse_upload(data=two_row_header_xlsx(label), filename="双行表头.xlsx")
    assert not result.rejected, [i.reason for i in result.rejected]
    assert [(q.row, q.type, q.stem, q.options, q.correct_options) for q in result.questions] == [
        (3, "single", "使用灭火器时应站在（ ）。", ["上风向", "下风向", "侧风向", "任意位置"], [0]),
        (4, "multiple", "高温作业应配备（ ）。", ["防暑降温饮品", "棉衣", "雨衣", "手套"], [0, 3]),
    ]
    assert result.header.row == 1
    assert result.header.fields[2:6] == ["optionA", "optionB", "optionC", "optionD"]


def test_a_row_of_letters_that_is_data_is_not_read_as_a_second_header():
    """A question whose options are the letters themselves sits under named option columns: it stays a question."""
    book = Workbook()
    sheet = book.active
    sheet.append(["题目", "选项A", "选项B", "答案"])
    sheet.append(["“安全第一”中的“第一”指（ ）。", "A", "B", "A"])
    buffer = io.BytesIO()
    book.save(buffer)
    result = parse_upload(data=buffer.getvalue(), filename="x.xlsx")
    assert [(q.row, q.options) for q in result.questions] == [(2, ["A", "B"])]


HTML_XLS = """<html xmlns:x="urn:schemas-microsoft-com:office:excel"><head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}"></head><body>
<table border="1">
<tr><th>题型</th><th>题干</th><th>选项</th><th>答案</th><th>解析</th></tr>
<tr><td>单选题</td><td>高处作业是指在坠落高度基准面（ ）米以上有可能坠落的高处进行的作业。</td>
<td>A.1<br>B.2<br/>C.3<br>D.5</td><td>B</td><td rowspan="2">见 GB/T 3608</td></tr>
<tr><td>判断题</td><td>动火作业必须办理动火证&amp;审批。</td><td></td><td>正确</td></tr>
<tr><td colspan="2">多选题</td><td>A.甲 B.乙</td><td>AB</td><td></td></tr>
</table></body></html>"""


@pytest.mark.parametrize("charset, codec", [("utf-8", "utf-8"), ("gb2312", "gbk")])
def test_an_xls_that_is_an_html_table_as_exam_systems_export_it(charset, codec):
    data = HTML_XLS.format(charset=charset).encode(codec)
    result = parse_upload(data=data, filename="考试系统导出.xls")
    questions = [(q.row, q.type, q.stem, q.options, q.correct_options, q.explanation) for q in result.questions]
    assert questions == [
        (2, "single", "高处作业是指在坠落高度基准面（ ）米以上有可能坠落的高处进行的作业。", ["1", "2", "3", "5"], [1],
         "见 GB/T 3608"),
        (3, "truefalse", "动火作业必须办理动火证&审批。", ["正确", "错误"], [0], ""),
    ]  # fmt: skip
    # A cell spanning rows is read as Excel shows it: its text in the first row, the rows below empty there.
    # The last row's colspan moves nothing: its 题干 cell is the spanned one, so it is refused as empty.
    assert [(i.row, i.column) for i in result.rejected] == [(4, "题干")]
    assert any("网页" in notice for notice in result.notices)


def test_an_xls_that_is_tab_separated_text():
    data = text_table("\t").encode("gbk")
    result = parse_upload(data=data, filename="旧系统导出.xls")
    assert expected(result) == EXPECTED
    assert any("文本" in notice for notice in result.notices)


def test_an_xls_that_is_neither_excel_nor_a_table_is_refused_saying_so():
    with pytest.raises(SpreadsheetError, match="不是有效的 Excel"):
        parse_upload(data="<html><body><p>登录已过期</p></body></html>".encode(), filename="导出.xls")
    with pytest.raises(SpreadsheetError, match="不是有效的 Excel"):
        parse_upload(data=b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, filename="导出.xls")


def test_an_html_xls_cannot_reach_the_network_or_files():
    data = (
        '<!DOCTYPE html [<!ENTITY x SYSTEM "file:///etc/hostname">]><html><body><table>'
        "<tr><td>题干</td><td>答案</td></tr><tr><td>&x;火警电话</td><td>119</td></tr></table></body></html>"
    ).encode()
    result = parse_upload(data=data, filename="x.xls")
    assert [q.stem for q in result.questions] in ([], ["火警电话"], ["&x;火警电话"])
    for q in result.questions:
        assert open("/etc/hostname").read().strip() not in q.stem


def word_table_with_merged_options_header() -> bytes:
    from docx import Document

    doc = Document()
    doc.add_paragraph("消防安全知识题库")
    table = doc.add_table(rows=2, cols=7)
    header, below = table.rows[0].cells, table.rows[1].cells
    header[0].text, header[1].text, header[6].text = "序号", "题目", "答案"
    header[2].merge(header[5]).text = "选项"  # one w:tc with gridSpan=4
    for offset, letter in enumerate("ABCD"):
        below[2 + offset].text = letter
    for column in (0, 1, 6):
        table.rows[0].cells[column].merge(table.rows[1].cells[column])
    for values in (
        ("1", "使用灭火器时应站在（ ）。", "上风向", "下风向", "侧风向", "任意位置", "A"),
        ("2", "高温作业应配备（ ）。", "防暑降温饮品", "棉衣", "雨衣", "手套", "AD"),
    ):
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def test_a_word_table_whose_options_header_is_merged_across_four_columns():
    """Word keeps a merged header cell as one cell spanning four grid columns: the columns after it must still line
    up with the rows below (答案 is the 7th column, not the 4th)."""
    result = parse_upload(data=word_table_with_merged_options_header(), filename="题库（表格）.docx")
    assert not result.rejected, [i.reason for i in result.rejected]
    assert [(q.row, q.stem, q.options, q.correct_options) for q in result.questions] == [
        (4, "使用灭火器时应站在（ ）。", ["上风向", "下风向", "侧风向", "任意位置"], [0]),
        (5, "高温作业应配备（ ）。", ["防暑降温饮品", "棉衣", "雨衣", "手套"], [0, 3]),
    ]


@pytest.mark.parametrize(
    "name, data",
    [
        ("加密题库.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 20),
        ("加密题库.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 20),  # Excel encrypts .xlsx so
    ],
)
def test_an_excel_file_that_cannot_be_read_says_what_to_do_in_chinese(name, data):
    with pytest.raises(SpreadsheetError) as refused:
        parse_upload(data=data, filename=name)
    message = str(refused.value)
    assert name in message and "密码" in message and "另存为 .xlsx" in message
    assert "Cannot detect" not in message
