"""Every import format with well-formed and malformed files: each malformed case is answered with its row and
reason, and file-level problems (empty, corrupt, zip bomb, unsafe XML, wrong type) with a clear error."""

import pytest

from elearn.spreadsheets import SpreadsheetError
from quizzes.bank.importers import parse_upload
from quizzes.bank.importers.common import split_options_cell
from quizzes.bank.importers.template import TEMPLATE_HEADER, template_bytes
from tests.quizzes.bank_files import (
    csv_text,
    kahoot_xlsx,
    many_entries_zip,
    template_row,
    template_xlsx,
    xlsx,
    zip_bomb,
)


def rejected(result):
    return {(i.row, i.column): i.reason for i in result.rejected}


# --- the project's template -----------------------------------------------------------------------------------


def test_template_download_parses_with_its_examples():
    result = parse_upload(data=template_bytes(), filename="题库导入模板.xlsx")
    assert result.layout == "template"
    assert not result.rejected and not result.unmapped_columns
    types = [q.type for q in result.questions]
    assert types == ["single", "multiple", "truefalse", "fill"]
    first = result.questions[0]
    assert (first.source_law, first.source_article) == ("中华人民共和国安全生产法", "第五条")
    assert first.tags == ["主要负责人", "安全生产责任制"]


def test_template_well_formed_rows():
    data = template_xlsx(
        [
            template_row(
                "单选题",
                "火警电话是（ ）。",
                ["110", "119", "120"],
                "B",
                "解析",
                "消防安全 > 医院",
                2,
                "《中华人民共和国消防法》第四十四条",
                "报警",
            ),
            template_row("多选题", "正确的有", ["甲", "乙", "丙"], "A,C"),
            template_row("判断题", "这是对的", [], "对"),
            template_row("填空题", "消防车道宽度不小于（ ）米，净高不小于（ ）米。", [], "4；4|四"),
        ]
    )
    result = parse_upload(data=data, filename="bank.xlsx")
    assert not result.rejected
    single, multiple, tf, fill = result.questions
    assert single.options == ["110", "119", "120"] and single.correct_options == [1]
    assert single.category == ["消防安全", "医院"] and single.difficulty == 2
    assert single.source_article == "第四十四条"
    assert multiple.correct_options == [0, 2]
    assert tf.options == ["正确", "错误"] and tf.correct_options == [0]
    assert fill.accepted_answers == [["4"], ["4", "四"]]


def test_template_malformed_rows_each_get_row_column_and_reason():
    data = template_xlsx(
        [
            template_row("单选题", "没有答案", ["甲", "乙"], ""),  # row 2
            template_row("单选题", "答案越界", ["甲", "乙", "丙"], "E"),  # row 3
            template_row("单选题", "只有一个选项", ["甲"], "A"),  # row 4
            template_row("问答题", "未知题型", ["甲", "乙"], "A"),  # row 5
            template_row("多选题", "多选只有一个答案", ["甲", "乙"], "A"),  # row 6
            template_row("单选题", "", ["甲", "乙"], "A"),  # row 7: no stem
            template_row("填空题", "填空无答案", [], ""),  # row 8
            template_row("判断题", "判断答案无法识别", [], "也许"),  # row 9
            template_row("单选题", "选项中间空一个", ["甲", "", "丙"], "A"),  # row 10
            template_row("单选题", "好题", ["甲", "乙"], "B"),  # row 11: fine
        ]
    )
    result = parse_upload(data=data, filename="bad.xlsx")
    issues = rejected(result)
    assert issues[(2, "答案")] == "缺少答案。"
    assert "不在选项 A–C 中" in issues[(3, "答案")]
    assert "至少需要 2 个选项" in issues[(4, "选项A、选项B、选项C、选项D、选项E、选项F、选项G、选项H")]
    assert "无法识别的题型“问答题”" in issues[(5, "题型")]
    assert "至少要有两个正确答案" in issues[(6, "答案")]
    assert issues[(7, "题干")] == "题干为空。"
    assert issues[(8, "答案")] == "填空题缺少答案。"
    assert "无法识别" in issues[(9, "答案")]
    assert issues[(10, "选项B")] == "选项 B 为空。"
    assert [q.row for q in result.questions] == [11]
    assert all(i.file == "bad.xlsx" for i in result.rejected)


def test_bad_difficulty_is_a_warning_not_a_rejection():
    data = template_xlsx([template_row(stem="难度写错", difficulty="很高")])
    result = parse_upload(data=data, filename="d.xlsx")
    assert not result.rejected and result.questions[0].difficulty == 3
    assert any("难度" in w.reason and w.row == 2 for w in result.warnings)


def test_over_long_category_and_tags_are_cut_with_a_warning_and_an_over_long_option_is_refused():
    long_category = "医院消防安全管理" * 10  # 80 characters: the category name holds 60
    data = template_xlsx(
        [
            template_row(stem="分类过长", category=f"法律法规 > {long_category}", tags="甲" * 120),  # row 2
            template_row(stem="选项过长", options=["甲", "乙" * 501]),  # row 3
        ]
    )
    result = parse_upload(data=data, filename="long.xlsx")
    [question] = result.questions
    assert question.category == ["法律法规", long_category[:60]] and question.tags == ["甲" * 100]
    warnings = {(w.row, w.column): w.reason for w in result.warnings}
    assert warnings[(2, "分类")] == "分类名称超过 60 个字符，已截断。"
    assert warnings[(2, "标签")] == "标签超过 100 个字符，已截断。"
    assert rejected(result)[(3, "选项B")] == "选项 B 超过 500 个字符。"


# --- layouts Chinese banks come in ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("A.甲 B.乙 C.丙", ["甲", "乙", "丙"]),
        ("A、火灾\nB、爆炸", ["火灾", "爆炸"]),
        ("A：甲 B：乙", ["甲", "乙"]),
        ("A:甲  B:乙", ["甲", "乙"]),
        ("**A.甲**B.乙**C.丙**", ["甲", "乙", "丙"]),
        ("A.120 B.119 C.110", ["120", "119", "110"]),
        ("A．维生素B.族 B．钙", ["维生素B.族", "钙"]),
        ("A、甲B、乙C、丙", ["甲", "乙", "丙"]),
    ],
)
def test_options_in_one_cell(cell, expected):
    assert split_options_cell(cell) == expected


def test_chinese_layout_gbk_csv_with_all_the_usual_spellings():
    rows = [
        ["序号", "题目类型", "试题内容", "选项", "正确答案", "答案解析", "知识点", "难易程度", "分值"],
        ["1", "单选题", "1. 火警电话是？ ", "A.119 B.110 C.120", "A", "常识", "消防安全", "易", "1"],
        [
            "2",
            "多选题",
            "12、下列属于易燃气体的有\n（多选）",
            "A、氢气 B、氧气 C、甲烷",
            "A、C",
            "",
            "危险化学品",
            "中等",
            "2",
        ],
        ["3", "判断题", "（3）使用灭火器时应站在上风处。", "", "√", "", "消防安全", "", "1"],
        ["4", "是非题", "电梯可以用于火灾逃生。", "", "×", "", "消防安全", "", "1"],
        ["5", "判断题", "T/F 写法", "", "F", "", "", "", ""],
        ["6", "判断题", "是/否 写法", "", "是", "", "", "", ""],
        ["7", "多选题", "逗号分隔", "A.1 B.2 C.3 D.4", "A,B,D", "", "", "", ""],
        ["8", "填空题", "火警电话是____。", "", "119", "", "", "", ""],
        ["9", "单选题", "数字选项", "A：1 B：2 C：3", "B", "", "", "", ""],
        ["10", "单选题", "没有答案", "A.1 B.2", "", "", "", "", ""],
        ["11", "单选题", "答案越界", "A.1 B.2", "D", "", "", "", ""],
        ["12", "单选题", "选项不足", "A.只有一个", "A", "", "", "", ""],
        ["13", "简答题", "未知题型", "", "随便", "", "", "", ""],
    ]
    data = csv_text(rows).encode("gbk")
    result = parse_upload(data=data, filename="旧平台导出.csv")
    assert result.layout == "chinese"
    assert result.unmapped_columns == ["序号", "分值"]
    by_row = {q.row: q for q in result.questions}
    assert by_row[2].stem == "火警电话是？" and by_row[2].options == ["119", "110", "120"] and by_row[2].difficulty == 2
    assert by_row[3].stem == "下列属于易燃气体的有\n（多选）" and by_row[3].correct_options == [0, 2]
    assert by_row[3].category == ["危险化学品"]
    assert by_row[4].stem == "使用灭火器时应站在上风处。" and by_row[4].correct_options == [0]
    assert by_row[5].type == "truefalse" and by_row[5].correct_options == [1]
    assert by_row[6].correct_options == [1] and by_row[7].correct_options == [0]
    assert by_row[8].correct_options == [0, 1, 3]
    assert by_row[9].accepted_answers == [["119"]]
    assert by_row[10].options == ["1", "2", "3"]
    issues = rejected(result)
    assert issues[(11, "正确答案")] == "缺少答案。"
    assert issues[(12, "正确答案")] == "答案“D”不在选项 A–B 中。"
    assert "至少需要 2 个选项" in issues[(13, "选项")]
    assert "无法识别的题型“简答题”" in issues[(14, "题目类型")]


def test_separate_option_columns_with_other_names_and_header_below_a_title():
    rows = [
        ["2026年安全生产月题库"],
        [],
        ["题型", "题目", "A", "B", "C", "D", "答案", "解析"],
        ["单选", "题一", "甲", "乙", "", "", "b", ""],
        ["多选", "题二", "A.甲", "B.乙", "C.丙", "", "ABC", ""],
    ]
    result = parse_upload(data=xlsx(rows), filename="t.xlsx")
    assert not result.rejected
    one, two = result.questions
    assert one.row == 4 and one.correct_options == [1]
    assert two.options == ["甲", "乙", "丙"]


def test_header_that_cannot_be_recognised_is_reported():
    result = parse_upload(data=xlsx([["姓名", "工号"], ["张三", "1"]]), filename="roster.xlsx")
    assert result.rejected and "找不到" in result.rejected[0].reason


# --- Kahoot! -----------------------------------------------------------------------------------------------------


def test_kahoot_template_header_on_row_8():
    data = kahoot_xlsx(
        [
            [1, "Which number calls the fire brigade?", "110", "119", "120", "", 20, 2.0],
            [2, "Pick the flammable gases", "Hydrogen", "Nitrogen", "Methane", "Helium", 30, "1,3"],
            [3, "True or false: lifts are safe in a fire", "True", "False", "", "", 10, 2],
            [4, "No answer given", "a", "b", "", "", 20, ""],
            [5, "Answer not among options", "a", "b", "", "", 20, 4],
            [6, "One option only", "a", "", "", "", 20, 1],
            [7, "Odd time", "a", "b", "", "", 15, 1],
        ]
    )
    result = parse_upload(data=data, filename="kahoot.xlsx")
    assert result.format == "kahoot"
    by_row = {q.row: q for q in result.questions}
    assert by_row[9].correct_options == [1] and by_row[9].time_limit == 20 and by_row[9].type == "single"
    assert by_row[10].type == "multiple" and by_row[10].correct_options == [0, 2] and by_row[10].time_limit == 30
    assert by_row[11].type == "truefalse" and by_row[11].correct_options == [1]
    issues = rejected(result)
    answer_col = "Correct answer(s) - choose at least one"
    assert issues[(12, answer_col)] == "缺少答案。"
    assert "不在已填写的答案中" in issues[(13, answer_col)]
    assert (
        "至少需要 2 个选项"
        in issues[
            (
                14,
                "Answer 1 - max 75 characters、Answer 2 - max 75 characters、Answer 3 - max 75 characters、Answer 4 - max 75 characters",
            )
        ]
    )
    assert any(w.row == 15 and "240" in w.reason for w in result.warnings)


# --- GIFT -------------------------------------------------------------------------------------------------------

GIFT = r"""// exported from Moodle
$CATEGORY: $course$/top/消防安全/医院消防

::Q1:: 火警电话是 {=119 =一一九#对}。

::Q2:: 扑救电气火灾宜用 {
  =干粉灭火器#对
  ~水
  ~泡沫灭火器
  ####带电设备火灾不能用水\: 会触电。
}

::Q3:: 电梯可以用于火灾逃生。{FALSE####火灾时不得乘坐普通电梯。}

::Q4:: 易燃气体有 {~%50%氢气 ~%50%甲烷 ~%-100%氮气}

$CATEGORY: $course$/top/其他

::Q5:: 谈谈你对安全生产的认识。{}

::Q6:: 配对 {=火警 -> 119 =急救 -> 120}

::Q7:: 数值 {#119}

::Q8:: 没有正确答案 {~甲 ~乙}

::Q9:: 只有一个写法的简答题 {=甲}

::Q10:: 只有一个选项 {~%100%甲}

一段说明文字，没有答案部分。
"""


def test_gift_well_formed_and_malformed():
    result = parse_upload(data=GIFT.encode(), filename="moodle.gift")
    by_row = {q.row: q for q in result.questions}
    assert (
        by_row[4].type == "fill"
        and by_row[4].stem == "火警电话是____。"
        and by_row[4].accepted_answers == [["119", "一一九"]]
    )
    assert by_row[4].category == ["消防安全", "医院消防"]
    assert by_row[6].type == "single" and by_row[6].options == ["干粉灭火器", "水", "泡沫灭火器"]
    assert by_row[6].explanation == "带电设备火灾不能用水: 会触电。"
    assert by_row[13].type == "truefalse" and by_row[13].correct_options == [1]
    assert by_row[15].type == "multiple" and by_row[15].correct_options == [0, 1]
    skipped = {i.row: i.reason for i in result.skipped}
    assert "问答题" in skipped[19] and "匹配题" in skipped[21] and "数值题" in skipped[23]
    assert "没有答案部分" in skipped[31]
    issues = {i.row: i.reason for i in result.rejected}
    assert "缺少正确答案" in issues[25]
    assert by_row[27].type == "fill" and by_row[27].accepted_answers == [["甲"]]
    assert "至少需要 2 个选项" in issues[29]
    assert set(issues) == {25, 29}


# --- Aiken ------------------------------------------------------------------------------------------------------

AIKEN = """发现火灾时应拨打的电话是
A. 110
B. 119
C. 120
ANSWER: B

灭火器压力表指针在哪个区域表示正常？
A) 红区
B) 绿区
C) 黄区
ANSWER: B

没有答案行的题
A. 甲
B. 乙

答案不在选项中的题
A. 甲
B. 乙
ANSWER: D

只有一个选项的题
A. 甲
ANSWER: A
"""


def test_aiken_well_formed_and_malformed():
    result = parse_upload(data=AIKEN.encode("gbk"), filename="aiken.txt")
    assert result.format == "aiken"
    assert [(q.row, q.correct_options) for q in result.questions] == [(1, [1]), (7, [1])]
    issues = {i.row: (i.column, i.reason) for i in result.rejected}
    assert issues[13] == ("ANSWER", "缺少“ANSWER:”答案行。")
    assert issues[17] == ("ANSWER", "答案“D”不在选项 A–B 中。")
    assert "至少需要 2 个选项" in issues[22][1]


# --- Moodle XML -------------------------------------------------------------------------------------------------

XML = """<?xml version="1.0" encoding="UTF-8"?>
<quiz>
  <question type="category"><category><text>$course$/top/危险化学品</text></category></question>
  <question type="multichoice">
    <name><text>q1</text></name>
    <questiontext format="html"><text><![CDATA[<p>危险化学品的储存应当符合（&nbsp;）。</p>]]></text></questiontext>
    <generalfeedback format="html"><text><![CDATA[<p>见《危险化学品安全管理条例》第二十四条。</p>]]></text></generalfeedback>
    <single>true</single>
    <answer fraction="100"><text>国家标准</text></answer>
    <answer fraction="0"><text>个人习惯</text></answer>
    <tags><tag><text>储存</text></tag></tags>
  </question>
  <question type="multichoice">
    <name><text>q2</text></name>
    <questiontext format="plain_text"><text>选出易燃物</text></questiontext>
    <single>false</single>
    <answer fraction="50"><text>汽油</text></answer>
    <answer fraction="50"><text>酒精</text></answer>
    <answer fraction="-100"><text>水</text></answer>
  </question>
  <question type="truefalse">
    <name><text>q3</text></name>
    <questiontext format="plain_text"><text>氧气瓶可以和乙炔瓶混放。</text></questiontext>
    <answer fraction="0"><text>true</text></answer>
    <answer fraction="100"><text>false</text></answer>
  </question>
  <question type="shortanswer">
    <name><text>q4</text></name>
    <questiontext format="plain_text"><text>火警电话是____。</text></questiontext>
    <answer fraction="100"><text>119</text></answer>
  </question>
  <question type="essay">
    <name><text>q5</text></name>
    <questiontext format="plain_text"><text>论述</text></questiontext>
  </question>
  <question type="multichoice">
    <name><text>q6</text></name>
    <questiontext format="plain_text"><text>没有正确答案</text></questiontext>
    <answer fraction="0"><text>甲</text></answer>
    <answer fraction="0"><text>乙</text></answer>
  </question>
  <question type="multichoice">
    <name><text>q7</text></name>
    <questiontext format="plain_text"><text>只有一个选项</text></questiontext>
    <answer fraction="100"><text>甲</text></answer>
  </question>
</quiz>
"""


def test_moodle_xml_well_formed_and_malformed():
    result = parse_upload(data=XML.encode(), filename="moodle.xml")
    by_row = {q.row: q for q in result.questions}
    first = by_row[4]
    assert first.stem == "危险化学品的储存应当符合（ ）。"
    assert first.category == ["危险化学品"] and first.tags == ["储存"] and first.correct_options == [0]
    assert first.explanation == "见《危险化学品安全管理条例》第二十四条。"
    assert by_row[13].type == "multiple" and by_row[13].correct_options == [0, 1]
    assert by_row[21].type == "truefalse" and by_row[21].correct_options == [1]
    assert by_row[27].type == "fill" and by_row[27].accepted_answers == [["119"]]
    assert [(i.row, i.reason) for i in result.skipped] == [(32, "不支持的题型 问答题（essay），已跳过。")]
    issues = {i.row: i.reason for i in result.rejected}
    assert "缺少答案" in issues[36]
    assert "至少需要 2 个选项" in issues[42]


def test_moodle_xml_with_entities_is_refused():
    bomb = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<quiz><question type="truefalse"><questiontext><text>&lol2;</text></questiontext></question></quiz>"""
    with pytest.raises(SpreadsheetError, match="安全原因"):
        parse_upload(data=bomb.encode(), filename="bomb.xml")


def test_corrupt_xml_names_the_line():
    with pytest.raises(SpreadsheetError, match="第 3 行"):
        parse_upload(data=b"<quiz>\n<question>\n</quiz>", filename="broken.xml")


# --- whole-file problems ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["empty.xlsx", "empty.csv", "empty.gift", "empty.xml", "empty.txt"])
def test_empty_file(name):
    with pytest.raises(SpreadsheetError, match="空的"):
        parse_upload(data=b"", filename=name)


def test_blank_text_file():
    with pytest.raises(SpreadsheetError, match="没有任何内容"):
        parse_upload(data=b"  \n\n", filename="blank.gift")


def test_zip_bomb_is_refused_before_parsing():
    with pytest.raises(SpreadsheetError, match="压缩炸弹"):
        parse_upload(data=zip_bomb(), filename="bomb.xlsx")


def test_zip_with_too_many_entries_is_refused():
    with pytest.raises(SpreadsheetError, match="条目过多"):
        parse_upload(data=many_entries_zip(), filename="many.xlsx")


def test_corrupt_xlsx():
    with pytest.raises(SpreadsheetError, match="不是有效的 Excel"):
        parse_upload(data=b"this is not a zip file", filename="corrupt.xlsx")


@pytest.mark.parametrize("name", ["bank.pdf", "bank.json"])
def test_unsupported_type(name):
    with pytest.raises(SpreadsheetError, match="不支持的文件类型"):
        parse_upload(data=b"x", filename=name)


def test_a_file_named_docx_that_is_no_word_document_is_named_as_such():
    with pytest.raises(SpreadsheetError, match=r"不是有效的 Word（\.docx）文件"):
        parse_upload(data=b"x", filename="bank.docx")


def test_a_corrupt_old_xls_is_named_as_such():
    # .xls is read since issue 14 (python-calamine); a file that is no Excel 97-2003 document says so.
    with pytest.raises(SpreadsheetError, match=r"不是有效的 Excel（\.xls）"):
        parse_upload(data=b"x", filename="bank.xls")


def test_size_cap(settings):
    settings.ELEARN_UPLOAD_MAX_BYTES = 1000
    with pytest.raises(SpreadsheetError, match="太大"):
        parse_upload(data=b"a" * 2000, filename="big.csv")


def test_template_header_is_the_documented_one():
    assert TEMPLATE_HEADER[:2] == ["题型", "题干"] and "选项H" in TEMPLATE_HEADER
    assert TEMPLATE_HEADER[10:16] == ["答案", "解析", "分类", "难度", "出处", "标签"]


def test_fast_xlsx_reader_matches_the_openpyxl_reader(settings):
    """python-calamine (when installed) and pandas+openpyxl give the same rows, row numbers and issues."""
    data = xlsx(
        [
            [],
            ["题库导出"],
            TEMPLATE_HEADER,
            template_row("单选题", "数字选项", ["1", "2.5", "3"], "B", difficulty=2.0),
            template_row("多选题", "换行\n题干", ["甲", "乙"], "AB"),
            template_row("单选题", "无答案", ["甲", "乙"], ""),
        ]
    )

    def summary():
        result = parse_upload(data=data, filename="b.xlsx")
        return [(q.row, q.stem, q.options, q.correct_options, q.difficulty) for q in result.questions], result.rejected

    fast = summary()
    settings.QUIZZES_BANK_FAST_XLSX = False
    slow = summary()
    assert fast == slow
    assert fast[0][0] == (4, "数字选项", ["1", "2.5", "3"], [1], 2)
    assert [(i.row, i.reason) for i in fast[1]] == [(6, "缺少答案。")]
