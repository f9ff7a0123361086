"""Issue 14, rule 2: one splitter for every way a bank writes its options in one cell, which accepts only letters in
order A, B, C... and refuses (or warns) instead of guessing; option text stored exactly as in the source (trimmed
whitespace aside); numbering in front of a stem removed in all its common forms."""

import pytest

from quizzes.bank.importers import build_plan, parse_upload
from quizzes.bank.importers.common import split_options, split_options_cell, strip_numbering
from tests.quizzes.bank_files import csv_text, xlsx

BANK_HEADER = ["作业种类", "试题类型", "题目内容", "题目选项", "题目答案"]


def bank(rows: list[list]) -> bytes:
    return xlsx([BANK_HEADER, *rows])


# --- the forms options come in ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        # The issue's bank: bold markers with no punctuation after the letter...
        ("**A强制性**B科学性**C规范性**D通用性", ["强制性", "科学性", "规范性", "通用性"]),
        # ... with ":"/"：" on some ...
        ("**A:强制性**B：科学性**C规范性**D通用性", ["强制性", "科学性", "规范性", "通用性"]),
        # ... and a stray "." on only a few letters.
        ("**A强制性**B.科学性**C规范性**D.通用性", ["强制性", "科学性", "规范性", "通用性"]),
        # The issue's silent damage: C must not swallow "**D通行…".
        (
            "**A.禁止、不准的意思**B.警告、注意的意思**C.指令、必须遵守的意思**D通行、安全、提供信息的意思",
            ["禁止、不准的意思", "警告、注意的意思", "指令、必须遵守的意思", "通行、安全、提供信息的意思"],
        ),
        ("**A.甲** **B.乙** **C.丙**", ["甲", "乙", "丙"]),
        ("**A**甲**B**乙", ["甲", "乙"]),
        ("A.甲 B.乙 C.丙", ["甲", "乙", "丙"]),
        ("A、火灾\nB、爆炸\nC、中毒", ["火灾", "爆炸", "中毒"]),
        ("A．甲\nB．乙", ["甲", "乙"]),
        ("A:甲  B:乙", ["甲", "乙"]),
        ("A：甲 B：乙", ["甲", "乙"]),
        ("A)甲 B)乙", ["甲", "乙"]),
        ("A）甲 B）乙", ["甲", "乙"]),
        ("（A）甲（B）乙（C）丙", ["甲", "乙", "丙"]),
        ("(A) 甲 (B) 乙", ["甲", "乙"]),
        ("A 甲 B 乙 C 丙", ["甲", "乙", "丙"]),
        ("A甲\nB乙\nC丙", ["甲", "乙", "丙"]),
        ("A、甲B、乙C、丙", ["甲", "乙", "丙"]),
        ("Ａ．甲 Ｂ．乙", ["甲", "乙"]),
        ("A.甲；B.乙；C.丙；", ["甲", "乙", "丙"]),
        ("A.120 B.119 C.110", ["120", "119", "110"]),
        # Letters inside option text are not markers.
        ("A.使用AED B.做B超 C.CO2浓度 D.PM2.5", ["使用AED", "做B超", "CO2浓度", "PM2.5"]),
        ("A.A级 B.B级 C.C级", ["A级", "B级", "C级"]),
        ("A．维生素B.族 B．钙", ["维生素B.族", "钙"]),
    ],
)
def test_every_in_cell_form_splits(cell, expected):
    assert split_options_cell(cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("A．甲，乙（丙） B．丁；戊", ["甲，乙（丙）", "丁；戊"]),
        ("A.“禁止”标志 B.【警告】标志 C.１２０ D.ＡＢＣ", ["“禁止”标志", "【警告】标志", "１２０", "ＡＢＣ"]),
        ("A.  前后空白  \nB.\t乙\t", ["前后空白", "乙"]),
    ],
)
def test_option_text_is_stored_exactly_as_written(cell, expected):
    """No NFKC: full-width punctuation, brackets and digits stay as the source has them; only whitespace at the ends
    of an option is trimmed."""
    assert split_options_cell(cell) == expected


def test_a_weaker_marker_inside_an_option_is_a_warning_naming_it():
    result = split_options("A．维生素B.族 B．钙")
    assert result.options == ["维生素B.族", "钙"] and not result.error
    assert result.warnings == ["选项 A 中的“B.”没有当作选项标记（后面有更明确的“B．”）。"]
    glued = split_options("A.甲 B.乙D、丙")
    assert glued.options == ["甲", "乙D、丙"]
    assert glued.warnings == ["选项 B 中的“D、”没有当作选项标记，请确认这一格拆分正确。"]
    assert split_options("A.甲 B.乙").warnings == []


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("A.甲 C.乙 D.丙", "选项 A 之后是“C.”，缺少 B（字母须按 A、B、C… 的顺序）。"),
        ("A.甲 B.乙 D.丙", "选项 B 之后是“D.”，缺少 C（字母须按 A、B、C… 的顺序）。"),
        ("A.甲 B.乙 A.丙", "选项 B 的文字中又出现了选项标记“A.”（字母重复或顺序不对），无法确定从哪里拆分。"),
        ("A.甲 B.乙 B.丙", "选项 B 的文字中又出现了选项标记“B.”（字母重复或顺序不对），无法确定从哪里拆分。"),
        ("B.甲 C.乙", "第一个选项标记是“B.”，没有 A（字母须按 A、B、C… 的顺序）。"),
        ("说明：A.甲 B.乙", "“说明：”写在选项 A 之前，不属于任何选项。"),
        ("甲 乙 丙 丁", "没有找到选项标记（应写作 A.xxx B.xxx）。"),
        (
            "A甲B乙C丙D丁",
            "只找到 1 个选项标记；“B乙”前后没有标点或空格，无法确定是不是选项（应写作 A.xxx B.xxx）。",
        ),
    ],
)
def test_cells_that_cannot_be_split_safely_are_refused_with_the_reason(cell, reason):
    result = split_options(cell)
    assert result.options == [] and result.error == reason
    assert split_options_cell(cell) == []


def test_a_cell_visibly_holding_four_never_gets_the_fewer_than_two_message():
    cells = ["A甲B乙C丙D丁", "A.甲 C.乙 D.丙 E.丁", "**A甲**C乙**B丙**D丁", "A.甲 B.乙 B.丙 D.丁"]
    result = parse_upload(
        data=bank([["电工", "单选题", f"题{i}", c, "A"] for i, c in enumerate(cells)]), filename="b.xlsx"
    )
    assert len(result.rejected) == len(cells)
    for issue in result.rejected:
        assert issue.column == "题目选项"
        assert issue.reason.startswith("无法从“") and "至少需要 2 个选项" not in issue.reason
    one = parse_upload(data=bank([["电工", "单选题", "题", "A.只有一个", "A"]]), filename="b.xlsx")
    assert one.rejected[0].reason == "选择题至少需要 2 个选项，这里只有 1 个。"


def test_a_count_that_disagrees_with_the_answer_is_refused():
    result = parse_upload(data=bank([["电工", "单选题", "题", "A.甲 B.乙 C.丙", "D"]]), filename="b.xlsx")
    assert [(i.row, i.column, i.reason) for i in result.rejected] == [(2, "题目答案", "答案“D”不在选项 A–C 中。")]


def test_a_true_false_row_with_an_unsplittable_cell_ignores_it_with_a_warning():
    result = parse_upload(data=bank([["电工", "判断题", "电梯可以用于火灾逃生。", "对 错", "错"]]), filename="b.xlsx")
    [question] = result.questions
    assert question.type == "truefalse" and question.correct_options == [1]
    assert [(w.column, w.reason) for w in result.warnings] == [("题目选项", "判断题不用选项，“对 错”已忽略。")]


# --- the issue's bank, end to end -------------------------------------------------------------------------------------


def test_the_issues_bank_imports_every_row_with_exact_text():
    rows = [
        [
            "电工作业",
            "单选题",
            "安全色中蓝色表示（　）。",
            "**A强制性**B科学性**C.指令、必须遵守的意思**D通行、安全",
            "C",
        ],
        ["电工作业", "单选题", "201，接零导线的截面应（ ）。", "**A:不小于相线**B：等于零**C.任意**D随便", "A"],
        [
            "焊工作业",
            "多选题",
            "12、焊接作业前应当（ ）。",
            "A．检查设备，确认完好\nB．清理周围可燃物（3米内）\nC．无需审批",
            "AB",
        ],
        ["焊工作业", "判断题", "（3）动火作业必须办理审批手续。", "", "对"],
        ["高处作业", "单选题", "第5题 高处作业是指坠落高度基准面（ ）米以上。", "A、2\nB、3\nC、5", "A"],
        ["高处作业", "单选题", "1． 1.5米高的平台算高处作业吗？", "(A) 算 (B) 不算", "A"],
    ]
    result = parse_upload(data=bank(rows), filename="电工题库.xlsx")
    assert result.rejected == [] and result.warnings == []
    got = [(q.type, q.stem, q.options, q.correct_options, q.category) for q in result.questions]
    assert got == [
        (
            "single",
            "安全色中蓝色表示（\u3000）。",  # the ideographic space is kept: text as written
            ["强制性", "科学性", "指令、必须遵守的意思", "通行、安全"],
            [2],
            ["电工作业"],
        ),
        ("single", "接零导线的截面应（ ）。", ["不小于相线", "等于零", "任意", "随便"], [0], ["电工作业"]),
        (
            "multiple",
            "焊接作业前应当（ ）。",
            ["检查设备，确认完好", "清理周围可燃物（3米内）", "无需审批"],
            [0, 1],
            ["焊工作业"],
        ),
        ("truefalse", "动火作业必须办理审批手续。", ["正确", "错误"], [0], ["焊工作业"]),
        ("single", "高处作业是指坠落高度基准面（ ）米以上。", ["2", "3", "5"], [0], ["高处作业"]),
        ("single", "1.5米高的平台算高处作业吗？", ["算", "不算"], [0], ["高处作业"]),
    ]


def test_gbk_csv_with_bold_cells():
    rows = [BANK_HEADER, ["电工", "单选", "安全电压是（ ）。", "**A36V**B220V**C380V", "A"]]
    result = parse_upload(data=csv_text(rows).encode("gbk"), filename="旧题库.csv")
    assert [(q.options, q.correct_options) for q in result.questions] == [(["36V", "220V", "380V"], [0])]


# --- numbering --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("1.火警电话是？", "火警电话是？"),
        ("1．火警电话是？", "火警电话是？"),
        ("12、火警电话是？", "火警电话是？"),
        ("（3）火警电话是？", "火警电话是？"),
        ("(3) 火警电话是？", "火警电话是？"),
        ("【4】火警电话是？", "火警电话是？"),
        ("201，接零导线…", "接零导线…"),
        ("201,接零导线…", "接零导线…"),
        ("第5题 火警电话是？", "火警电话是？"),
        ("第5题：火警电话是？", "火警电话是？"),
        ("第十二题、火警电话是？", "火警电话是？"),
        ("5)火警电话是？", "火警电话是？"),
        ("７．全角数字题号", "全角数字题号"),
        # Numbers that are the text itself stay.
        ("1.5米以上属于高处作业。", "1.5米以上属于高处作业。"),
        ("1． 1.5米高的平台", "1.5米高的平台"),
        ("1:1000 的比例尺", "1:1000 的比例尺"),
        ("1,000人以上的单位", "1,000人以上的单位"),
        ("2024年新修订的消防法", "2024年新修订的消防法"),
        ("120是急救电话。", "120是急救电话。"),
    ],
)
def test_numbering_prefixes(stem, expected):
    assert strip_numbering(stem) == expected


# --- normalisation is for comparison only -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_rows_differing_only_in_full_width_forms_are_one_question_stored_as_first_written():
    rows = [
        ["电工", "单选题", "下列说法正确的是（ ）。", "A．甲，乙 B．丙（丁）", "A"],
        ["电工", "单选题", "下列说法正确的是( )。", "A.甲,乙 B.丙(丁)", "A"],
    ]
    plan = build_plan(data=bank(rows), filename="b.xlsx")
    assert [(i.row, i.reason) for i in plan.skipped] == [(3, "与第 2 行是同一道题，已跳过。")]
    [new] = plan.new
    assert new.values["options"] == ["甲，乙", "丙（丁）"] and new.values["stem"] == "下列说法正确的是（ ）。"
