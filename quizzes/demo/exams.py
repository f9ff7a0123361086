"""seed_demo step: the campaign exam (线上安全生产知识考试). 50 questions drawn from the bank (what exists if the bank
is smaller), 2 points each, 30 minutes, pass mark 80%, one attempt, open from the moment it is seeded until the
end of the demo campaign (HomePage.campaign_end). Idempotent: found again by title, its rules refreshed.
Runs after the bank seeders (settings.ELEARN_DEMO_SEEDERS order)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from quizzes.bank.models import Question
from quizzes.exams.models import Exam, ExamSection

TITLE = "安全生产月线上安全生产知识考试"
TOTAL = 50
POINTS = Decimal("2")
# Preferred mix; a type the bank lacks gives its share to the others.
MIX = [
    (Question.Type.SINGLE, "一、单项选择题", 20),
    (Question.Type.MULTIPLE, "二、多项选择题", 10),
    (Question.Type.TRUE_FALSE, "三、判断题", 15),
    (Question.Type.FILL, "四、填空题", 5),
]
INTRO = (
    "<p>全区医疗卫生单位职工线上安全生产知识考试。共 50 题，每题 2 分，满分 100 分，80 分及格；限时 30 分钟，"
    "只有一次作答机会。</p>"
)  # saving, the countdown and tab switches are the page's own rules (exam_detail.html): not repeated here


def plan_sections(available: dict[str, int], total: int = TOTAL) -> list[tuple[str, str, int]]:
    """Allocate `total` questions over the types in MIX, never more than the bank has of a type."""
    counts = {qtype: min(want, available.get(qtype, 0)) for qtype, _, want in MIX}
    spare = total - sum(counts.values())
    while spare > 0:
        grew = False
        for qtype, _, _ in MIX:
            if spare and counts[qtype] < available.get(qtype, 0):
                counts[qtype] += 1
                spare -= 1
                grew = True
        if not grew:
            break
    return [(qtype, title, counts[qtype]) for qtype, title, _ in MIX if counts[qtype]]


def campaign_close(home, now: dt.datetime) -> dt.datetime:
    end = getattr(home, "campaign_end", None) or (timezone.localdate(now) + dt.timedelta(days=29))
    return timezone.make_aware(dt.datetime.combine(end, dt.time(23, 59, 59)))


def seed_exam(stdout, options, context) -> Exam:
    now = timezone.now()
    closes_at = campaign_close(context.get("home"), now)
    exam = Exam.objects.filter(title=TITLE).first() or Exam(title=TITLE, opens_at=now)
    exam.opens_at = min(exam.opens_at, now)
    exam.closes_at = max(closes_at, now + dt.timedelta(days=1))
    exam.introduction = INTRO
    exam.status = Exam.Status.PUBLISHED
    exam.time_limit_minutes = 30
    exam.attempts_allowed = 1
    exam.grading_method = Exam.GradingMethod.HIGHEST
    exam.pass_mark = Decimal("80")
    exam.shuffle_questions = True
    exam.shuffle_options = True
    exam.multiple_scoring = Exam.MultipleScoring.ALL_OR_NOTHING
    exam.review_score = True
    exam.review_correctness = True
    exam.review_answers = False
    exam.review_explanations = False
    exam.review_when = Exam.ReviewWhen.IMMEDIATELY
    exam.overdue_handling = Exam.OverdueHandling.AUTOSUBMIT
    exam.tab_switch_policy = Exam.TabSwitchPolicy.COUNT
    exam.created_by = context.get("admin")
    exam.save()
    available = {}
    for qtype in Question.objects.active().values_list("type", flat=True):
        available[qtype] = available.get(qtype, 0) + 1
    exam.sections.all().delete()
    plan = plan_sections(available)
    if not plan:  # empty bank: one section that draws whatever is active when someone starts
        plan = [("", "综合题", TOTAL)]
    for order, (qtype, title, count) in enumerate(plan):
        ExamSection.objects.create(
            exam=exam, sort_order=order, title=title, question_type=qtype, count=count, points=POINTS
        )
    drawn = sum(c for _, _, c in plan) if plan[0][0] else 0
    if stdout:
        stdout.write(
            f"  campaign exam: {TITLE} ({drawn or 'up to ' + str(TOTAL)} questions, 30 min, pass 80%, "
            f"open until {timezone.localtime(exam.closes_at):%Y-%m-%d %H:%M})"
        )
    return exam
