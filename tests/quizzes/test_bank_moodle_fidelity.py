"""Fidelity of the Moodle formats: grade fractions Moodle itself would refuse are rejected naming the question and the
value; partial credit becomes a multiple-choice question (with the exam-setting warning) where it fits, and
otherwise only the 100% answers are correct and a warning names what was lost. Aiken says why instead of guessing."""

import pytest

from quizzes.bank.importers import parse_upload
from quizzes.bank.importers.grades import ALLOWED_TEXT

PARTIAL_SETTING = "只有考试的“多选题计分”设为“少选按比例得分，错选不得分”时才按比例给分，否则全对才得分。"


def xml_question(name: str, answers: list[tuple[str, str]], *, single: str | None = "true", qtype="multichoice"):
    single_tag = f"<single>{single}</single>" if single is not None else ""
    body = "".join(f'<answer fraction="{f}"><text>{t}</text></answer>' for t, f in answers)
    return (
        f'<question type="{qtype}">\n<name><text>{name}</text></name>\n'
        f'<questiontext format="plain_text"><text>{name} 的题干</text></questiontext>\n{single_tag}{body}\n</question>'
    )


def parse_xml(*questions: str):
    text = '<?xml version="1.0" encoding="UTF-8"?>\n<quiz>\n' + "\n".join(questions) + "\n</quiz>\n"
    result = parse_upload(data=text.encode(), filename="bank.xml")
    return result


def only_question(result):
    assert not result.rejected, result.rejected
    assert len(result.questions) == 1
    return result.questions[0]


def only_rejection(result):
    assert not result.questions
    assert len(result.rejected) == 1
    return result.rejected[0]


# --- invalid fractions ------------------------------------------------------------------------------------------


def invalid(name: str, what: str, value: str, hint: str = "") -> str:
    return (
        f"题目“{name}”中{what}{' ' if what[-1].isascii() else ''}的分值“{value}”无效：Moodle 只允许 -100 到 100 之间的固定分值（{ALLOWED_TEXT}，及其负数）。"
        + hint
    )


@pytest.mark.parametrize(
    ("value", "hint"),
    [
        ("33", "是否应为 33.33333？"),
        ("150", ""),
        ("abc", ""),
        ("33.33", "是否应为 33.33333？"),
        ("-45", ""),
        ("NaN", ""),
    ],
)
def test_a_fraction_moodle_refuses_is_rejected_naming_question_and_value(value, hint):
    result = parse_xml(xml_question("安全出口", [("甲", "100"), ("乙", value)]))
    issue = only_rejection(result)
    assert (issue.row, issue.column) == (3, "answer/@fraction")
    assert issue.reason == invalid("安全出口", "选项 B", value, hint)


def test_the_invalid_33_was_never_counted_as_correct():
    """The issue's case: fraction 33 on a multiple-answer question used to make the option correct."""
    result = parse_xml(
        xml_question("旧题", [("甲", "33"), ("乙", "33"), ("丙", "33"), ("丁", "0")], single="false"),
        xml_question("好题", [("甲", "100"), ("乙", "0")]),
    )
    assert [q.stem for q in result.questions] == ["好题 的题干"]
    assert [(i.row, i.reason) for i in result.rejected] == [(3, invalid("旧题", "选项 A", "33", "是否应为 33.33333？"))]


@pytest.mark.parametrize(
    "value", ["33.33333", "33.333", "33.3333333", "-33.33333", "14.28571", "12.5", "-100", "0", ""]
)
def test_moodle_allowed_fractions_are_accepted(value):
    result = parse_xml(xml_question("可用分值", [("甲", "100"), ("乙", value)]))
    assert only_question(result).correct_options == [0]


def test_truefalse_with_a_partial_fraction_is_rejected():
    result = parse_xml(xml_question("判断", [("true", "50"), ("false", "0")], single=None, qtype="truefalse"))
    issue = only_rejection(result)
    assert issue.reason == "题目“判断”：判断题的得分答案“true”只有 50%，应为 100%。"


# --- partial credit, Moodle XML ---------------------------------------------------------------------------------


def test_equal_fractions_summing_to_100_become_multiple_choice_with_the_exam_setting_warning():
    result = parse_xml(
        xml_question("易燃物", [("汽油", "50"), ("酒精", "50"), ("水", "-100"), ("沙土", "0")], single="false")
    )
    q = only_question(result)
    assert (q.type, q.options, q.correct_options) == ("multiple", ["汽油", "酒精", "水", "沙土"], [0, 1])
    assert [(w.row, w.column, w.reason) for w in result.warnings] == [
        (
            3,
            "answer/@fraction",
            "题目“易燃物”在 Moodle 中按比例给分（AB 各 50%）：已导入为多选题，正确答案 AB。" + PARTIAL_SETTING,
        )
    ]


def test_thirds_become_multiple_choice():
    result = parse_xml(
        xml_question(
            "三项",
            [("甲", "33.33333"), ("乙", "0"), ("丙", "33.33333"), ("丁", "-50"), ("戊", "33.33333")],
            single="false",
        )
    )
    q = only_question(result)
    assert (q.type, q.correct_options) == ("multiple", [0, 2, 4])
    assert [w.reason for w in result.warnings] == [
        "题目“三项”在 Moodle 中按比例给分（ACE 各 33.33333%）：已导入为多选题，正确答案 ACE。" + PARTIAL_SETTING
    ]


def test_unequal_fractions_summing_to_100_become_multiple_choice_naming_the_lost_weights():
    result = parse_xml(xml_question("主次", [("甲", "70"), ("乙", "30"), ("丙", "-100")], single="false"))
    q = only_question(result)
    assert (q.type, q.correct_options) == ("multiple", [0, 1])
    assert [w.reason for w in result.warnings] == [
        "题目“主次”的正确选项分值不同（A 70%、B 30%）：已导入为多选题，正确答案 AB，各选项分值不再区分。"
        "只有考试的“多选题计分”设为“少选按比例得分，错选不得分”时才按比例（每个正确选项相同分值）给分，否则全对才得分。"
    ]


def test_single_choice_with_a_half_credit_distractor_keeps_only_the_full_answer_and_warns():
    result = parse_xml(xml_question("灭火器", [("干粉", "100"), ("泡沫", "50"), ("水", "0")]))
    q = only_question(result)
    assert (q.type, q.correct_options) == ("single", [0])
    assert [w.reason for w in result.warnings] == [
        "题目“灭火器”中 B 50% 在 Moodle 中得部分分；本平台单选题没有部分得分：只有 A（100%）算正确，B 已按错误选项导入。"
    ]


def test_multiple_answer_question_with_one_full_answer_becomes_single_choice_and_says_so():
    result = parse_xml(xml_question("唯一", [("甲", "0"), ("乙", "100"), ("丙", "-50")], single="false"))
    q = only_question(result)
    assert (q.type, q.correct_options) == ("single", [1])
    assert [w.reason for w in result.warnings] == ["题目“唯一”在 Moodle 中可多选，但只有 B 得满分：已导入为单选题。"]


@pytest.mark.parametrize(
    ("answers", "single", "reason"),
    [
        (
            [("甲", "50"), ("乙", "50"), ("丙", "0")],
            "true",
            "题目“X”没有得满分（100%）的选项（A 50%、B 50%）：本平台的选择题须有完全正确的答案。",
        ),
        (
            [("甲", "50"), ("乙", "25"), ("丙", "0")],
            "false",
            "题目“X”的得分选项合计 75%（A 50%、B 25%），不是 100%：无法确定哪些选项构成满分答案。",
        ),
        (
            [("甲", "100"), ("乙", "100"), ("丙", "0")],
            "true",
            "题目“X”标为单选，却有 2 个得满分的选项（A、B）：本平台单选题只能有一个正确答案。",
        ),
        (
            [("甲", "100"), ("乙", "100"), ("丙", "0")],
            "false",
            "题目“X”有 2 个选项各得 100%（A、B，任选其一即满分）：本平台无法表示，请只留一个满分选项，"
            "或把分值按比例分配（合计 100%）。",
        ),
        ([("甲", "0"), ("乙", "-100")], "true", "题目“X”缺少答案：没有分值为正的选项。"),
    ],
)
def test_partial_credit_that_cannot_be_represented_is_rejected_with_the_fractions(answers, single, reason):
    issue = only_rejection(parse_xml(xml_question("X", answers, single=single)))
    assert issue.reason == reason


def test_shortanswer_keeps_only_full_answers_and_names_partial_and_wildcard_ones():
    result = parse_xml(
        xml_question(
            "火警电话",
            [("119", "100"), ("一一九", "50"), ("11*", "100"), ("*", "0")],
            single=None,
            qtype="shortanswer",
        )
    )
    q = only_question(result)
    assert (q.type, q.accepted_answers) == ("fill", [["119", "11*"]])
    assert [w.reason for w in result.warnings] == [
        "题目“火警电话”的答案“一一九”（50%）在 Moodle 中得部分分；本平台填空题没有部分得分，这些写法未导入。",
        "题目“火警电话”的答案“11*”含 Moodle 通配符 *：本平台按原文比较，* 不再匹配任意文字。",
    ]


def test_shortanswer_without_a_full_answer_is_rejected():
    result = parse_xml(xml_question("半对", [("甲", "50")], single=None, qtype="shortanswer"))
    assert (
        only_rejection(result).reason == "题目“半对”没有得满分（100%）的答案（“甲”（50%））：本平台填空题没有部分得分。"
    )


# --- GIFT -------------------------------------------------------------------------------------------------------


def parse_gift(text: str):
    return parse_upload(data=text.encode(), filename="bank.gift")


def test_gift_half_credit_equals_is_no_longer_full_credit():
    """`=%50%` used to make the option correct. With another `=` answer, only the full one is correct."""
    result = parse_gift("::电器火灾:: 扑救电气火灾宜用 {=干粉灭火器 =%50%二氧化碳灭火器 ~水}\n")
    q = only_question(result)
    assert (q.type, q.options, q.correct_options) == ("single", ["干粉灭火器", "二氧化碳灭火器", "水"], [0])
    assert [(w.row, w.reason) for w in result.warnings] == [
        (
            1,
            "题目“电器火灾”中 B 50% 在 Moodle 中得部分分；本平台单选题没有部分得分：只有 A（100%）算正确，"
            "B 已按错误选项导入。",
        )
    ]


def test_gift_only_partial_equals_is_rejected():
    result = parse_gift("::半对:: 甲乙哪个对 {=%50%甲 ~乙}\n")
    assert only_rejection(result).reason == (
        "题目“半对”没有得满分（100%）的选项（A 50%）：本平台的选择题须有完全正确的答案。"
    )


def test_gift_tilde_weights_become_multiple_choice_with_negative_wrong_answers():
    result = parse_gift("::易燃:: 易燃气体有 {~%50%氢气 ~%50%甲烷 ~%-25%氮气 ~%-100%氦气}\n")
    q = only_question(result)
    assert (q.type, q.correct_options) == ("multiple", [0, 1])
    assert [w.reason for w in result.warnings] == [
        "题目“易燃”在 Moodle 中按比例给分（AB 各 50%）：已导入为多选题，正确答案 AB。" + PARTIAL_SETTING
    ]


@pytest.mark.parametrize("weight", ["33", "150", "abc", "-30.5"])
def test_gift_invalid_weight_is_rejected_naming_question_and_value(weight):
    result = parse_gift(f"// 注释\n::第三题:: 选出 {{~%{weight}%甲 ~%50%乙 ~丙}}\n")
    issue = only_rejection(result)
    assert issue.row == 2
    assert issue.reason.startswith(f"题目“第三题”中答案“甲”的分值“{weight}”无效：Moodle 只允许")


def test_gift_question_without_title_is_named_by_its_line():
    result = parse_gift("\n\n选出 {~%33%甲 ~%50%乙 ~丙}\n")
    assert only_rejection(result).reason.startswith("题目“第 3 行”中答案“甲”的分值“33”无效")


def test_gift_short_answer_partial_spelling_is_dropped_with_a_warning():
    result = parse_gift("::电话:: 火警电话是 {=119 =%50%一一九}。\n")
    q = only_question(result)
    assert (q.type, q.stem, q.accepted_answers) == ("fill", "火警电话是____。", [["119"]])
    assert [w.reason for w in result.warnings] == [
        "题目“电话”的答案“一一九”（50%）在 Moodle 中得部分分；本平台填空题没有部分得分，这些写法未导入。"
    ]


def test_gift_equal_thirds_as_exported_by_this_platform_import_without_rejection():
    result = parse_gift("::三:: 选三个 {~%33.33333%甲 ~%33.33333%乙 ~%33.33333%丙 ~%-100%丁}\n")
    assert only_question(result).correct_options == [0, 1, 2]


# --- Aiken ------------------------------------------------------------------------------------------------------


def parse_aiken(text: str):
    return parse_upload(data=text.encode(), filename="aiken.txt", fmt="aiken")


def test_aiken_answer_with_trailing_punctuation_is_one_letter():
    result = parse_aiken("火警电话是\nA. 110\nB. 119\nANSWER: B.\n")
    assert only_question(result).correct_options == [1]


def test_aiken_lowercase_or_colon_options_are_named_not_counted_as_zero_options():
    result = parse_aiken("火警电话是\na. 110\nb. 119\nANSWER: B\n\n急救电话是\nA：120\nB：110\nANSWER: A\n")
    assert not result.questions
    assert [(i.row, i.column, i.reason) for i in result.rejected] == [
        (1, "第 2 行", "没有找到选项：Aiken 的选项应写作“A. xxx”或“A) xxx”（大写字母加点或右括号）。"),
        (6, "第 7 行", "没有找到选项：Aiken 的选项应写作“A. xxx”或“A) xxx”（大写字母加点或右括号）。"),
    ]


def test_aiken_two_letter_answer_is_still_refused():
    result = parse_aiken("选两个\nA. 甲\nB. 乙\nANSWER: AB\n")
    assert only_rejection(result).reason == "Aiken 格式只支持单选题，答案“AB”不是一个字母。"
