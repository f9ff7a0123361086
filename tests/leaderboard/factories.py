"""Exam rows for leaderboard tests, built with the ORM (independent of other apps' test factories)."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from quizzes.exams.models import Attempt, Exam


def make_exam(*, title="知识竞赛考试", opens_at=None, institutions=()) -> Exam:
    now = timezone.now()
    exam = Exam.objects.create(
        title=title,
        status=Exam.Status.PUBLISHED,
        opens_at=opens_at or now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=30),
        attempts_allowed=0,
    )
    if institutions:
        exam.institutions.set(institutions)
        exam.save()
    return exam


def submit(exam, user, *, score, duration_s=600, after_open_min=60, mock=False, number=None) -> Attempt:
    """A submitted attempt: started `after_open_min` minutes after the exam opened, lasting `duration_s`."""
    started = exam.opens_at + dt.timedelta(minutes=after_open_min)
    number = number or Attempt.objects.filter(exam=exam, user=user, is_mock=mock).count() + 1
    return Attempt.objects.create(
        exam=exam,
        user=user,
        number=number,
        is_mock=mock,
        state=Attempt.State.SUBMITTED,
        started_at=started,
        submitted_at=started + dt.timedelta(seconds=duration_s),
        score=Decimal(str(score)),
        max_score=Decimal("100"),
        finish_reason=Attempt.FinishReason.MANUAL,
    )
