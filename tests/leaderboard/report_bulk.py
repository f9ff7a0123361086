"""A whole campaign in bulk (bulk_create, no services): institutions, staff, a required module with badges, an exam
whose answers follow a simple ability model, competition players. Used by bench/bench_reports.py (5,000 staff,
100,000 answer rows) and by the browser test of the dashboard (a few hundred staff).

Each person has an ability; each question a difficulty; P(right) = 1 / (1 + exp(difficulty - ability)), so the
item analysis has something to find: one question is answered right by nearly everyone (too easy), one by nearly
nobody (too hard), and one has a wrong key (the better people "miss" it: negative discrimination).
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from courses.models import CourseCompletion, LessonProgress
from elearn.org.models import Institution, User
from quizzes.bank.models import Category, Question
from quizzes.competitions.models import Game, Player, hash_token
from quizzes.exams.models import Attempt, AttemptAnswer, AttemptQuestion, Exam, ExamSection
from tests.courses.factories import lessons_of, make_course

TOWNS = "东城 西城 南湖 北山 青石 白沙 红旗 金桥 银杏 松林 柳岸 桃源 梅岭 竹溪 兰亭 荷塘 枫林 杏花 石桥 清河 长乐 永安 太平 和平 新华 向阳 光明 胜利 前进 友谊".split()
DEPARTMENTS = ["内科", "外科", "护理部", "药剂科", "检验科", "放射科", "后勤", "行政办公室", "公共卫生科", "急诊科"]
CATEGORIES = ["消防安全", "危险化学品", "应急处置", "用电安全", "安全生产法"]


@dataclass
class BulkCampaign:
    institutions: list[Institution]
    exam: Exam
    staff: int
    answers: int


def build(
    *,
    institutions: int = 30,
    staff: int = 5000,
    questions_per_paper: int = 20,
    bank_size: int = 40,
    sat_share: float = 1.0,
    days: int = 14,
    seed: int = 7,
    prefix: str = "B",
) -> BulkCampaign:
    rng = random.Random(seed)
    now = timezone.now()
    opens = now - dt.timedelta(days=days)
    insts = [
        Institution.objects.get_or_create(
            name=f"{TOWNS[i % len(TOWNS)]}{'镇卫生院' if i % 5 else '社区卫生服务中心'}{'' if i < len(TOWNS) else i}",
            defaults={"short_name": f"{TOWNS[i % len(TOWNS)]}", "kind": Institution.Kind.TOWNSHIP},
        )[0]
        for i in range(institutions)
    ]
    password = make_password("bulk-not-for-login")
    # Institutions differ in size and engagement, so the charts have something to show.
    weights = [0.5 + rng.random() for _ in insts]
    engagement = {inst.pk: 0.55 + 0.45 * rng.random() for inst in insts}
    users = []
    for n in range(staff):
        inst = rng.choices(insts, weights)[0]
        users.append(
            User(
                employee_no=f"{prefix}{n:06d}",
                real_name=f"职工{n:05d}",
                mobile=f"17{seed % 10}{n:08d}",
                institution=inst,
                department=rng.choice(DEPARTMENTS),
                role=User.Role.STAFF,
                password=password,
            )
        )
    users = User.objects.bulk_create(users, batch_size=1000)
    if not all(u.pk for u in users):  # backends that do not return ids
        users = list(User.objects.filter(employee_no__startswith=prefix).order_by("employee_no"))
    ability = {u.pk: rng.gauss(0.6, 1.0) for u in users}

    # Study: one required module of two lessons; engaged people complete it.
    course = make_course(title="安全生产必修课", required="all", lessons=2, min_reading_seconds=30)
    lessons = lessons_of(course)
    progress, badges = [], []
    for u in users:
        if rng.random() < engagement[u.institution_id]:
            done_at = opens + dt.timedelta(seconds=rng.randrange(days * 86400))
            for lesson in lessons:
                progress.append(
                    LessonProgress(
                        user=u,
                        lesson=lesson,
                        course=course,
                        first_opened_at=done_at,
                        last_seen_at=done_at,
                        active_seconds=rng.randrange(60, 900),
                        completed_at=done_at,
                    )  # fmt: skip
                )
            badges.append(CourseCompletion(user=u, course=course, completed_at=done_at))
    LessonProgress.objects.bulk_create(progress, batch_size=2000)
    CourseCompletion.objects.bulk_create(badges, batch_size=2000)

    # The bank: questions in five categories; difficulties spread, plus the three planted oddities.
    cats = [Category.objects.get_or_create(name=name, parent=None)[0] for name in CATEGORIES]
    bank = []
    for q in range(bank_size):
        bank.append(
            Question(
                type=Question.Type.SINGLE,
                category=cats[q % len(cats)],
                stem=f"第{q + 1}题：发生火灾时，下列做法正确的是？",
                options=["立即报警并组织疏散", "乘坐电梯逃生", "先收拾贵重物品", "打开门窗通风"],
                correct_options=[0],
                status=Question.Status.ACTIVE,
                difficulty=3,
            )
        )
    bank = Question.objects.bulk_create(bank)
    if not all(q.pk for q in bank):
        bank = list(Question.objects.order_by("-pk")[:bank_size])[::-1]
    difficulty = {q.pk: rng.uniform(-1.5, 1.8) for q in bank}
    difficulty[bank[0].pk] = -6.0  # nearly everyone right: too easy
    difficulty[bank[1].pk] = 5.0  # nearly nobody right: too hard
    wrong_key = bank[2].pk  # the better the candidate, the likelier they "miss" it

    exam = Exam.objects.create(
        title="2026年安全生产月线上知识考试",
        status=Exam.Status.PUBLISHED,
        opens_at=opens,
        closes_at=now + dt.timedelta(days=3),
        time_limit_minutes=30,
        pass_mark=Decimal("60"),
    )
    ExamSection.objects.create(exam=exam, title="单选题", count=questions_per_paper, points=Decimal("5"), sort_order=0)
    points = Decimal("5")
    attempts = []
    papers: list[list[Question]] = []
    for u in users:
        if sat_share < 1 and rng.random() >= sat_share * (0.75 + 0.25 * engagement[u.institution_id]):
            continue
        started = opens + dt.timedelta(seconds=rng.randrange(days * 86400 - 3600))
        duration = rng.choice([rng.randrange(240, 1500)] * 19 + [rng.randrange(8, 40)])  # ~5% implausibly fast
        attempts.append(
            Attempt(
                exam=exam,
                user=u,
                number=1,
                state=Attempt.State.SUBMITTED,
                started_at=started,
                deadline=started + dt.timedelta(minutes=30),
                submitted_at=started + dt.timedelta(seconds=duration),
                finish_reason=Attempt.FinishReason.MANUAL,
                max_score=points * questions_per_paper,
                tab_switches=rng.choice([0] * 12 + [1, 2, 3, 6, 9]),
            )  # fmt: skip
        )
        papers.append(rng.sample(bank, questions_per_paper))
    attempts = Attempt.objects.bulk_create(attempts, batch_size=1000)
    if not all(a.pk for a in attempts):
        attempts = list(Attempt.objects.filter(exam=exam).order_by("pk"))
    paper_rows = []
    marks: list[list[bool]] = []
    for attempt, paper in zip(attempts, papers, strict=True):
        theta = ability[attempt.user_id]
        right = []
        for position, q in enumerate(paper, start=1):
            p = 1 / (1 + math.exp(difficulty[q.pk] - theta))
            if q.pk == wrong_key:
                p = 1 - p
            right.append(rng.random() < p)
            paper_rows.append(
                AttemptQuestion(
                    attempt=attempt,
                    position=position,
                    question=q,
                    section_title="单选题",
                    points=points,
                    option_order=[0, 1, 2, 3],
                    snapshot={
                        "type": "single",
                        "stem": q.stem,
                        "options": q.options,
                        "correct": [0],
                        "accepted_answers": [],
                        "question_id": q.pk,
                    },
                )  # fmt: skip
            )
        marks.append(right)
    paper_rows = AttemptQuestion.objects.bulk_create(paper_rows, batch_size=5000)
    if not all(r.pk for r in paper_rows):
        paper_rows = list(AttemptQuestion.objects.filter(attempt__exam=exam).order_by("attempt_id", "position"))
    answers = []
    finished = []
    index = 0
    for attempt, right in zip(attempts, marks, strict=True):
        total = Decimal("0")
        for ok in right:
            row = paper_rows[index]
            index += 1
            choice = 0 if ok else rng.choice([1, 2, 3])
            score = points if ok else Decimal("0")
            total += score
            answers.append(
                AttemptAnswer(
                    attempt=attempt,
                    attempt_question=row,
                    response=[choice],
                    seq=row.position,
                    saved_at=attempt.submitted_at,
                    score=score,
                    is_correct=ok,
                )  # fmt: skip
            )
        attempt.score = total
        attempt.passed = total * 100 / attempt.max_score >= exam.pass_mark
        finished.append(attempt)
    AttemptAnswer.objects.bulk_create(answers, batch_size=5000)
    Attempt.objects.bulk_update(finished, ["score", "passed"], batch_size=1000)

    # Competition: a few games over the campaign; a share of people joined one.
    from tests.quizzes.competition_factories import make_competition

    competition = make_competition(questions=1, title="安全知识竞赛")
    games = [
        Game.objects.create(
            competition=competition,
            pin=f"{900000 + g}",
            scoring=competition.scoring,
            phase=Game.Phase.FINISHED,
            started_at=opens + dt.timedelta(days=g * 3 + 1),
            finished_at=opens + dt.timedelta(days=g * 3 + 1, hours=1),
        )  # fmt: skip
        for g in range(max(1, days // 3))
    ]
    players = []
    for u in users:
        if rng.random() < 0.4 * engagement[u.institution_id]:
            game = rng.choice(games)
            players.append(
                Player(
                    game=game,
                    user=u,
                    nickname=u.real_name,
                    institution_id=u.institution_id,
                    token_hash=hash_token(f"{prefix}-{u.pk}"),
                )  # fmt: skip
            )
    players = Player.objects.bulk_create(players, batch_size=2000)
    # joined_at is auto_now_add: spread it over the game days like real joins.
    by_game = {g.pk: g for g in games}
    for p in players:
        p.joined_at = by_game[p.game_id].started_at
    Player.objects.bulk_update([p for p in players if p.pk], ["joined_at"], batch_size=2000)
    return BulkCampaign(institutions=insts, exam=exam, staff=len(users), answers=len(answers))
