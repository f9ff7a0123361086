"""Reads across exam rows for one candidate: which exams they see, what they may do, their grade."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Q
from django.utils import timezone

from quizzes import timing
from quizzes.exams.models import Attempt, Exam, PreparedPaper, ReviewOptions

WITHHELD = ReviewOptions(withheld=True)


@dataclass
class ExamStatus:
    exam: Exam
    attempts: list[Attempt] = field(default_factory=list)  # real (not mock) attempts, oldest first
    open_attempt: Attempt | None = None
    phase: str = "open"  # upcoming / open / closed
    can_start: bool = False
    attempts_left: int | None = None  # None: unlimited
    grade: Decimal | None = None  # only when the review policy lets the candidate see scores
    passed: bool | None = None

    @property
    def attempts_used(self) -> int:
        return len(self.attempts)

    @property
    def submitted(self) -> list[Attempt]:
        return [a for a in self.attempts if a.state == Attempt.State.SUBMITTED]


# --- sitting an exam: the one rule ----------------------------------------------------------------------------------


def _user_id(user) -> int | None:
    if isinstance(user, int):
        return user
    return user.pk if getattr(user, "is_authenticated", False) else None


def _sitting(now: dt.datetime):
    """Counting (not mock) attempts that are open and still take answers (until deadline + the 60 s network grace,
    quizzes.timing): while a person has one, nothing may tell them whether an answer is right."""
    return Attempt.objects.filter(is_mock=False, state__in=Attempt.OPEN_STATES).filter(
        Q(deadline__isnull=True) | Q(deadline__gte=now - timing.NETWORK_GRACE)
    )


def is_sitting_exam(user, now: dt.datetime | None = None) -> bool:
    """Has `user` (a user or a user id) a counting exam attempt open right now? See _sitting.
    quizzes.exams.services.ensure_not_sitting_exam turns it into the refusal every revealing entry point gets."""
    user_id = _user_id(user)
    return user_id is not None and _sitting(now or timezone.now()).filter(user_id=user_id).exists()


def sitting_user_ids(user_ids, now: dt.datetime | None = None) -> set[int]:
    """Which of these users are sitting an exam (one query for a batch, e.g. a live game's answers)."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return set()
    return set(_sitting(now or timezone.now()).filter(user_id__in=ids).values_list("user_id", flat=True))


def review_options(attempt: Attempt, now: dt.datetime | None = None, *, sitting: bool | None = None) -> ReviewOptions:
    """What the candidate may see of `attempt` now: the exam's review policy (Exam.review_options), except that
    while they sit a counting attempt the review of every other attempt is withheld (WITHHELD: no score, no
    right/wrong, no answers): a mock's or another exam's result would tell them answers of the paper in front of
    them. `sitting` may be passed when the caller already knows it."""
    now = now or timezone.now()
    options = attempt.exam.review_options(attempt, now)
    if not options.anything:
        return options
    if sitting is None:
        sitting = is_sitting_exam(attempt.user_id, now)
    return WITHHELD if sitting else options


# --- candidates' exam screens -----------------------------------------------------------------------------------------


def _status(exam: Exam, user, attempts: list[Attempt], now: dt.datetime, sitting: bool = False) -> ExamStatus:
    real = [a for a in attempts if not a.is_mock]
    status = ExamStatus(exam=exam, attempts=real)
    status.open_attempt = next((a for a in real if a.is_open), None)
    status.phase = "upcoming" if now < exam.opens_at else ("closed" if now >= exam.closes_at else "open")
    if not exam.unlimited_attempts:
        status.attempts_left = max(0, exam.attempts_allowed - len(real))
    status.can_start = (
        status.open_attempt is None and exam.is_open(now) and (status.attempts_left is None or status.attempts_left > 0)
    )
    submitted = [a for a in real if a.state == Attempt.State.SUBMITTED]
    if submitted and all(review_options(a, now, sitting=sitting).score for a in submitted):
        status.grade, _max_score, status.passed = exam.grade_attempts(submitted)
    return status


def exams_for_user(user, now: dt.datetime | None = None) -> list[ExamStatus]:
    """Published exams in the candidate's audience with their own attempts: open first, then upcoming, closed."""
    now = now or timezone.now()
    exams = [e for e in Exam.objects.for_audience(user).prefetch_related("institutions") if e.is_for(user)]
    attempts: dict[int, list[Attempt]] = {}
    for a in Attempt.objects.filter(user=user, exam__in=[e.pk for e in exams], is_mock=False).order_by("number"):
        attempts.setdefault(a.exam_id, []).append(a)
    sitting = is_sitting_exam(user, now)
    statuses = [_status(e, user, attempts.get(e.pk, []), now, sitting) for e in exams]
    order = {"open": 0, "upcoming": 1, "closed": 2}
    statuses.sort(
        key=lambda s: (order[s.phase], s.exam.closes_at if s.phase != "closed" else -s.exam.closes_at.timestamp())
    )
    return statuses


def exam_status(exam: Exam, user, now: dt.datetime | None = None) -> ExamStatus:
    now = now or timezone.now()
    attempts = list(Attempt.objects.filter(user=user, exam=exam, is_mock=False).order_by("number"))
    return _status(exam, user, attempts, now, is_sitting_exam(user, now))


def visible_exam(user, exam_id) -> Exam | None:
    """The exam if it is published and `user` is in its audience, else None (one query: for_audience checks the
    institutions in SQL, so Exam.is_for need not read them again for this user)."""
    exam = Exam.objects.for_audience(user).filter(pk=exam_id).first()
    if exam is None:
        return None
    exam._institution_checked_for = user.pk
    return exam if exam.is_for(user) else None


# --- papers drawn ahead (预生成试卷) -------------------------------------------------------------------------------------


def expected_candidates(exam: Exam) -> int:
    """How many people may still start this exam for the first time: active accounts in its audience (institutions
    and roles, as Exam.is_for) without a counting attempt of it yet."""
    people = get_user_model().objects.filter(is_active=True)
    if exam.roles:
        people = people.filter(role__in=exam.roles)
    institutions = [i.pk for i in exam.institutions.all()]
    if institutions:
        people = people.filter(institution_id__in=institutions)
    started = Attempt.objects.filter(exam_id=exam.pk, is_mock=False).values("user_id")
    return people.exclude(pk__in=started).count()


def prepared_stock(exam: Exam) -> dict:
    """The exam's papers drawn ahead: {"unclaimed": n, "claimed": n (one query), "pictures_failed": [ids of the
    library pictures that did not render in the last preparation run: no paper showing them was stored]}."""
    counts = PreparedPaper.objects.filter(exam_id=exam.pk).aggregate(total=Count("pk"), claimed=Count("claimed_by"))
    return {
        "unclaimed": counts["total"] - counts["claimed"],
        "claimed": counts["claimed"],
        "pictures_failed": list(exam.papers_pictures_failed or []),
    }
