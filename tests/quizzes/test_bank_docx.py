"""Question banks in Word (.docx): paragraphs in order, Word list numbering, banks laid out as tables, embedded
images, and files that must be refused. The documents are built in the tests with python-docx."""

import io
import zipfile

import docx
import pytest
from docx.opc.packuri import PackURI
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from PIL import Image

from elearn.spreadsheets import SpreadsheetError
from quizzes.bank.importers import ACCEPTED_SUFFIXES, build_plan, parse_upload
from tests.quizzes.bank_files import xlsx

NAME = "试题.docx"


def png(color="red", size=(4, 4)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def saved(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def paragraphs_docx(*texts: str) -> bytes:
    document = docx.Document()
    for text in texts:
        document.add_paragraph(text)
    return saved(document)


def parse(data: bytes, **kwargs):
    return parse_upload(data=data, filename=NAME, **kwargs)


def issues(items):
    return [(i.row, i.column, i.reason) for i in items]


# A list definition like Word's multilevel list: level 0 "1." (questions), level 1 "A." (options); and one counting
# in Chinese (一、二、) for section headings.
NUMBERING = f"""
<w:abstractNum {nsdecls("w")} w:abstractNumId="90">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="upperLetter"/><w:lvlText w:val="%2."/></w:lvl>
</w:abstractNum>"""
CHINESE = f"""
<w:abstractNum {nsdecls("w")} w:abstractNumId="91">
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
</w:abstractNum>"""


def add_lists(document) -> None:
    numbering = document.part.numbering_part.element
    first_num = numbering.find(qn("w:num"))
    for xml in (NUMBERING, CHINESE):
        element = parse_xml(xml)
        if first_num is not None:
            first_num.addprevious(element)
        else:
            numbering.append(element)
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="91"><w:abstractNumId w:val="91"/></w:num>'))


def numbered(document, text: str, *, num_id: int = 90, level: int = 0):
    paragraph = document.add_paragraph(text)
    num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    num_pr.get_or_add_ilvl().val = level
    num_pr.get_or_add_numId().val = num_id
    return paragraph


# --- paragraphs -------------------------------------------------------------------------------------------------


def test_paragraph_bank_with_sections_and_rows_as_paragraph_numbers():
    data = paragraphs_docx(
        "2024年安全生产月知识竞赛题库",
        "一、单项选择题（每题2分）",
        "1．火警电话是（ B ）。",
        "A．110  B．119  C．120  D．122",
        "",
        "2．急救电话是（ ）。",
        "A．120",
        "B．119",
        "答案：A",
        "解析：急救电话是 120。",
        "二、判断题",
        "3．电梯可以用于火灾疏散。（×）",
    )
    result = parse(data)
    assert (result.format, result.layout) == ("docx", "docx")
    assert not result.rejected, issues(result.rejected)
    assert [(q.row, q.type, q.stem, q.options, q.correct_options) for q in result.questions] == [
        (3, "single", "火警电话是（ ）。", ["110", "119", "120", "122"], [1]),
        (6, "single", "急救电话是（ ）。", ["120", "119"], [0]),
        (12, "truefalse", "电梯可以用于火灾疏散。（ ）", ["正确", "错误"], [1]),
    ]
    assert result.questions[1].explanation == "急救电话是 120。"
    assert issues(result.warnings) == [
        (1, "题干", "这段文字不属于任何题目（没有题号、选项或答案），已忽略：“2024年安全生产月知识竞赛题库”。")
    ]


def test_line_breaks_inside_one_paragraph():
    document = docx.Document()
    paragraph = document.add_paragraph()
    for index, text in enumerate(["1.火警电话是（ ）", "A.110 B.119", "答案：B"]):
        run = paragraph.add_run(text)
        if index < 2:
            run.add_break()
    document.add_paragraph("2.急救电话是（ ）\tA.120\tB.119\t答案：A")
    result = parse(saved(document))
    assert [(q.row, q.stem, q.options, q.correct_options) for q in result.questions] == [
        (1, "火警电话是（ ）", ["110", "119"], [1]),
        (2, "急救电话是（ ）", ["120", "119"], [0]),
    ]


def test_word_list_numbering_starts_questions_letters_options_and_chinese_headings():
    document = docx.Document()
    add_lists(document)
    numbered(document, "单选题（每题1分）", num_id=91)
    numbered(document, "火警电话是（ ）。")
    numbered(document, "110", level=1)
    numbered(document, "119", level=1)
    numbered(document, "急救电话是（ ）。")
    numbered(document, "120", level=1)  # the letters restart under each question
    numbered(document, "119", level=1)
    numbered(document, "判断题", num_id=91)
    numbered(document, "发现火灾应立即报警。")
    document.add_paragraph("参考答案：1.B 2.A 3.√")
    result = parse(saved(document))
    assert not result.rejected, issues(result.rejected)
    assert not result.warnings, issues(result.warnings)
    assert [(q.row, q.type, q.stem, q.options, q.correct_options) for q in result.questions] == [
        (2, "single", "火警电话是（ ）。", ["110", "119"], [1]),
        (5, "single", "急救电话是（ ）。", ["120", "119"], [0]),
        (9, "truefalse", "发现火灾应立即报警。", ["正确", "错误"], [0]),
    ]


def test_list_number_style_paragraphs_are_questions():
    document = docx.Document()
    for stem in ("甲（ ）", "乙（ ）", "丙（ ）"):
        document.add_paragraph(stem, style="List Number")
        document.add_paragraph("A.一 B.二")
    document.add_paragraph("参考答案：1-3 BAB")
    result = parse(saved(document))
    assert not result.rejected, issues(result.rejected)
    assert [(q.row, q.stem, q.correct_options) for q in result.questions] == [
        (1, "甲（ ）", [1]),
        (3, "乙（ ）", [0]),
        (5, "丙（ ）", [1]),
    ]


def test_deleted_tracked_changes_are_left_out_and_symbol_check_marks_read():
    document = docx.Document()
    paragraph = document.add_paragraph("1.发现火灾应")
    paragraph._p.append(
        parse_xml(f'<w:del {nsdecls("w")} w:id="1" w:author="a"><w:r><w:delText>不</w:delText></w:r></w:del>')
    )
    paragraph._p.append(parse_xml(f'<w:ins {nsdecls("w")} w:id="2" w:author="a"><w:r><w:t>立即</w:t></w:r></w:ins>'))
    paragraph.add_run("报警。（")
    paragraph._p.append(parse_xml(f'<w:r {nsdecls("w")}><w:sym w:font="Wingdings" w:char="F0FC"/></w:r>'))
    paragraph.add_run("）")
    result = parse(saved(document))
    question = result.questions[0]
    assert (question.stem, question.type, question.correct_options) == ("发现火灾应立即报警。（ ）", "truefalse", [0])


def test_content_controls_are_read_in_order():
    document = docx.Document()
    document.add_paragraph("1.甲（ ）")
    body = document.element.body
    sdt = parse_xml(
        f"<w:sdt {nsdecls('w')}><w:sdtContent><w:p><w:r><w:t>A.一 B.二</w:t></w:r></w:p></w:sdtContent></w:sdt>"
    )
    body.insert(1, sdt)
    document.add_paragraph("答案：B")
    result = parse(saved(document))
    assert [(q.row, q.options, q.correct_options) for q in result.questions] == [(1, ["一", "二"], [1])]


# --- tables -----------------------------------------------------------------------------------------------------


def test_bank_table_is_read_like_a_spreadsheet_with_document_rows_and_images():
    document = docx.Document()
    document.add_paragraph("安全生产题库（表格版）")
    table = document.add_table(rows=3, cols=5)
    for cell, value in zip(table.rows[0].cells, ["题型", "题目内容", "选项", "答案", "解析"], strict=True):
        cell.text = value
    for cell, value in zip(
        table.rows[1].cells, ["单选题", "火警电话是（ ）。", "A.110 B.119 C.120", "B", "常识"], strict=True
    ):
        cell.text = value
    for cell, value in zip(
        table.rows[2].cells, ["多选题", "下图中的标志是（ ）。", "A.禁止 B.警告", "AB", ""], strict=True
    ):
        cell.text = value
    table.rows[2].cells[1].paragraphs[0].add_run().add_picture(io.BytesIO(png()))
    result = parse(saved(document))
    assert not result.rejected, issues(result.rejected)
    first, second = result.questions
    # Paragraph 1 is the title, rows 2-4 are the table's rows.
    assert (first.row, first.stem, first.options, first.correct_options, first.explanation) == (
        3,
        "火警电话是（ ）。",
        ["110", "119", "120"],
        [1],
        "常识",
    )
    assert (second.row, second.type, second.correct_options) == (4, "multiple", [0, 1])
    assert first.image is None
    assert second.image is not None and second.image.data.startswith(b"\x89PNG")


def test_table_rejections_name_the_document_row():
    document = docx.Document()
    document.add_paragraph("说明")
    document.add_paragraph("")
    table = document.add_table(rows=2, cols=3)
    for cell, value in zip(table.rows[0].cells, ["题干", "选项", "答案"], strict=True):
        cell.text = value
    for cell, value in zip(table.rows[1].cells, ["火警电话是", "A.110 B.119", "E"], strict=True):
        cell.text = value
    result = parse(saved(document))
    assert issues(result.rejected) == [(4, "答案", "答案“E”不在选项 A–B 中。")]


def test_answer_key_as_a_table():
    document = docx.Document()
    for index, stem in enumerate(["甲（ ）", "乙（ ）", "丙（ ）"], start=1):
        document.add_paragraph(f"{index}.{stem}")
        document.add_paragraph("A.一 B.二 C.三")
    document.add_paragraph("参考答案")
    table = document.add_table(rows=2, cols=4)
    for cell, value in zip(table.rows[0].cells, ["题号", "1", "2", "3"], strict=True):
        cell.text = value
    for cell, value in zip(table.rows[1].cells, ["答案", "C", "A", "B"], strict=True):
        cell.text = value
    result = parse(saved(document))
    assert not result.rejected, issues(result.rejected)
    assert [q.correct_options for q in result.questions] == [[2], [0], [1]]


def test_questions_laid_out_in_table_cells():
    document = docx.Document()
    table = document.add_table(rows=2, cols=1)
    table.rows[0].cells[0].text = "1.甲（ ）\nA.一 B.二\n答案：A"
    table.rows[1].cells[0].text = "2.乙（ ）\nA.一 B.二\n答案：B"
    result = parse(saved(document))
    assert [(q.row, q.stem, q.correct_options) for q in result.questions] == [(1, "甲（ ）", [0]), (2, "乙（ ）", [1])]


# --- images -----------------------------------------------------------------------------------------------------


def test_images_attach_to_their_question():
    document = docx.Document()
    document.add_paragraph("1.下图所示标志的含义是（ ）。")
    document.add_paragraph().add_run().add_picture(io.BytesIO(png("blue")))
    document.add_paragraph("A.禁止吸烟 B.禁止烟火")
    document.add_paragraph("答案：B")
    document.add_paragraph("2.没有图片的题（ ）")
    document.add_paragraph("A.一 B.二")
    document.add_paragraph("答案：A")
    result = parse(saved(document), default_category=["消防"])
    first, second = result.questions
    assert first.image is not None and second.image is None
    assert first.image.name == "试题-image1.png"
    assert Image.open(io.BytesIO(first.image.data)).getpixel((0, 0)) == (0, 0, 255)
    assert not result.warnings


def test_second_image_in_a_question_is_reported():
    document = docx.Document()
    paragraph = document.add_paragraph("1.比较两图（ ）")
    paragraph.add_run().add_picture(io.BytesIO(png("red")))
    paragraph.add_run().add_picture(io.BytesIO(png("green", (5, 5))))
    document.add_paragraph("A.一 B.二")
    document.add_paragraph("答案：A")
    result = parse(saved(document))
    assert result.questions[0].image.name == "试题-image1.png"
    assert issues(result.warnings) == [
        (
            1,
            "图片",
            "题目“比较两图（ ）”有 2 张图片，本平台每题只有一张：已导入第一张“试题-image1.png”，未导入 “试题-image2.png”。",
        )
    ]


def test_image_outside_any_question_and_unusable_images_are_reported():
    document = docx.Document()
    document.add_paragraph().add_run().add_picture(io.BytesIO(png()))  # a logo above the title
    paragraph = document.add_paragraph("1.甲（ ）")
    shape = paragraph.add_run().add_picture(io.BytesIO(png("green", (6, 6))))
    part = document.part.related_parts[shape._inline.graphic.graphicData.pic.blipFill.blip.embed]
    part.partname = PackURI("/word/media/drawing.emf")
    part._blob = b"\x01\x00\x00\x00" + b"\x00" * 80  # a Word drawing (EMF), not a web image
    document.add_paragraph("A.一 B.二")
    document.add_paragraph("答案：A")
    result = parse(saved(document))
    assert result.questions[0].image is None
    (logo, drawing) = issues(result.warnings)
    assert logo == (1, "图片", "图片“试题-image1.png”不属于任何题目，未导入。")
    assert drawing[:2] == (2, "图片") and drawing[2].startswith(
        "题目“甲（ ）”：“试题-drawing.emf”不是可用的图片（支持 PNG"
    )


def test_picture_in_a_bank_table_row_is_checked_too():
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    for cell, value in zip(table.rows[0].cells, ["题干", "选项", "答案"], strict=True):
        cell.text = value
    for cell, value in zip(table.rows[1].cells, ["看图（ ）", "A.甲 B.乙", "A"], strict=True):
        cell.text = value
    table.rows[1].cells[0].paragraphs[0].add_run().add_picture(io.BytesIO(png()))
    table.rows[1].cells[1].paragraphs[0].add_run().add_picture(io.BytesIO(png("blue", (3, 3))))
    result = parse(saved(document))
    assert result.questions[0].image.name == "试题-image1.png"
    assert [(i[0], i[1]) for i in issues(result.warnings)] == [(2, "图片")]


# --- refused files ----------------------------------------------------------------------------------------------


def test_docx_is_an_accepted_upload_type():
    assert ".docx" in ACCEPTED_SUFFIXES


@pytest.mark.parametrize(
    "data,message",
    [
        (b"not a zip at all", "不是有效的 Word（.docx）文件"),
        (xlsx([["题干", "答案"], ["a", "b"]]), "不是有效的 Word（.docx）文件"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "旧版 Word（.doc）文件或已加密"),
        (b"", "是空的"),
    ],
)
def test_corrupt_and_foreign_files_are_refused(data, message):
    with pytest.raises(SpreadsheetError, match=message):
        parse(data)


def test_zip_bomb_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document>" + b" " * 60_000_000 + b"</w:document>")
    with pytest.raises(SpreadsheetError, match="疑似压缩炸弹"):
        parse(buffer.getvalue())


def test_dtd_in_a_part_is_refused():
    original = paragraphs_docx("1.甲")
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "word/document.xml":
                content = content.replace(b"?>", b'?><!DOCTYPE x [<!ENTITY a "aaaa">]>', 1)
            target.writestr(info, content)
    with pytest.raises(SpreadsheetError, match="实体或 DTD"):
        parse(buffer.getvalue())


def test_damaged_document_part_is_refused_with_a_message():
    original = paragraphs_docx("1.甲")
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(original)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "word/document.xml":
                content = content[: len(content) // 2]
            target.writestr(info, content)
    with pytest.raises(SpreadsheetError, match="无法读取 Word 文件“试题.docx”"):
        parse(buffer.getvalue())


def test_old_doc_and_wrong_formats_are_refused():
    with pytest.raises(SpreadsheetError, match="另存为 .docx"):
        parse_upload(data=b"x", filename="试题.doc")
    with pytest.raises(SpreadsheetError, match="不能用于 Word 文件"):
        parse(paragraphs_docx("1.甲"), fmt="gift")
    with pytest.raises(SpreadsheetError, match="不能用于文件“bank.xlsx”"):
        parse_upload(data=xlsx([["题干", "答案"]]), filename="bank.xlsx", fmt="docx")


def test_document_without_questions_is_refused():
    with pytest.raises(SpreadsheetError, match="没有找到任何题目"):
        parse(paragraphs_docx("只有一个标题"))


@pytest.mark.django_db
def test_dry_run_of_a_word_bank():
    data = paragraphs_docx(
        "一、单选题", "1.火警电话是（ B ）。", "A.110 B.119", "二、判断题", "2.电梯可用于疏散。（×）"
    )
    plan = build_plan(data=data, filename=NAME)
    assert plan.ok and plan.counts()["new"] == 2
    assert plan.report()["format_label"] == "Word 文档（行号为段落序号，表格每行计一段）"
    assert [p.values["stem"] for p in plan.new] == ["火警电话是（ ）。", "电梯可用于疏散。（ ）"]


@pytest.mark.django_db
def test_committed_word_bank_stores_the_picture_with_its_question():
    from quizzes.bank.models import Question
    from quizzes.bank.services import bank_import

    document = docx.Document()
    document.add_paragraph("1.下图所示标志的含义是（ B ）。")
    document.add_paragraph().add_run().add_picture(io.BytesIO(png("blue", (8, 6))))
    document.add_paragraph("A.禁止吸烟 B.禁止烟火")
    result = bank_import(data=saved(document), filename=NAME, actor=None)
    question = Question.objects.get(stem="下图所示标志的含义是（ ）。")
    assert result.plan.counts()["new"] == 1 and question.correct_options == [1]
    assert question.image is not None and (question.image.width, question.image.height) == (8, 6)
