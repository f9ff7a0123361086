"""Outside review of issue 14: answers and stems as safety officers type them in their bank tables.

Each case is a CSV row a real bank has: "（A）" in the answer column, "对√" for a true/false answer, a stem that
starts with a list of telephone numbers, a forgotten options cell. Every row is either stored exactly as the file
says or refused naming its row and column: never quietly turned into something else.
"""

import pytest

from quizzes.bank.importers import parse_upload

HEADER = "题型,题干,选项A,选项B,选项C,选项D,答案\n"


def parse(body: str, header: str = HEADER, name: str = "题库.csv"):
    return parse_upload(data=(header + body).encode("utf-8"), filename=name)


def only_question(result):
    assert not result.rejected, [i.reason for i in result.rejected]
    assert len(result.questions) == 1
    return result.questions[0]


@pytest.mark.parametrize(
    "answer, correct",
    [("（A）", [0]), ("(B)", [1]), ("【C】", [2]), ("（A、C）", [0, 2]), ("A。", [0]), ("（ b ）", [1])],
)
def test_an_answer_written_in_brackets_or_with_a_full_stop_is_the_letter(answer, correct):
    qtype = "多选题" if len(correct) > 1 else "单选题"
    question = only_question(
        parse(f"{qtype},干粉灭火器适用于扑救（ ）。,电气火灾,金属火灾,档案火灾,油类火灾,{answer}\n")
    )
    assert question.correct_options == correct
    assert question.options == ["电气火灾", "金属火灾", "档案火灾", "油类火灾"]


@pytest.mark.parametrize(
    "answer, value",
    [("对√", 0), ("√对", 0), ("正确√", 0), ("正确✔", 0), ("错×", 1), ("错误✘", 1), ("（√）", 0), ("(×)", 1)],
)
def test_a_true_false_answer_with_a_word_and_a_mark_that_agree(answer, value):
    question = only_question(parse(f"判断题,安全出口应保持畅通。,,,,,{answer}\n"))
    assert question.type == "truefalse"
    assert question.correct_options == [value]


@pytest.mark.parametrize("answer", ["对×", "错√", "正确✘"])
def test_a_true_false_answer_whose_word_and_mark_disagree_is_refused_naming_the_row(answer):
    result = parse(f"判断题,安全出口应保持畅通。,,,,,{answer}\n")
    assert not result.questions
    [issue] = result.rejected
    assert (issue.row, issue.column) == (2, "答案")
    assert answer in issue.reason and "互相矛盾" in issue.reason


@pytest.mark.parametrize(
    "stem",
    [
        "119、110、120分别是（ ）电话。",
        "1、2、3级动火作业的审批权限（ ）。",
        "3，6，9月份各开展一次消防演练的说法（ ）。",
    ],
)
def test_a_stem_that_starts_with_a_list_of_numbers_keeps_it(stem):
    question = only_question(parse(f"单选题,{stem},正确,错误,不确定,都不对,A\n"))
    assert question.stem == stem


@pytest.mark.parametrize(
    "line, stem", [("12、火警电话是（ ）。", "火警电话是（ ）。"), ("201，接零导线（ ）。", "接零导线（ ）。")]
)
def test_numbering_in_front_of_a_stem_is_still_removed(line, stem):
    question = only_question(parse(f"单选题,{line},正确,错误,不确定,都不对,A\n"))
    assert question.stem == stem


def test_a_letter_answer_on_a_row_without_options_is_refused_not_made_a_fill_in_question():
    """No 题型 column and an empty options cell: 'B' is an option letter, not the text to type in a blank."""
    result = parse("火警电话是（ ）。,,B\n", header="题干,选项,答案\n")
    assert not result.questions
    [issue] = result.rejected
    assert (issue.row, issue.column) == (2, "答案")
    assert "选项" in issue.reason and "填空题" in issue.reason


def test_options_under_headers_nobody_recognised_do_not_turn_the_rows_into_fill_in_questions():
    result = parse("火警电话是（ ）。,110,119,120,122,B\n", header="题干,甲,乙,丙,丁,答案\n")
    assert not result.questions
    assert [i.row for i in result.rejected] == [2]
    assert result.unmapped_columns == ["甲", "乙", "丙", "丁"]


def test_a_fill_in_question_said_to_be_one_keeps_its_letter_answer():
    question = only_question(parse("填空题,自动体外除颤器的英文缩写是（ ）。,,,,,AED\n"))
    assert (question.type, question.accepted_answers) == ("fill", [["AED"]])


def test_a_fill_in_answer_that_is_not_option_letters_is_still_inferred():
    question = only_question(parse("火警电话是（ ）。,,119\n", header="题干,选项,答案\n"))
    assert (question.type, question.accepted_answers) == ("fill", [["119"]])


@pytest.mark.parametrize("answer, value", [("A", 0), ("B", 1)])
def test_a_true_false_answer_given_as_a_letter_without_options_says_how_it_was_read(answer, value):
    result = parse(f"判断题,电梯可以用于火灾逃生。,,,,,{answer}\n")
    question = only_question(result)
    assert question.correct_options == [value]
    [warning] = [w for w in result.warnings if w.row == 2]
    assert warning.column == "答案"
    assert "A" in warning.reason and "正确" in warning.reason and "错误" in warning.reason


def test_a_true_false_answer_given_as_a_letter_with_its_options_needs_no_warning():
    result = parse("判断题,电梯可以用于火灾逃生。,正确,错误,,,B\n")
    assert only_question(result).correct_options == [1]
    assert not result.warnings


OPTIONS_HEADER = "题型,题干,选项,答案\n"


@pytest.mark.parametrize(
    "cell, answer, options, correct",
    [
        ("①36 ②110 ③220 ④380", "①", ["36", "110", "220", "380"], [0]),
        ("①36V\n②110V\n③220V\n④380V", "②", ["36V", "110V", "220V", "380V"], [1]),
        ("a.安全帽 b.防护眼镜 c.灭火器 d.绝缘手套", "abd", ["安全帽", "防护眼镜", "灭火器", "绝缘手套"], [0, 1, 3]),
        ("a、A级 b、B级 c、C级", "c", ["A级", "B级", "C级"], [2]),
        ("（a）上风向（b）下风向", "A", ["上风向", "下风向"], [0]),
    ],
)
def test_options_numbered_with_circled_digits_or_lowercase_letters(cell, answer, options, correct):
    qtype = "多选题" if len(correct) > 1 else "单选题"
    result = parse(f'{qtype},下列说法正确的是（ ）。,"{cell}",{answer}\n', header=OPTIONS_HEADER)
    question = only_question(result)
    assert (question.options, question.correct_options) == (options, correct)


@pytest.mark.parametrize("cell", ["①甲 ③丙", "a.甲 c.丙", "A.甲 b.乙"])
def test_options_numbered_out_of_order_or_mixed_are_still_refused(cell):
    result = parse(f'单选题,下列说法正确的是（ ）。,"{cell}",A\n', header=OPTIONS_HEADER)
    assert not result.questions
    assert [(i.row, i.column) for i in result.rejected] == [(2, "选项")]
