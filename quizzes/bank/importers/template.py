"""The project's own Excel/CSV template: Chinese headers, one option per column, answers as letters.

The exporter writes exactly this layout, so an export re-imports with no changes.
"""

from __future__ import annotations

from elearn.spreadsheets import workbook_bytes
from quizzes.bank.models import OPTION_LETTERS

TEMPLATE_HEADER = [
    "题型",
    "题干",
    *[f"选项{letter}" for letter in OPTION_LETTERS],
    "答案",
    "解析",
    "分类",
    "难度",
    "出处",
    "标签",
    "限时（秒）",
]

EXAMPLE_ROWS = [
    [
        "单选题",
        "生产经营单位的主要负责人是本单位安全生产的（ ）。",
        "第一责任人",
        "直接责任人",
        "间接责任人",
        "监督责任人",
        "",
        "",
        "",
        "",
        "A",
        "《安全生产法》规定，生产经营单位的主要负责人是本单位安全生产第一责任人，对本单位的安全生产工作全面负责。",
        "安全生产法律法规",
        1,
        "《中华人民共和国安全生产法》第五条",
        "主要负责人 安全生产责任制",
        "",
    ],
    [
        "多选题",
        "发现火灾后，下列做法正确的有（ ）。",
        "立即拨打 119 报警",
        "组织人员疏散",
        "乘坐电梯逃生",
        "使用灭火器扑救初起火灾",
        "",
        "",
        "",
        "",
        "ABD",
        "火灾时不得乘坐普通电梯逃生。",
        "消防安全",
        2,
        "《中华人民共和国消防法》第四十四条",
        "报警 疏散",
        "",
    ],
    [
        "判断题",
        "任何单位和个人都有参加有组织的灭火工作的义务。",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "正确",
        "",
        "消防安全",
        1,
        "《中华人民共和国消防法》第五条",
        "",
        "",
    ],
    [
        "填空题",
        "火警电话是（ ）。",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
        "119",
        "多个空用“；”分隔，同一空的不同写法用“|”分隔。",
        "消防安全",
        1,
        "",
        "",
        "",
    ],
]

TEMPLATE_NOTES = [
    ["题型", "单选题 / 多选题 / 判断题 / 填空题（也接受 是非题）"],
    ["选项A–H", "选择题 2 到 8 个选项；判断题不填选项"],
    [
        "答案",
        "选择题写字母，如 A、ABD、A,B,D；判断题写 正确/错误（对/错、√/×、是/否、T/F 亦可）；填空题多个空用“；”分隔，同一空的不同写法用“|”分隔",
    ],
    ["分类", "多级分类用“ > ”分隔，如 消防安全 > 医疗机构消防；不存在的分类会自动新建"],
    ["难度", "1（最易）到 5（最难）；新题留空为 3"],
    ["出处", "如 《中华人民共和国安全生产法》第二十一条"],
    ["标签", "多个标签用空格或逗号分隔"],
    ["限时（秒）", "可选，用于知识竞赛"],
    [
        "更新已有题目",
        "题型、题干、选项相同的题目视为同一道题，只更新文件中给出的内容：删掉的列和空单元格都保留原内容"
        "（导入时勾选“空单元格表示清空该字段”才会清空）；预览会列出每处改动的原值和新值",
    ],
    [
        "表头",
        "不需要的列可以删除；也接受 题目内容、题目选项、题目答案、试题类型、作业种类 等常见写法，"
        "认不出的表头可在预览页逐列指定",
    ],
]


def template_bytes() -> bytes:
    """The downloadable template: the header with example rows, and a sheet of notes."""
    return workbook_bytes([("题库", TEMPLATE_HEADER, EXAMPLE_ROWS), ("填写说明", ["列", "说明"], TEMPLATE_NOTES)])


def is_template_header(cells: list[str]) -> bool:
    """The template's header, with or without its last column (限时, added later). Only a name for the layout:
    which fields a file provides always comes from the columns it has (a column it lacks is never "provided")."""
    names = [c.replace(" ", "") for c in cells if c]
    return names in (TEMPLATE_HEADER, TEMPLATE_HEADER[:-1])
