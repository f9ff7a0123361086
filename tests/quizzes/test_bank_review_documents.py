"""Outside review of issue 14: Word papers and PDF copies as safety officers have them, written for the review.

A paper typed by hand (punctuation that changes from question to question, tabs between options, full-width letters,
the answer in the stem's brackets or on an 答案 line, ✔/✘ true/false answers, "对√", a picture), a Word table with a
答案 column, text copied from a PDF with page numbers, running headers and a word hyphenated across a line, and a
question with many pictures. Every question must come out exactly as the paper says.
"""

import io

import pytest
from PIL import Image

from quizzes.bank.importers import parse_upload
from quizzes.bank.importers.common import ImportedImage
from quizzes.bank.importers.images import choose_image


def png(color, size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def docx_bytes(build) -> bytes:
    from docx import Document

    doc = Document()
    build(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def typed_paper(doc):
    from docx.shared import Cm

    for text in (
        "2024年“安全生产月”安全知识考试试卷",
        "一、单项选择题（每题2分，共10分）",
        "1．生产经营单位的主要负责人对本单位的安全生产工作（ B ）负责。",
        "A．部分\tB．全面\tC．间接\tD．不",
        "2、火警电话是（  ）。",
        "A、110    B、119    C、120    D、122",
        "答案：B",
        "3.使用干粉灭火器时，应对准火焰的（ ）喷射。",
        "A.上部",
        "B.中部",
        "C.根部",
        "D.外焰",
        "【答案】C",
        "【解析】扑救初起火灾要对准火焰根部。",
        "4. 下图所示安全标志的含义是（ ）。",
    ):
        doc.add_paragraph(text)
    doc.add_paragraph().add_run().add_picture(io.BytesIO(png((255, 220, 0))), width=Cm(2))
    for text in (
        "A：禁止吸烟  B：当心火灾  C：注意安全  D：必须戴安全帽",
        "答案：B",
        "5．《安全生产法》规定，从业人员发现直接危及人身安全的紧急情况时，有权（ ）。",
        "Ａ．继续作业　Ｂ．停止作业或者在采取可能的应急措施后撤离作业场所　Ｃ．等待领导指示　Ｄ．拨打110",
        "答案：B",
        "二、多项选择题（每题3分）",
        "6、发现火灾后，下列做法正确的有（ ）",
        "A.立即拨打119报警  B.组织人员疏散  C.乘坐电梯逃生  D.使用灭火器扑救初起火灾",
        "答案：A B D",
        "三、判断题（正确的打“√”，错误的打“×”）",
        "7．消防通道可以临时堆放物品。（✘）",
        "8．任何单位和个人都有参加有组织的灭火工作的义务。（✔）",
        "9．灭火器压力表指针在绿区表示压力正常。",
        "答案：对√",
    ):
        doc.add_paragraph(text)


PAPER = [
    ("single", "生产经营单位的主要负责人对本单位的安全生产工作（ ）负责。", ["部分", "全面", "间接", "不"], [1]),
    ("single", "火警电话是（  ）。", ["110", "119", "120", "122"], [1]),
    ("single", "使用干粉灭火器时，应对准火焰的（ ）喷射。", ["上部", "中部", "根部", "外焰"], [2]),
    ("single", "下图所示安全标志的含义是（ ）。", ["禁止吸烟", "当心火灾", "注意安全", "必须戴安全帽"], [1]),
    (
        "single",
        "《安全生产法》规定，从业人员发现直接危及人身安全的紧急情况时，有权（ ）。",
        ["继续作业", "停止作业或者在采取可能的应急措施后撤离作业场所", "等待领导指示", "拨打110"],
        [1],
    ),
    (
        "multiple",
        "发现火灾后，下列做法正确的有（ ）",
        ["立即拨打119报警", "组织人员疏散", "乘坐电梯逃生", "使用灭火器扑救初起火灾"],
        [0, 1, 3],
    ),
    ("truefalse", "消防通道可以临时堆放物品。（ ）", ["正确", "错误"], [1]),
    ("truefalse", "任何单位和个人都有参加有组织的灭火工作的义务。（ ）", ["正确", "错误"], [0]),
    ("truefalse", "灭火器压力表指针在绿区表示压力正常。", ["正确", "错误"], [0]),
]


def test_a_paper_typed_by_hand_imports_every_question_as_written():
    result = parse_upload(data=docx_bytes(typed_paper), filename="安全知识考试试卷.docx")
    assert not result.rejected, [(i.row, i.reason) for i in result.rejected]
    assert [(q.type, q.stem, q.options, q.correct_options) for q in result.questions] == PAPER
    assert result.questions[2].explanation == "扑救初起火灾要对准火焰根部。"
    pictured = [q.stem for q in result.questions if q.image is not None]
    assert pictured == ["下图所示安全标志的含义是（ ）。"]
    # The title is reported as text that belongs to no question, not lost silently.
    assert [w.row for w in result.warnings] == [1]


def test_ideographic_spaces_in_a_word_paper_are_kept_as_in_a_spreadsheet_cell():
    stem = "从业人员发现直接危及人身安全的紧急情况时，有权（　　）。"

    def paper(doc):
        for text in (f"1．{stem}", "A．继续作业 B．停止作业 C．等待指示 D．拨打110", "答案：B"):
            doc.add_paragraph(text)

    sheet = "题型,题干,选项A,选项B,答案\n单选题," + stem + ",继续作业,停止作业,B\n"
    assert parse_upload(data=sheet.encode(), filename="x.csv").questions[0].stem == stem
    assert parse_upload(data=docx_bytes(paper), filename="x.docx").questions[0].stem == stem


def word_table(doc):
    doc.add_paragraph("消防安全知识题库（表格版）")
    table = doc.add_table(rows=1, cols=5)
    for cell, name in zip(table.rows[0].cells, ["序号", "题目", "选项", "答案", "解析"], strict=True):
        cell.text = name
    for values in (
        ("1", "室内消火栓的栓口距地面高度宜为（ ）米。", "A．0.8\nB．1.1\nC．1.5\nD．1.8", "B", ""),
        (
            "2",
            "下列属于A类火灾的是（ ）。",
            "A.木材火灾\nB.汽油火灾\nC.电气火灾\nD.镁粉火灾",
            "（A）",
            "A类为固体物质火灾",
        ),
        ("3", "氧气瓶与乙炔瓶的间距不得小于（  ）。", "A、3米  B、5米  C、8米  D、10米", "B ", ""),
        ("4", "医院病房内可以使用大功率电器。", "", "×", ""),
        ("5", "发生触电时应首先（ ）", "A.切断电源B.拉人C.打电话D.报告领导", "A", ""),
    ):
        for cell, value in zip(table.add_row().cells, values, strict=True):
            cell.text = value


def test_a_word_table_with_the_answers_in_a_column():
    result = parse_upload(data=docx_bytes(word_table), filename="消防题库（表格）.docx")
    assert not result.rejected, [(i.row, i.reason) for i in result.rejected]
    assert [(q.row, q.stem, q.options, q.correct_options, q.explanation) for q in result.questions] == [
        (3, "室内消火栓的栓口距地面高度宜为（ ）米。", ["0.8", "1.1", "1.5", "1.8"], [1], ""),
        (4, "下列属于A类火灾的是（ ）。", ["木材火灾", "汽油火灾", "电气火灾", "镁粉火灾"], [0], "A类为固体物质火灾"),
        (5, "氧气瓶与乙炔瓶的间距不得小于（  ）。", ["3米", "5米", "8米", "10米"], [1], ""),
        (6, "医院病房内可以使用大功率电器。", ["正确", "错误"], [1], ""),
        (7, "发生触电时应首先（ ）", ["切断电源", "拉人", "打电话", "报告领导"], [0], ""),
    ]


PDF_COPY = """医疗机构安全生产培训试题
一、单选题
1．根据《中华人民共和国安全生产法》，生产经营单位应当加强安全生产标准化、信息化建-
设，构建双重预防机制。上述义务的主体是（ ）。
A．生产经营单位 B．县级以上人民政府
C．应急管理部门 D．工会
答案：A
- 1 -
医疗机构安全生产培训试题
2．医用氧气瓶应当（ ）存放。
A．与油脂类物品同库 B．竖直固定并远离热源
C．放在走廊 D．放在配电间
答案：B
- 2 -
医疗机构安全生产培训试题
二、判断题
3．发现火灾隐患应及时报告。（√）
4．灭火器应每月检查一次，检查结果应有记录，并由检查人签
名。（√）
- 3 -
医疗机构安全生产培训试题
"""


def test_text_copied_from_a_pdf_keeps_its_line_breaks_and_points_at_a_word_hyphenated_across_lines():
    result = parse_upload(data=PDF_COPY.encode(), filename="粘贴的文本.txt", fmt="text")
    assert not result.rejected
    assert [(q.row, q.type, q.stem, q.options, q.correct_options) for q in result.questions] == [
        (
            3,
            "single",
            "根据《中华人民共和国安全生产法》，生产经营单位应当加强安全生产标准化、信息化建-\n设，构建双重预防机制。"
            "上述义务的主体是（ ）。",
            ["生产经营单位", "县级以上人民政府", "应急管理部门", "工会"],
            [0],
        ),
        (10, "single", "医用氧气瓶应当（ ）存放。", ["与油脂类物品同库", "竖直固定并远离热源", "放在走廊", "放在配电间"], [1]),
        (17, "truefalse", "发现火灾隐患应及时报告。（ ）", ["正确", "错误"], [0]),
        (18, "truefalse", "灭火器应每月检查一次，检查结果应有记录，并由检查人签\n名。（ ）", ["正确", "错误"], [0]),
    ]  # fmt: skip
    hyphen = [w for w in result.warnings if "连字符" in w.reason]
    assert [(w.row, w.column) for w in hyphen] == [(3, "题干")]
    assert "建-设" in hyphen[0].reason


@pytest.mark.parametrize("count", [2, 9, 300])
def test_a_question_with_many_pictures_gets_the_first_and_a_short_warning(count):
    images = [ImportedImage(name=f"pic{i}.png", data=png((i % 256, 10, 10))) for i in range(count)]
    chosen, notes = choose_image(images, question="图中标志表示（ ）。")
    assert chosen is not None and chosen.name == "pic0.png"
    [note] = notes
    assert str(count) in note and "pic1.png" in note
    assert len(note) < 300  # names a few, counts the rest: not one line per picture


def test_letters_in_brackets_beside_an_empty_blank_are_not_taken_for_the_missing_answer():
    """ "手提式（ABC）干粉灭火器" names the extinguisher; the answer belongs in the empty （ ）. With no answer anywhere
    the question is refused, not stored as multiple choice ABC with its stem emptied."""
    text = "1．手提式（ABC）干粉灭火器适用于扑救（ ）。\nA.A类火灾 B.B类火灾 C.C类火灾 D.以上都是\n2．火警电话是（ ）。\nA.110 B.119\n答案：B\n"
    result = parse_upload(data=text.encode(), filename="粘贴的文本.txt", fmt="text")
    assert [q.stem for q in result.questions] == ["火警电话是（ ）。"]
    assert [(i.row, i.column) for i in result.rejected] == [(1, "答案")]


def test_an_answer_in_the_only_bracket_is_still_read():
    result = parse_upload(data="1．火警电话是（ B ）。\nA.110 B.119\n".encode(), filename="x.txt", fmt="text")
    assert [(q.stem, q.correct_options) for q in result.questions] == [("火警电话是（ ）。", [1])]
