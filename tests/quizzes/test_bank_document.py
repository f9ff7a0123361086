"""Question banks as text (pasted from Word or a PDF, or a .txt): every layout Chinese banks use in documents, the
messy forms real copies come in, and the failure cases with their messages. No database needed except where noted."""

import pytest

from elearn.spreadsheets import SpreadsheetError
from quizzes.bank.importers import build_plan, parse_upload
from quizzes.bank.importers.document import Line, looks_like_document, parse_lines, parse_text

PASTE = "粘贴的文本.txt"


def parse(text: str, **kwargs):
    return parse_upload(data=text.encode("utf-8"), filename=PASTE, fmt="text", **kwargs)


def shown(result):
    """(row, type, stem, options, answer) of each question: what would be stored."""
    out = []
    for q in result.questions:
        if q.type == "fill":
            answer = q.accepted_answers
        elif q.type == "truefalse":
            answer = q.options[q.correct_options[0]]
        else:
            answer = "".join("ABCDEFGH"[i] for i in q.correct_options)
        out.append((q.row, q.type, q.stem, q.options, answer))
    return out


def issues(items):
    return [(i.row, i.column, i.reason) for i in items]


# --- numbering, options, answers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "numbering", ["1.", "1、", "1．", "（1）", "(1)", "第1题", "第1题．", "1 .", "１．", "201，", "【1】"]
)
def test_numbering_forms_start_a_question_and_are_removed(numbering):
    result = parse(f"{numbering}火警电话是（ ）。\nA.110 B.119\n答案：B\n")
    assert shown(result) == [(1, "single", "火警电话是（ ）。", ["110", "119"], "B")]
    assert not result.rejected and not result.warnings


@pytest.mark.parametrize(
    "marks",
    [
        ("A.", "B.", "C.", "D."),
        ("A、", "B、", "C、", "D、"),
        ("A．", "B．", "C．", "D．"),
        ("A:", "B:", "C:", "D:"),
        ("A：", "B：", "C：", "D："),
        ("A)", "B)", "C)", "D)"),
        ("（A）", "（B）", "（C）", "（D）"),
        ("(A)", "(B)", "(C)", "(D)"),
        ("Ａ．", "Ｂ．", "Ｃ．", "Ｄ．"),
    ],
)
@pytest.mark.parametrize("layout", ["one line", "one per line", "two per line", "on the stem line"])
def test_every_option_marker_in_every_layout(marks, layout):
    options = ["部分", "全面", "间接", "不"]
    parts = [f"{m}{o}" for m, o in zip(marks, options, strict=True)]
    stem = "1．生产经营单位的主要负责人对本单位的安全生产工作（ ）负责。"
    if layout == "one line":
        body = f"{stem}\n{'  '.join(parts)}"
    elif layout == "one per line":
        body = "\n".join([stem, *parts])
    elif layout == "two per line":
        body = f"{stem}\n{parts[0]}  {parts[1]}\n{parts[2]}  {parts[3]}"
    else:
        body = f"{stem}{' '.join(parts)}"
    result = parse(body + "\n答案：B")
    assert not result.rejected, issues(result.rejected)
    assert shown(result) == [(1, "single", "生产经营单位的主要负责人对本单位的安全生产工作（ ）负责。", options, "B")]


def test_options_split_across_lines_keep_their_continuation():
    text = "1.下列人员中，应当对本单位安全生产工作全面负责的是（ ）。\nA.生产经营单位的主要负责人和\n安全生产管理人员\nB.一般从业人员\n答案：A"
    result = parse(text)
    assert result.questions[0].options == ["生产经营单位的主要负责人和\n安全生产管理人员", "一般从业人员"]


@pytest.mark.parametrize(
    "answer_line,explanation_line",
    [
        ("答案：C", "解析：依据第五条。"),
        ("答案:C", "解析:依据第五条。"),
        ("【答案】C", "【解析】依据第五条。"),
        ("正确答案：C", "答案解析：依据第五条。"),
        ("答 案：C", "解 析：依据第五条。"),
        ("答案：（C）", "[解析]依据第五条。"),
        ("答案：C。", "解析：\n依据第五条。"),
    ],
)
def test_answer_and_explanation_lines(answer_line, explanation_line):
    result = parse(
        f"1.以下属于（ ）\nA.甲\nB.乙\nC.丙\n{answer_line}\n{explanation_line}\n2.下一题（ ）\nA.一 B.二\n答案：A"
    )
    assert not result.rejected, issues(result.rejected)
    first, second = result.questions
    assert first.correct_options == [2] and first.explanation == "依据第五条。"
    assert second.correct_options == [0] and second.explanation == ""
    assert "explanation" in first.provided and "explanation" not in second.provided


def test_answer_and_explanation_on_the_option_line_or_the_same_line():
    result = parse(
        "1.火警电话是（ ）A.110 B.119 答案：B\n2.急救电话是（ ）\nA.120 B.119\n【答案】A【解析】急救是 120。"
    )
    assert shown(result) == [
        (1, "single", "火警电话是（ ）", ["110", "119"], "B"),
        (2, "single", "急救电话是（ ）", ["120", "119"], "A"),
    ]
    assert result.questions[1].explanation == "急救是 120。"


def test_text_is_stored_as_written_no_punctuation_conversion():
    text = "1.关于“三同时”，下列说法正确的是（　）。\nA.同时设计，同时施工（土建）\nB.同时投入生产和使用。\n答案：A"
    result = parse(text)
    question = result.questions[0]
    assert question.stem == "关于“三同时”，下列说法正确的是（\u3000）。"  # only the ideographic space became a space
    assert question.options == ["同时设计，同时施工（土建）", "同时投入生产和使用。"]


# --- section headings ----------------------------------------------------------------------------------------

SECTIONS = """某医院2024年安全生产月知识竞赛试题

一、单项选择题（每题2分，共4分）
1.火警电话是（ ）。
A.110 B.119 C.120
答案：B
二、多项选择题（每题3分，多选、少选、错选均不得分）
2.灭火的基本方法有（ ）。
A.冷却 B.窒息 C.隔离 D.化学抑制
答案：ABCD
三、判断题
3.发现火灾应立即报警。
答案：√
4.电梯可以用于火灾时疏散。
答案：错
四、填空题
5.医疗机构的消防车道净宽度不应小于____米。
答案：4
"""


def test_section_headings_set_the_type():
    result = parse(SECTIONS)
    assert not result.rejected, issues(result.rejected)
    assert [(q.row, q.type) for q in result.questions] == [
        (4, "single"),
        (8, "multiple"),
        (12, "truefalse"),
        (14, "truefalse"),
        (17, "fill"),
    ]
    assert result.questions[3].correct_options == [1]
    assert result.questions[4].accepted_answers == [["4"]]
    # The title belongs to no question: said so, not imported.
    assert issues(result.warnings) == [
        (1, "题干", "这段文字不属于任何题目（没有题号、选项或答案），已忽略：“某医院2024年安全生产月知识竞赛试题”。")
    ]


@pytest.mark.parametrize(
    "heading",
    [
        "一、单选题",
        "一．单项选择题：",
        "一、单项选择题（本大题共20小题，每小题1分，共20分）",
        "（一）单选题",
        "第一部分 单项选择题",
        "【单选题】",
        "单选题（每题1分）",
        "单选题",
    ],
)
def test_heading_forms(heading):
    result = parse(f"{heading}\n1.正确的是（ ）\nA.甲\nB.乙\nC.丙\n答案：AB")
    assert issues(result.rejected) == [(2, "答案", "单选题只能有一个答案，这里是“AB”。")]
    assert not result.warnings


def test_choice_section_lets_the_answer_decide_and_a_per_question_type_wins():
    text = "一、选择题\n1.甲（ ）\nA.一 B.二\n答案：A\n2.乙（ ）\nA.一 B.二 C.三\n答案：AC\n3.【单选题】丙（ ）\nA.一 B.二\n答案：B"
    result = parse(text)
    assert [(q.type, q.stem) for q in result.questions] == [
        ("single", "甲（ ）"),
        ("multiple", "乙（ ）"),
        ("single", "丙（ ）"),
    ]


def test_unsupported_sections_are_skipped_with_the_reason():
    text = "一、单选题\n1.甲（ ）\nA.一 B.二\n答案：A\n二、简答题\n1.简述火灾逃生要点。\n答案：低姿、捂鼻、不乘电梯。"
    result = parse(text)
    assert len(result.questions) == 1
    assert issues(result.skipped) == [(6, "题型", "本平台没有“简答题”这种题型，已跳过。")]


# --- blanks and inline answers -------------------------------------------------------------------------------


@pytest.mark.parametrize("blank", ["（ ）", "（  ）", "(   )", "（）", "____"])
def test_blanks_are_kept_as_written(blank):
    result = parse(f"1.火警电话是{blank}。\nA.110 B.119\n答案：B")
    assert result.questions[0].stem == f"火警电话是{blank}。"


@pytest.mark.parametrize(
    "stem,expected_stem,answer",
    [
        ("生产经营单位应当（ B ）。", "生产经营单位应当（ ）。", "B"),
        ("生产经营单位应当（B）。", "生产经营单位应当（ ）。", "B"),
        ("生产经营单位应当( B )。", "生产经营单位应当( )。", "B"),
        ("生产经营单位应当（Ｂ）。", "生产经营单位应当（ ）。", "B"),
        ("正确的有（ A C ）。", "正确的有（ ）。", "AC"),
        ("正确的有（ A、C ）。", "正确的有（ ）。", "AC"),
    ],
)
def test_answer_inline_in_the_stem_brackets(stem, expected_stem, answer):
    result = parse(f"1.{stem}\nA.甲 B.乙 C.丙 D.丁")
    assert not result.rejected, issues(result.rejected)
    assert shown(result)[0][2:] == (expected_stem, ["甲", "乙", "丙", "丁"], answer)


@pytest.mark.parametrize(
    "mark,value", [("（√）", "正确"), ("（×）", "错误"), ("（对）", "正确"), ("(错)", "错误"), ("（ √ ）", "正确")]
)
def test_true_false_answers_inline(mark, value):
    result = parse(f"三、判断题\n1.发现火灾应立即报警。{mark}\n2.电梯可以用于火灾疏散。（×）")
    assert shown(result)[0] == (
        2,
        "truefalse",
        "发现火灾应立即报警。" + mark[0] + " " + mark[-1],
        ["正确", "错误"],
        value,
    )
    assert shown(result)[1][4] == "错误"


def test_true_false_inline_without_a_heading_is_recognised_by_the_mark():
    result = parse("1.安全出口可以上锁。（×）\n2.灭火器应定期检查。（√）")
    assert [(q.type, q.correct_options) for q in result.questions] == [("truefalse", [1]), ("truefalse", [0])]


def test_letter_in_brackets_that_contradicts_the_answer_line_is_left_in_the_stem_with_a_warning():
    result = parse(
        "1.甲类（A）仓库应当（ ）。\nA.独立设置 B.与宿舍合建\n答案：A\n2.乙类（B）厂房（ ）。\nA.可以 B.不可以\n答案：A"
    )
    assert result.questions[0].stem == "甲类（ ）仓库应当（ ）。"  # "(A)" agreed with the answer: read as it
    assert result.questions[1].stem == "乙类（B）厂房（ ）。"
    assert issues(result.warnings) == [(4, "题干", "题干括号中的“B”与答案“A”不同，视为题干文字，未作改动。")]


def test_fill_in_answers_inline_and_several_blanks():
    text = "四、填空题\n1.火警电话是（119），急救电话是（120）。\n2.消防车道宽度不小于____米，净高不小于____米。\n答案：4、4\n3.灭火器压力表指针在____区为正常。\n答案：绿色|绿"
    result = parse(text)
    assert not result.rejected, issues(result.rejected)
    first, second, third = result.questions
    assert first.stem == "火警电话是（ ），急救电话是（ ）。" and first.accepted_answers == [["119"], ["120"]]
    assert second.accepted_answers == [["4"], ["4"]]
    assert third.accepted_answers == [["绿色", "绿"]]


# --- the answer key at the end --------------------------------------------------------------------------------

KEYED = """一、单选题
1.甲（ ）
A.一 B.二 C.三 D.四
2.乙（ ）
A.一 B.二 C.三 D.四
3.丙（ ）
A.一 B.二 C.三 D.四
4.丁（ ）
A.一 B.二 C.三 D.四
5.戊（ ）
A.一 B.二 C.三 D.四
6.己（ ）
A.一 B.二 C.三 D.四
二、多选题
7.庚（ ）
A.一 B.二 C.三 D.四
三、判断题
8.辛。
{key}"""


@pytest.mark.parametrize(
    "key",
    [
        "参考答案：1-5 ABCDA 6.B 7.AC 8.√",
        "参考答案\n1-5 ABCDA\n6.B 7.AC 8.√",
        "参考答案：1～5：ABCDA；6、B；7、AC；8、对",
        "【参考答案】\n1.A 2.B 3.C 4.D 5.A\n6.B\n7.A、C\n8.正确",
        "答案\n1.A 2.B 3.C 4.D 5.A 6.B 7.AC 8.√",
        "答案与解析\n1A 2B 3C 4D 5A 6B 7AC 8√",
        "参考答案\n题号 1 2 3 4 5 6 7 8\n答案 A B C D A B AC √",
        "1-5 ABCDA 6-8 B AC √",
    ],
)
def test_answer_key_forms(key):
    result = parse(KEYED.format(key=key))
    assert not result.rejected, issues(result.rejected)
    assert not result.warnings, issues(result.warnings)
    assert [shown(result)[i][4] for i in range(8)] == ["A", "B", "C", "D", "A", "B", "AC", "正确"]


def test_answer_key_grouped_by_section_with_numbers_restarting():
    text = (
        "一、单选题\n1.甲（ ）\nA.一 B.二\n2.乙（ ）\nA.一 B.二\n"
        "二、判断题\n1.丙。\n2.丁。\n"
        "参考答案\n一、单选题 1.B 2.A\n二、判断题\n1.× 2.√"
    )
    result = parse(text)
    assert not result.rejected, issues(result.rejected)
    assert [shown(result)[i][4] for i in range(4)] == ["B", "A", "错误", "正确"]


def test_answer_key_after_each_section():
    text = (
        "一、单选题\n1.甲（ ）\nA.一 B.二\n2.乙（ ）\nA.一 B.二\n参考答案：1-2 BA\n"
        "二、多选题\n1.丙（ ）\nA.一 B.二 C.三\n参考答案：1.ABC"
    )
    result = parse(text)
    assert not result.rejected, issues(result.rejected)
    assert [q[4] for q in shown(result)] == ["B", "A", "ABC"]


def test_answer_key_explanations_are_attached():
    text = (
        "1.甲（ ）\nA.一 B.二\n2.乙（ ）\nA.一 B.二\n答案与解析\n1.B 解析：因为二。\n2.A\n【解析】因为一，\n而且如此。"
    )
    result = parse(text)
    assert not result.rejected, issues(result.rejected)
    assert [q.explanation for q in result.questions] == ["因为二。", "因为一，\n而且如此。"]


def test_question_after_a_key_without_a_heading_is_not_swallowed_by_the_key():
    text = "1.甲（ ）\nA.一 B.二\n参考答案：1.B\n2.乙（ ）\nA.一 B.二\n答案：A"
    result = parse(text)
    assert not result.rejected, issues(result.rejected)
    assert [q[2:] for q in shown(result)] == [("甲（ ）", ["一", "二"], "B"), ("乙（ ）", ["一", "二"], "A")]


def test_answer_key_that_does_not_match_the_questions_is_reported():
    text = "1.甲（ ）\nA.一 B.二\n2.乙（ ）\nA.一 B.二\n3.丙（ ）\nA.一 B.二\n参考答案：1.A 2.B 4.A"
    result = parse(text)
    assert [q.row for q in result.questions] == [1, 3]
    assert issues(result.rejected) == [
        (
            5,
            "答案",
            "第 5 行的题目有选项，但题目中、答案行和答案表中都找不到答案（可写“答案：B”、在题干括号中写“（ B ）”，或在文末写参考答案）。",
        ),
        (7, "答案表", "答案表中第 4 题（答案 A）找不到对应的题目。"),
    ]
    assert not result.warnings  # three answers for three questions: the count agrees, the numbers do not


def test_answer_key_count_mismatch_is_a_warning_naming_both_counts():
    text = "1.甲（ ）\nA.一 B.二\n2.乙（ ）\nA.一 B.二\n参考答案：1.A"
    result = parse(text)
    assert (5, "答案表", "答案表共有 1 个答案，文中共有 2 道题，数量不一致。") in issues(result.warnings)
    assert [i[0] for i in issues(result.rejected)] == [3]


def test_answer_key_range_with_the_wrong_number_of_answers():
    text = "1.甲（ ）\nA.一 B.二\n2.乙（ ）\nA.一 B.二\n3.丙（ ）\nA.一 B.二\n参考答案：1-3 AB"
    result = parse(text)
    assert (7, "答案表", "答案表“1-3 AB”：第 1 至 3 题共 3 题，答案的个数对不上。") in issues(result.rejected)
    assert not result.questions


def test_answer_key_groups_that_cannot_be_paired_are_refused():
    text = "一、单选题\n1.甲（ ）\nA.一 B.二\n二、单选题\n1.乙（ ）\nA.一 B.二\n三、单选题\n1.丙（ ）\nA.一 B.二\n参考答案：1.A 2.B 3.A"
    result = parse(text)
    key = [i for i in issues(result.rejected) if i[1] == "答案表"]
    assert len(key) == 1 and key[0][0] == 10 and "答案表分为 1 组，题目分为 3 组" in key[0][2]
    assert [i[0] for i in issues(result.rejected) if i[1] == "答案"] == [2, 5, 8]
    assert not result.questions


def test_answer_line_and_key_that_disagree_are_rejected():
    result = parse("1.甲（ ）\nA.一 B.二\n答案：A\n参考答案：1.B")
    assert issues(result.rejected) == [(1, "答案", "答案不一致：第 3 行的答案为“A”；答案表第 4 行为“B”。")]


def test_two_answer_lines_are_rejected():
    result = parse("1.甲（ ）\nA.一 B.二\n答案：A\n答案：B")
    assert issues(result.rejected) == [(1, "答案", "有两处答案（第 3 行和第 4 行），请只保留一处。")]


# --- failures named by line ----------------------------------------------------------------------------------


def test_question_with_options_and_no_answer_anywhere_is_rejected_naming_its_line():
    result = parse("1.甲（ ）\nA.一 B.二\n答案：A\n\n2.乙（ ）\nA.一 B.二\n3.丙（ ）\nA.一 B.二\n答案：B")
    assert [q.row for q in result.questions] == [1, 7]
    assert issues(result.rejected) == [
        (
            5,
            "答案",
            "第 5 行的题目有选项，但题目中、答案行和答案表中都找不到答案（可写“答案：B”、在题干括号中写“（ B ）”，或在文末写参考答案）。",
        )
    ]


def test_numbered_question_without_options_or_answer_is_rejected():
    result = parse("1.甲（ ）\nA.一 B.二\n答案：A\n2.这一题什么都没有")
    assert issues(result.rejected) == [
        (4, "答案", "第 4 行的题目没有答案（可写“答案：…”，判断题可在题干后写“（√）”“（×）”，或在文末写参考答案）。")
    ]


def test_bad_options_are_rejected_with_the_splitters_reason():
    result = parse("1.甲（ ）\nA.一\nC.三\n答案：A")
    assert len(result.rejected) == 1
    row, column, reason = issues(result.rejected)[0]
    assert (row, column) == (1, "选项") and "缺少 B" in reason


def test_answer_out_of_range_names_the_row():
    result = parse("一、单选题\n1.甲（ ）\nA.一 B.二\n答案：E")
    assert issues(result.rejected) == [(2, "答案", "答案“E”不在选项 A–B 中。")]


def test_stray_lines_before_the_first_question_are_warned_about():
    result = parse("说明：本题库供练习使用。\n\n1.甲（ ）\nA.一 B.二\n答案：A")
    assert len(result.questions) == 1
    assert issues(result.warnings) == [
        (1, "题干", "这段文字不属于任何题目（没有题号、选项或答案），已忽略：“说明：本题库供练习使用。”。")
    ]


# --- page furniture and messy copies ----------------------------------------------------------------------------


def test_pdf_page_furniture_is_dropped():
    text = (
        "安全生产知识题库\n1.甲（ ）\nA.一\n- 1 -\n第 1 页 共 3 页\nB.二\n答案：A\n"
        "安全生产知识题库\n2.乙（ ）\n—2—\nA.一 B.二\n答案：B\n1/3\n安全生产知识题库\n3.丙（ ）\nA.一 B.二\n答案：B\n"
    )
    result = parse(text)
    assert not result.rejected, issues(result.rejected)
    assert [(q.stem, q.options) for q in result.questions] == [
        ("甲（ ）", ["一", "二"]),
        ("乙（ ）", ["一", "二"]),
        ("丙（ ）", ["一", "二"]),
    ]
    assert issues(result.warnings) == [(1, "页眉页脚", "“安全生产知识题库”重复出现 3 次，视为页眉或页脚，已忽略。")]


def test_a_bare_number_after_an_empty_answer_label_is_the_answer_not_a_page_number():
    result = parse("四、填空题\n1.火警电话是____。\n答案：\n119")
    assert result.questions[0].accepted_answers == [["119"]]


MESSY = """
　　一、单项选择题 （每题 1 分）

 1 ．  下列说法正确的是（　　）。
  Ａ．甲　　Ｂ．乙
  Ｃ．丙　　Ｄ．丁

答案： Ｃ

2、关于应急预案，
下列说法错误的是（ ）
A、应当定期演练 B、可以不评估
C、应当公布  D、应当备案
答 案：B

（3）\t三级安全教育是指（  ）
A. 厂级、车间级、班组级
B. 省级、市级、县级
【答案】 A
"""


def test_messy_real_world_copy():
    result = parse(MESSY)
    assert not result.rejected, issues(result.rejected)
    assert shown(result) == [
        (4, "single", "下列说法正确的是（\u3000\u3000）。", ["甲", "乙", "丙", "丁"], "C"),
        (
            10,
            "single",
            "关于应急预案，\n下列说法错误的是（ ）",
            ["应当定期演练", "可以不评估", "应当公布", "应当备案"],
            "B",
        ),
        (16, "single", "三级安全教育是指（  ）", ["厂级、车间级、班组级", "省级、市级、县级"], "A"),
    ]


def test_unnumbered_questions_separated_by_blank_lines():
    text = "火警电话是（ ）。\nA.110\nB.119\n答案：B\n\n急救电话是（ ）。\nA.120\nB.119\n答案：A\n\n消防通道可以堆放物品。（×）"
    result = parse(text)
    assert [(q.row, q.type, q.stem) for q in result.questions] == [
        (1, "single", "火警电话是（ ）。"),
        (6, "single", "急救电话是（ ）。"),
        (11, "truefalse", "消防通道可以堆放物品。（ ）"),
    ]


def test_meta_lines_difficulty_source_category_and_tags():
    text = "1.甲（ ）\nA.一 B.二\n答案：A\n难度：较难\n出处：《中华人民共和国安全生产法》第五条\n知识点：主要负责人\n分类：法律法规 > 安全生产法"
    q = parse(text).questions[0]
    assert (q.difficulty, q.source_law, q.source_article) == (4, "中华人民共和国安全生产法", "第五条")
    assert q.tags == ["主要负责人"] and q.category == ["法律法规", "安全生产法"]
    assert {"difficulty", "source", "tags", "category"} <= q.provided


def test_default_category_is_used_and_not_provided():
    q = parse("1.甲（ ）\nA.一 B.二\n答案：A", default_category=["消防安全"]).questions[0]
    assert q.category == ["消防安全"] and "category" not in q.provided


def test_control_characters_are_refused_naming_the_row():
    result = parse("1.甲\u202e（ ）\nA.一 B.二\n答案：A")
    assert issues(result.rejected) == [(1, "题干", "含有不可见的控制字符 U+202E，请删除后重新导入。")]


# --- entry points ---------------------------------------------------------------------------------------------


def test_txt_upload_without_a_format_is_recognised_as_a_document():
    result = parse_upload(data=SECTIONS.encode("gbk"), filename="题库.txt")
    assert result.format == "text" and len(result.questions) == 5


def test_csv_txt_is_still_read_as_a_table():
    data = "题型,题干,选项,答案\n单选题,火警电话是,A.110 B.119,B\n".encode()
    result = parse_upload(data=data, filename="bank.txt")
    assert result.format == "spreadsheet" and len(result.questions) == 1
    assert not looks_like_document(data.decode())


def test_text_format_is_refused_for_other_file_types():
    with pytest.raises(SpreadsheetError, match="不能用于文件“bank.csv”"):
        parse_upload(data=b"1.a", filename="bank.csv", fmt="text")


def test_empty_paste_is_refused():
    with pytest.raises(SpreadsheetError, match="没有任何内容"):
        parse_upload(data=b"  \n \n", filename=PASTE, fmt="text")


def test_parse_lines_keeps_the_rows_it_is_given():
    lines = [Line(row=7, text="1.甲（ ）"), Line(row=7, text="A.一 B.二"), Line(row=9, text="答案：B")]
    result = parse_lines(lines, "x.docx", default_category=["未分类"], fmt="docx", layout="docx")
    assert (result.format, result.questions[0].row, result.questions[0].correct_options) == ("docx", 7, [1])


def test_text_without_any_question_is_refused_saying_what_a_question_looks_like():
    with pytest.raises(SpreadsheetError, match="没有找到任何题目：每道题应有题号"):
        parse("这是一段普通的文字，\n没有题号也没有选项。")


def test_parse_text_layout_label():
    result = parse_text("1.甲（ ）\nA.一 B.二\n答案：B", PASTE, default_category=["未分类"])
    assert (result.format, result.layout) == ("text", "text")


@pytest.mark.django_db
def test_dry_run_plan_reports_the_questions_as_they_will_be_stored():
    plan = build_plan(data=SECTIONS.encode(), filename=PASTE, fmt="text")
    assert plan.counts()["new"] == 5 and plan.ok
    report = plan.report()
    assert report["format"] == "text"
    assert report["format_label"] == "文本题库（行号为文字的行号）"
    stored = [p.values for p in plan.new]
    assert stored[0]["stem"] == "火警电话是（ ）。" and stored[0]["options"] == ["110", "119", "120"]
    assert stored[2]["options"] == ["正确", "错误"] and stored[2]["correct_options"] == [0]


def test_a_gap_in_the_numbering_is_reported_where_a_question_was_not_recognised():
    # "3 丙" has no punctuation after its number: it is read as part of question 2, which then has two answers.
    result = parse(
        "1.甲（ ）\nA.一 B.二\n答案：A\n2.乙（ ）\nA.一 B.二\n答案：B\n3 丙（ ）\nA.一 B.二\n答案：A\n4.丁（ ）\nA.一 B.二\n答案：A"
    )
    assert [q.row for q in result.questions] == [1, 10]
    assert issues(result.rejected) == [(4, "答案", "有两处答案（第 6 行和第 9 行），请只保留一处。")]
    assert issues(result.warnings) == [
        (10, "题干", "题号从 2 跳到 4：没有找到第 3 题，可能它的题号写法无法识别而并入了上一题，请检查。")
    ]


def test_numbering_continued_across_sections_is_checked_too():
    result = parse("一、单选题\n1.甲（ ）\nA.一 B.二\n答案：A\n二、判断题\n3.乙。（√）")
    assert issues(result.warnings) == [
        (6, "题干", "题号从 1 跳到 3：没有找到第 2 题，可能它的题号写法无法识别而并入了上一题，请检查。")
    ]


def test_letter_answer_without_recognised_options_is_rejected_not_imported_as_fill_in():
    result = parse("1.甲（ ）\na.一 b.二\n答案：A")
    assert not result.questions
    assert issues(result.rejected) == [
        (1, "选项", "答案“A”是选项字母，但这道题没有找到选项（选项应写作 A.xxx、B.xxx，字母后加标点）。")
    ]


def test_questions_after_a_key_are_read_as_questions_and_stray_key_lines_are_reported():
    text = (
        "一、单选题\n1.甲（ ）\nA.一 B.二\n参考答案：1.B\n"
        "二、判断题\n1.电梯可以用于火灾时的人员疏散。（×）\n2.发现火灾应立即报警。（√）\n"
        "参考答案：3.√\n（完）"
    )
    result = parse(text)
    assert [(q.row, q.type, q.correct_options) for q in result.questions] == [
        (2, "single", [1]),
        (6, "truefalse", [1]),
        (7, "truefalse", [0]),
    ]
    assert issues(result.rejected) == [(8, "答案表", "答案表中第 3 题（答案 √）找不到对应的题目。")]
    assert (9, "答案表", "答案表中这一行无法识别，已忽略：“（完）”。") in issues(result.warnings)


def test_type_mark_before_the_number_chinese_numbered_questions_and_exam_result_copies():
    text = (
        "【单选题】1.甲（ ）\nA.一 B.二\n正确答案：A 我的答案：B 得分：0\n"
        "第二题 乙（ ）\nA.一 B.二\n正确答案：B\n我的答案：B\n"
        "[多选题] 3、丙（ ）\nA.一 B.二 C.三\n正确答案：AC"
    )
    result = parse(text)
    assert not result.rejected and not result.warnings, (issues(result.rejected), issues(result.warnings))
    assert [(q.row, q.type, q.stem, q.correct_options) for q in result.questions] == [
        (1, "single", "甲（ ）", [0]),
        (4, "single", "乙（ ）", [1]),
        (8, "multiple", "丙（ ）", [0, 2]),
    ]


def test_true_false_mark_after_the_statement_without_brackets():
    result = parse("三、判断题\n1.发现火灾应立即报警。 √\n2.电梯可以用于疏散。×\n3.灭火器的压力表指针在红区为正常（×）")
    assert [(q.stem, q.correct_options) for q in result.questions] == [
        ("发现火灾应立即报警。", [0]),
        ("电梯可以用于疏散。", [1]),
        ("灭火器的压力表指针在红区为正常（ ）", [1]),
    ]


def test_pathological_lines_take_linear_time():
    """Each of these took minutes with a quadratic scan; together they must take a few seconds at most."""
    import time

    texts = [
        "1." + "A." * 50_000,
        "1.甲" + "（" * 50_000 + "\nA.一 B.二\n答案：A",
        "1.甲（ ）\n" + "\n".join(f"{'ABCDEFGH'[i % 8]} x" for i in range(5_000)),
        "参考答案：" + " ".join(f"{i}.A" for i in range(1, 5_000)),
        "一、单选题" + "（" * 50_000,
        "1.甲 " + "【答案】 " * 10_000,
    ]
    started = time.perf_counter()
    for text in texts:
        try:
            parse_text(text, PASTE, default_category=["未分类"])
        except SpreadsheetError:
            pass  # "no question found" is a fine answer to some of these
    assert time.perf_counter() - started < 20
