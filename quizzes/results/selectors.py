"""Reads across exam rows for managers and certificates: results and 未参考名单 of the institutions a safety officer
or the district admin looks after, a candidate's grade for a certificate, mock exams, certificate look-up.

(The candidate-facing exam reads live in quizzes.exams.selectors, owned by the exam core.)
Who may see whose results is decided only by elearn.org.permissions (scope_queryset / managed_users /
managed_institutions / can_manage_institution); every manager-facing read here takes the viewer and narrows through it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from elearn.org.models import Institution, User
from elearn.org.permissions import can_manage_institution, managed_institutions, managed_users, scope_queryset
from quizzes import scoring
from quizzes.exams.models import Attempt, Exam
from quizzes.results.models import Certificate


@dataclass(frozen=True)
class CandidateGrade:
    """A candidate's exam grade: the submitted counting attempts' scores combined by the exam's grading method,
    judged against the latest paper's maximum (the same rule as quizzes.exams.selectors for the candidate)."""

    score: Decimal
    max_score: Decimal
    passed: bool
    attempts: int
    attempt: Attempt | None  # the attempt the grade comes from (a certificate refers to it)
    passed_at: dt.datetime | None
    last_submitted_at: dt.datetime | None

    @property
    def percent(self) -> Decimal:
        return scoring.percentage(self.score, self.max_score)


def grade_of(exam: Exam, attempts: list[Attempt]) -> CandidateGrade | None:
    """`attempts`: one candidate's submitted counting attempts, oldest first."""
    scored = [a for a in attempts if a.score is not None]
    if not scored:
        return None
    scores = [a.score for a in scored]
    grade, max_score, passed = exam.grade_attempts(scored)
    if exam.grading_method == Exam.GradingMethod.FIRST:
        chosen = scored[0]
    elif exam.grading_method == Exam.GradingMethod.HIGHEST:
        chosen = scored[[scoring.to_points(s) for s in scores].index(grade)]
    else:  # latest, average: the latest attempt completes the grade
        chosen = scored[-1]
    return CandidateGrade(
        score=grade,
        max_score=max_score,
        passed=passed,
        attempts=len(scored),
        attempt=chosen,
        passed_at=chosen.submitted_at if passed else None,
        last_submitted_at=max((a.submitted_at for a in scored if a.submitted_at), default=None),
    )


def _counting_attempts():
    return Attempt.objects.filter(is_mock=False, state=Attempt.State.SUBMITTED).order_by("number", "pk")


def candidate_grade(exam: Exam, user) -> CandidateGrade | None:
    """The person's grade in `exam` from their submitted counting attempts (mock attempts never count)."""
    return grade_of(exam, list(_counting_attempts().filter(exam=exam, user=user)))


def score_visible(exam: Exam, attempts: list[Attempt], now: dt.datetime | None = None) -> bool:
    """May the candidate see their score now (the exam's review policy, e.g. only after the exam closes)?"""
    now = now or timezone.now()
    return bool(attempts) and all(exam.review_options(a, now).score for a in attempts)


def certificate_grade(exam: Exam, user, now: dt.datetime | None = None) -> CandidateGrade | None:
    """The grade a certificate may state: passed, and the review policy already lets the candidate see it."""
    attempts = list(_counting_attempts().filter(exam=exam, user=user))
    grade = grade_of(exam, attempts)
    if grade is None or not grade.passed or not score_visible(exam, attempts, now):
        return None
    return grade


# --- the candidate's own pages --------------------------------------------------------------------------------------


def mock_exams_for(user) -> list[Exam]:
    """Published exams in the person's audience that they may rehearse (模拟考试, never counted)."""
    if not getattr(user, "is_authenticated", False):
        return []
    exams = Exam.objects.for_audience(user).prefetch_related("institutions").order_by("-opens_at", "pk")[:20]
    return [exam for exam in exams if exam.is_for(user)]


def certificates_available(user, now: dt.datetime | None = None) -> list[tuple[Exam, CandidateGrade]]:
    """Exams the person passed and may see their score of, with the grade (one certificate each)."""
    if not getattr(user, "is_authenticated", False):
        return []
    by_exam: dict[int, list[Attempt]] = defaultdict(list)
    for attempt in _counting_attempts().filter(user=user).select_related("exam"):
        by_exam[attempt.exam_id].append(attempt)
    out = []
    for attempts in by_exam.values():
        exam = attempts[0].exam
        grade = grade_of(exam, attempts)
        if grade and grade.passed and score_visible(exam, attempts, now):
            out.append((exam, grade))
    return sorted(out, key=lambda pair: pair[1].passed_at or pair[1].last_submitted_at, reverse=True)


def attempt_url(attempt: Attempt) -> str:
    """The exam core's page for an attempt (mock attempts use the same page)."""
    for name in ("quizzes:attempt", "quizzes:attempt_detail", "quizzes:exam_attempt", "quizzes:take"):
        try:
            return reverse(name, args=[attempt.pk])
        except NoReverseMatch:
            continue
    return reverse("practice:index")


def normalise_code(code: str) -> str:
    raw = "".join(ch for ch in str(code or "").upper() if ch.isalnum())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:12]}" if len(raw) == 12 else ""


def certificate_by_code(code: str) -> Certificate | None:
    code = normalise_code(code)
    return Certificate.objects.filter(code=code).first() if code else None


# --- results for safety officers and the district admin -------------------------------------------------------------


def report_exams(viewer):
    """Exams a manager may report on: every exam for a district admin; for a safety officer the published exams
    whose audience includes their institution."""
    exams = Exam.objects.all().order_by("-opens_at", "pk")
    if getattr(viewer, "is_district_admin", False):
        return exams
    institutions = managed_institutions(viewer)
    if not institutions.exists():
        return exams.none()
    return exams.published().filter(Q(institutions__isnull=True) | Q(institutions__in=institutions)).distinct()


def report_exam(viewer, exam_id) -> Exam | None:
    try:
        return report_exams(viewer).filter(pk=int(exam_id)).first()
    except (TypeError, ValueError):
        return None


def audience_users(exam: Exam, viewer, institution_id: int | None = None):
    """Active members of the exam's audience whom `viewer` manages (optionally one institution of theirs)."""
    users = managed_users(viewer).filter(is_active=True)
    if exam.roles:
        users = users.filter(role__in=exam.roles)
    inst_ids = list(exam.institutions.values_list("pk", flat=True))
    if inst_ids:
        users = users.filter(institution_id__in=inst_ids)
    if institution_id is not None:
        if not can_manage_institution(viewer, institution_id):
            return users.none()
        users = users.filter(institution_id=institution_id)
    return users


PERSON_FIELDS = ("pk", "real_name", "employee_no", "department", "mobile", "role", "institution__name")


@dataclass(frozen=True)
class ResultRow:
    user: User
    grade: CandidateGrade | None
    in_progress: bool

    @property
    def status(self) -> str:
        if self.grade is None:
            return "in_progress" if self.in_progress else "absent"
        return "passed" if self.grade.passed else "failed"


def exam_results(exam: Exam, viewer, institution_id: int | None = None) -> list[ResultRow]:
    """Everyone in the exam's audience that `viewer` manages who has started it, with their grade."""
    users = audience_users(exam, viewer, institution_id)
    attempts = (
        scope_queryset(Attempt.objects.filter(exam=exam, is_mock=False, user__in=users), viewer, "user__institution")
        .order_by("number", "pk")
        .only("pk", "user_id", "state", "number", "score", "max_score", "submitted_at")
    )
    by_user: dict[int, list[Attempt]] = defaultdict(list)
    open_users: set[int] = set()
    for attempt in attempts:
        if attempt.state == Attempt.State.SUBMITTED:
            by_user[attempt.user_id].append(attempt)
        else:
            open_users.add(attempt.user_id)
    ids = set(by_user) | open_users
    people = (
        users.filter(pk__in=ids)
        .select_related("institution")
        .only(*PERSON_FIELDS)
        .order_by("institution__name", "employee_no")
    )
    return [
        ResultRow(user=u, grade=grade_of(exam, by_user.get(u.pk, [])), in_progress=u.pk in open_users) for u in people
    ]


def exam_absentees(exam: Exam, viewer, institution_id: int | None = None):
    """未参考名单: audience members `viewer` manages who have not started any counting attempt."""
    sat = Attempt.objects.filter(exam=exam, is_mock=False).values("user_id")
    return (
        audience_users(exam, viewer, institution_id)
        .exclude(pk__in=sat)
        .select_related("institution")
        .only(*PERSON_FIELDS)
        .order_by("institution__name", "department", "employee_no")
    )


@dataclass(frozen=True)
class InstitutionSummary:
    institution: Institution
    audience: int
    sat: int
    passed: int
    average: Decimal | None

    @property
    def absent(self) -> int:
        return self.audience - self.sat

    @property
    def participation(self) -> Decimal:
        return scoring.percentage(self.sat, self.audience) if self.audience else Decimal("0.00")

    @property
    def pass_rate(self) -> Decimal:
        return scoring.percentage(self.passed, self.sat) if self.sat else Decimal("0.00")


def exam_summary(exam: Exam, viewer) -> list[InstitutionSummary]:
    """Per institution the viewer manages: audience size, how many sat, passed, and the average grade."""
    rows = exam_results(exam, viewer)
    audience: dict[int, int] = defaultdict(int)
    for inst_id in audience_users(exam, viewer).values_list("institution_id", flat=True):
        audience[inst_id] += 1
    sat: dict[int, int] = defaultdict(int)
    passed: dict[int, int] = defaultdict(int)
    grades: dict[int, list] = defaultdict(list)
    for row in rows:
        inst_id = row.user.institution_id
        sat[inst_id] += 1
        if row.grade is not None:
            grades[inst_id].append(row.grade.score)
            passed[inst_id] += int(row.grade.passed)
    institutions = managed_institutions(viewer).filter(pk__in=[i for i in audience if i is not None])
    out = []
    for inst in institutions.order_by("kind", "name"):
        scores = grades.get(inst.pk, [])
        out.append(
            InstitutionSummary(
                institution=inst,
                audience=audience[inst.pk],
                sat=sat[inst.pk],
                passed=passed[inst.pk],
                average=scoring.to_points(scoring.total(scores) / len(scores)) if scores else None,
            )
        )
    return out


# Exports carry only what their purpose needs: no mobile number unless the officer asks for it (含手机号, recorded in
# the access log by the view that exports).
RESULT_HEADER = ["单位", "姓名", "工号", "科室/岗位", "状态", "成绩", "满分", "是否合格", "作答次数", "交卷时间"]
ABSENT_HEADER = ["单位", "姓名", "工号", "科室/岗位"]
MOBILE_COLUMN = "手机号"


def result_header(include_mobile: bool = False) -> list[str]:
    return RESULT_HEADER[:4] + [MOBILE_COLUMN] + RESULT_HEADER[4:] if include_mobile else list(RESULT_HEADER)


def absent_header(include_mobile: bool = False) -> list[str]:
    return ABSENT_HEADER + [MOBILE_COLUMN] if include_mobile else list(ABSENT_HEADER)


STATUS_LABELS = {"passed": "合格", "failed": "不合格", "in_progress": "作答中", "absent": "未参考"}


def _local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def result_table(rows: list[ResultRow], include_mobile: bool = False):
    for row in rows:
        user, grade = row.user, row.grade
        yield [
            user.institution.name if user.institution_id else "",
            user.real_name,
            user.employee_no,
            user.department,
            *([user.mobile] if include_mobile else []),
            STATUS_LABELS[row.status],
            float(grade.score) if grade else "",
            float(grade.max_score) if grade else "",
            ("是" if grade.passed else "否") if grade else "",
            grade.attempts if grade else 0,
            _local(grade.last_submitted_at) if grade else "",
        ]


def absentee_table(users, include_mobile: bool = False):
    for user in users.iterator(chunk_size=2000):
        yield [
            user.institution.name if user.institution_id else "",
            user.real_name,
            user.employee_no,
            user.department,
            *([user.mobile] if include_mobile else []),
        ]
