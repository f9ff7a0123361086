"""seed_demo step: practice sets (练习题组) by category, written by us and citing article numbers, plus a short
practice history for the demo staff member so the wrong-answer book has something in it. Idempotent: questions
are found again by category and stem, and the history is only written when the member has none."""

from __future__ import annotations

from django.db import transaction

from quizzes.bank.models import Category, Question
from quizzes.practice.models import PracticeAnswer, WrongBookEntry
from quizzes.practice.services import wrongbook_record

S, M, T, F = Question.Type.SINGLE, Question.Type.MULTIPLE, Question.Type.TRUE_FALSE, Question.Type.FILL
WORK_SAFETY = "中华人民共和国安全生产法"
FIRE = "中华人民共和国消防法"
EMERGENCY = "生产安全事故应急条例"
CHEMICALS = "危险化学品安全管理条例"

# (root category (shared with the demo bank), practice set, [(type, stem, options, correct, accepted, explanation, law, article)])
PRACTICE_SETS = [
    (
        "安全生产法律法规",
        "安全生产法要点",
        [
            (F, "安全生产工作坚持安全第一、____、综合治理的方针。", [], [], [["预防为主"]],
             "安全生产法第三条规定了“安全第一、预防为主、综合治理”的方针。", WORK_SAFETY, "第三条"),
            (S, "谁是本单位安全生产第一责任人？", ["分管安全的副院长", "主要负责人", "安全员", "各科室主任"], [1], [],
             "安全生产法第五条：主要负责人是本单位安全生产第一责任人，对安全生产工作全面负责。", WORK_SAFETY, "第五条"),
            (T, "未经安全生产教育和培训合格的从业人员，可以先上岗再补培训。", [], [1], [],
             "第二十八条：未经安全生产教育和培训合格的从业人员，不得上岗作业。", WORK_SAFETY, "第二十八条"),
            (T, "从业人员发现直接危及人身安全的紧急情况时，有权停止作业或在采取可能的应急措施后撤离作业场所。",
             [], [0], [], "这是第五十五条赋予从业人员的紧急避险权。", WORK_SAFETY, "第五十五条"),
            (M, "从业人员发现事故隐患或者其他不安全因素，应当立即向谁报告？",
             ["现场安全生产管理人员", "本单位负责人", "社交媒体", "无需报告"], [0, 1], [],
             "第五十九条：应当立即向现场安全生产管理人员或者本单位负责人报告。", WORK_SAFETY, "第五十九条"),
        ],
    ),
    (
        "消防安全",
        "医疗机构消防",
        [
            (S, "发现火灾，应当立即拨打哪个报警电话？", ["110", "119", "120", "122"], [1], [],
             "消防法第四十四条：任何人发现火灾都应当立即报警。火警电话是 119。", FIRE, "第四十四条"),
            (F, "消防工作贯彻预防为主、____的方针。", [], [], [["防消结合"]],
             "消防法第二条规定了“预防为主、防消结合”的方针。", FIRE, "第二条"),
            (M, "下列哪些行为是消防法禁止的？",
             ["占用、堵塞疏散通道", "遮挡消火栓", "擅自停用消防设施", "定期检查灭火器"], [0, 1, 2], [],
             "消防法第二十八条列举了损坏、挪用消防设施，遮挡消火栓，占用疏散通道等禁止行为。", FIRE, "第二十八条"),
            (T, "病区为了方便管理，可以在夜间锁闭安全出口。", [], [1], [],
             "消防法第二十八条：不得占用、堵塞、封闭疏散通道、安全出口。", FIRE, "第二十八条"),
        ],
    ),
    (
        "应急处置与自救互救",
        "生产安全事故应急",
        [
            (S, "谁对本单位的生产安全事故应急工作全面负责？", ["主要负责人", "安全员", "值班人员", "后勤科长"], [0], [],
             "生产安全事故应急条例第四条：主要负责人对本单位的生产安全事故应急工作全面负责。", EMERGENCY, "第四条"),
            (T, "发生生产安全事故后，生产经营单位应当立即启动应急救援预案。", [], [0], [],
             "条例第十七条：发生事故后应立即启动生产安全事故应急救援预案，并按规定报告。", EMERGENCY, "第十七条"),
        ],
    ),
    (
        "危险化学品",
        "储存与管理",
        [
            (M, "剧毒化学品的保管应当实行哪些制度？", ["双人收发", "双人保管", "专人负责", "随意存放"], [0, 1, 2], [],
             "危险化学品安全管理条例第二十四条：专用仓库专人管理，剧毒化学品单独存放，实行双人收发、双人保管。",
             CHEMICALS, "第二十四条"),
            (F, "危险化学品应当储存在专用仓库、专用场地或者专用____内。", [], [], [["储存室"]],
             "条例第二十四条：危险化学品应当储存在专用仓库、专用场地或者专用储存室内。", CHEMICALS, "第二十四条"),
        ],
    ),
]  # fmt: skip


def _category(root_name: str, child_name: str) -> Category:
    root, _ = Category.objects.get_or_create(name=root_name, parent=None, defaults={"sort_order": 100})
    child, _ = Category.objects.get_or_create(name=child_name, parent=root)
    return child


def seed_practice_sets() -> list[Question]:
    questions = []
    for root_name, child_name, items in PRACTICE_SETS:
        category = _category(root_name, child_name)
        for qtype, stem, options, correct, accepted, explanation, law, article in items:
            question = Question.objects.filter(category=category, stem=stem).first() or Question(
                category=category, stem=stem
            )
            question.type = qtype
            question.options = options
            question.correct_options = correct
            question.accepted_answers = accepted
            question.explanation = explanation
            question.source_law = law
            question.source_article = article
            question.status = Question.Status.ACTIVE
            question.full_clean(exclude=["identity_hash", "content_hash", "image", "author"])
            question.save()
            questions.append(question)
    return questions


@transaction.atomic
def seed_practice(stdout, options, context) -> None:
    questions = seed_practice_sets()
    staff = context.get("staff")
    if staff is not None and not (
        PracticeAnswer.objects.filter(user=staff).exists() or WrongBookEntry.objects.filter(user=staff).exists()
    ):
        # two mistakes "from an earlier session", so the demo's wrong-answer book is not empty
        wrongbook_record(user=staff, results=[(q.pk, False) for q in questions[1:3]], source="practice")
    if stdout is not None:
        stdout.write(f"  practice: {len(PRACTICE_SETS)} practice sets, {len(questions)} questions")
