"""seed_demo step: a staff knowledge competition with 15 questions, ready to host from 主持竞赛.

Questions are picked from the active choice questions already in the bank (the bank's demo seeder runs first); if the
bank holds fewer than 15, competition questions written by us (citing article numbers) are added to a 竞赛题 category
so the competition is always complete. Idempotent: the competition is found by title, questions by category and stem.
"""

from __future__ import annotations

from quizzes.bank.models import Category, Question
from quizzes.competitions.models import Competition, CompetitionQuestion

TITLE = "安全生产月网络知识竞赛（演示）"
COUNT = 15
S, M, T = Question.Type.SINGLE, Question.Type.MULTIPLE, Question.Type.TRUE_FALSE
WORK_SAFETY = "中华人民共和国安全生产法"
FIRE = "中华人民共和国消防法"
EMERGENCY = "生产安全事故应急条例"
RESPONSE = "中华人民共和国突发事件应对法"
CHEMICALS = "危险化学品安全管理条例"

# (type, stem, options, correct, explanation, law, article): written for the demo, citing the article it rests on.
OWN_QUESTIONS = [
    (
        S,
        "火警报警电话是多少？",
        ["110", "119", "120", "122"],
        [1],
        "消防法第四十四条：发现火灾应当立即报警。",
        FIRE,
        "第四十四条",
    ),
    (
        S,
        "安全生产工作应当以什么为本？",
        ["效益", "人", "制度", "设备"],
        [1],
        "安全生产法第三条：坚持人民至上、生命至上。",
        WORK_SAFETY,
        "第三条",
    ),
    (T, "病区夜间可以锁闭安全出口以防外人进入。", [], [1], "消防法第二十八条：不得封闭安全出口。", FIRE, "第二十八条"),
    (
        S,
        "本单位安全生产第一责任人是谁？",
        ["安全员", "主要负责人", "后勤科长", "值班人员"],
        [1],
        "安全生产法第五条。",
        WORK_SAFETY,
        "第五条",
    ),
    (
        M,
        "下列哪些属于从业人员的权利？",
        ["了解危险因素", "拒绝违章指挥", "紧急情况下撤离", "擅自拆除防护装置"],
        [0, 1, 2],
        "安全生产法第五十三至五十五条。",
        WORK_SAFETY,
        "第五十三条",
    ),
    (T, "未经安全培训合格的人员不得上岗作业。", [], [0], "安全生产法第二十八条。", WORK_SAFETY, "第二十八条"),
    (
        S,
        "灭火器压力表指针在哪个区域表示压力正常？",
        ["红区", "绿区", "黄区", "任意位置"],
        [1],
        "绿区为正常压力范围。",
        FIRE,
        "第十六条",
    ),
    (
        S,
        "生产经营单位应当至少每几年组织一次生产安全事故应急救援预案演练？",
        ["半年", "一年", "两年", "三年"],
        [0],
        "应急条例第八条：至少每半年组织一次演练（重点单位）。",
        EMERGENCY,
        "第八条",
    ),
    (
        T,
        "发生事故后，单位负责人接到报告应当迅速采取措施组织抢救。",
        [],
        [0],
        "安全生产法第八十三条。",
        WORK_SAFETY,
        "第八十三条",
    ),
    (
        M,
        "医疗机构常见火灾隐患有哪些？",
        ["私拉乱接电线", "氧气瓶靠近热源", "疏散通道堆放杂物", "定期巡查"],
        [0, 1, 2],
        "消防法第十六条：落实防火检查，及时消除隐患。",
        FIRE,
        "第十六条",
    ),
    (
        S,
        "突发事件预警级别中，最高级别用什么颜色表示？",
        ["蓝色", "黄色", "橙色", "红色"],
        [3],
        "突发事件应对法：一级为最高级别，用红色标示。",
        RESPONSE,
        "第六十三条",
    ),
    (
        T,
        "危险化学品可以与普通物品混放在同一库房。",
        [],
        [1],
        "危险化学品安全管理条例第二十四条：专用仓库储存。",
        CHEMICALS,
        "第二十四条",
    ),
    (
        S,
        "使用干粉灭火器时应对准火焰的哪个部位喷射？",
        ["火焰顶部", "火焰根部", "烟雾处", "任意部位"],
        [1],
        "对准火焰根部喷射效果最好。",
        FIRE,
        "第四十四条",
    ),
    (T, "从业人员发现事故隐患应当立即报告。", [], [0], "安全生产法第五十九条。", WORK_SAFETY, "第五十九条"),
    (
        S,
        "每年几月是全国“安全生产月”？",
        ["3月", "6月", "9月", "11月"],
        [1],
        "每年 6 月为全国安全生产月。",
        WORK_SAFETY,
        "第十三条",
    ),
]


def _own_questions(admin) -> list[Question]:
    category, _ = Category.objects.get_or_create(name="竞赛题", parent=None, defaults={"sort_order": 90})
    made = []
    for qtype, stem, options, correct, explanation, law, article in OWN_QUESTIONS:
        question = Question.objects.filter(category=category, stem=stem).first() or Question(
            category=category, stem=stem
        )
        question.type, question.options, question.correct_options = qtype, options, correct
        question.explanation, question.source_law, question.source_article = explanation, law, article
        question.status, question.author = Question.Status.ACTIVE, admin
        question.full_clean(exclude=["identity_hash", "content_hash", "image", "tags"])
        question.save()
        made.append(question)
    return made


def seed_competition(stdout, options, context) -> Competition:
    admin = context.get("admin")
    competition = Competition.objects.filter(title=TITLE).first()
    if competition is not None and competition.picked_questions.count() >= COUNT:
        stdout.write(f"  competition: {TITLE} (unchanged)")
        return competition
    bank = list(
        Question.objects.active()
        .exclude(type=Question.Type.FILL)
        .exclude(category__name="竞赛题")
        .order_by("pk")[:COUNT]
    )
    if len(bank) < COUNT:
        bank += _own_questions(admin)[: COUNT - len(bank)]
    competition = competition or Competition(title=TITLE)
    competition.description = "安全生产月线上知识竞赛：手机扫码加入，抢答计分，个人和单位排名实时更新。"
    competition.source = Competition.Source.PICKED
    competition.seconds_per_question = 20
    competition.scoring = Competition.Scoring.SPEED
    competition.streak_bonus = True
    competition.institution_min_players = 3
    competition.audience = Competition.Audience.STAFF
    competition.created_by = admin
    competition.save()
    CompetitionQuestion.objects.filter(competition=competition).delete()
    for i, question in enumerate(bank):
        CompetitionQuestion.objects.create(competition=competition, question=question, sort_order=i)
    stdout.write(f"  competition: {TITLE} ({len(bank)} questions; host it at /play/host/)")
    return competition
