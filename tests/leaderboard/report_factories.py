"""A small campaign for report tests whose figures are worked out by hand in tests/leaderboard/test_reports*.py.

Institution A (甲): a1, a2, a3, a4 and officer_a; institution B (乙): b1, b2 and officer_b.
One required module (all staff); badge for a1, a2, officer_a, b2.
One exam of three single-choice questions Q1, Q2, Q3 worth 10 points each, pass mark 60%, sat through the services:
    a1: Q1 right, Q2 right, Q3 right  -> 30/30 = 100%   passed   (took 300 s)
    a2: right, right, wrong           -> 20/30 = 66.67% passed   (280 s)
    a3: right, wrong, wrong           -> 10/30 = 33.33% failed   (5 s, 6 tab switches)
    b1: wrong, wrong, wrong           ->  0/30 = 0%     failed   (320 s)
    a4, officer_a, b2, officer_b have not sat it.
One competition game joined by a1 and b1.
"""

import datetime as dt
import secrets
from decimal import Decimal

from django.utils import timezone

from courses.models import CourseCompletion, LessonProgress
from quizzes.competitions.models import Game, Player, hash_token
from quizzes.exams.models import Attempt
from quizzes.exams.services import answer_save, attempt_start, attempt_submit
from tests.courses.factories import lessons_of, make_course
from tests.factories import UserFactory
from tests.quizzes.competition_factories import make_competition
from tests.quizzes.exam_factories import BankQuestionFactory, ExamCategoryFactory, exam_with_sections

DURATIONS = {"a1": 300, "a2": 280, "a3": 5, "b1": 320}


def sit(exam, user, right: dict[int, bool]):
    """Answer each paper question right or wrong according to `right` {bank question id: bool}, then submit."""
    attempt = attempt_start(exam=exam, user=user)
    for seq, aq in enumerate(attempt.paper.order_by("position"), start=1):
        snap = aq.snapshot
        wrong = [next(i for i in range(len(snap["options"])) if i not in snap["correct"])]
        response = snap["correct"] if right[snap["question_id"]] else wrong
        answer_save(attempt_id=attempt.pk, user=user, position=aq.position, response=response, seq=seq)
    return attempt_submit(attempt_id=attempt.pk, user=user)


def _sat_today(submitted: dt.datetime, seconds: int) -> tuple[dt.datetime, dt.datetime]:
    """(started, submitted) `seconds` apart, ending at `submitted`, or, in the first minutes after midnight (Asia/Shanghai),
    starting at midnight: the whole campaign happens today, as the reports' "today" figures expect, whatever the hour."""
    midnight = timezone.localtime(submitted).replace(hour=0, minute=0, second=0, microsecond=0)
    started = max(submitted - dt.timedelta(seconds=seconds), midnight)
    return started, started + dt.timedelta(seconds=seconds)


def build_campaign(inst_a, inst_b, officer_a, officer_b) -> dict:
    people = {
        "a1": UserFactory(institution=inst_a, real_name="甲一", department="内科", mobile="13800000001"),
        "a2": UserFactory(institution=inst_a, real_name="甲二", department="外科", mobile="13800000002"),
        "a3": UserFactory(institution=inst_a, real_name="甲三", department="药剂科", mobile="13800000003"),
        "a4": UserFactory(institution=inst_a, real_name="甲四", department="后勤", mobile="13800000004"),
        "b1": UserFactory(institution=inst_b, real_name="乙一", department="内科", mobile="13800000011"),
        "b2": UserFactory(institution=inst_b, real_name="乙二", department="护理部", mobile="13800000012"),
        "officer_a": officer_a,
        "officer_b": officer_b,
    }
    # Study: one module required of all staff, two lessons; a badge means completed.
    course = make_course(title="消防安全必修", required="all", lessons=2)
    now = timezone.now()
    for key in ("a1", "a2", "officer_a", "b2"):
        for lesson in lessons_of(course):
            LessonProgress.objects.create(
                user=people[key], lesson=lesson, course=course, first_opened_at=now, last_seen_at=now,
                active_seconds=120, completed_at=now,
            )  # fmt: skip
        CourseCompletion.objects.create(user=people[key], course=course, completed_at=now)

    category = ExamCategoryFactory(name="消防")
    questions = [
        BankQuestionFactory(category=category, stem=f"Q{n}：发现火灾应当立即拨打哪个电话？") for n in (1, 2, 3)
    ]
    q1, q2, q3 = (q.pk for q in questions)
    exam = exam_with_sections(category, title="报表测试考试", points=Decimal("10"), pass_mark=Decimal("60"))
    answers = {
        "a1": {q1: True, q2: True, q3: True},
        "a2": {q1: True, q2: True, q3: False},
        "a3": {q1: True, q2: False, q3: False},
        "b1": {q1: False, q2: False, q3: False},
    }
    attempts = {}
    for key, right in answers.items():
        attempt = sit(exam, people[key], right)
        started, submitted = _sat_today(attempt.submitted_at, DURATIONS[key])
        Attempt.objects.filter(pk=attempt.pk).update(
            started_at=started, submitted_at=submitted, tab_switches=6 if key == "a3" else 0
        )
        attempts[key] = attempt.pk

    competition = make_competition(questions=1)
    game = Game.objects.create(competition=competition, pin="123456", scoring=competition.scoring, started_at=now)
    for key in ("a1", "b1"):
        user = people[key]
        Player.objects.create(
            game=game, user=user, nickname=user.real_name, institution=user.institution,
            token_hash=hash_token(secrets.token_hex(8)),
        )  # fmt: skip
    return {**people, "people": people, "course": course, "exam": exam, "questions": questions, "attempts": attempts,
            "game": game}  # fmt: skip
