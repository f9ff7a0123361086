"""Campaign reports: the database reads behind the dashboard, follow-up lists, item analysis, exports and the API.

Every read takes the viewer and narrows through elearn.org.permissions (managed_users / managed_institutions /
scope_queryset / can_manage_institution): a safety officer gets only their institution, everywhere. Exam results
and the 未参考名单 come from quizzes.results.selectors, study progress from courses.selectors; the figures are
computed by leaderboard.reports.analytics.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

import pandas as pd
from django.core.exceptions import PermissionDenied
from django.db.models import Count, FloatField, IntegerField, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from courses import selectors as study_selectors
from courses.models import LessonProgress
from elearn.org.models import Institution, User
from elearn.org.permissions import can_manage_institution, managed_institutions, managed_users, scope_queryset
from leaderboard.reports import analytics
from quizzes.bank.models import Question
from quizzes.competitions.models import Player
from quizzes.exams.models import Attempt, AttemptQuestion, Exam
from quizzes.results import selectors as result_selectors

MAX_RANGE_DAYS = 366
MAX_ID = 2**31 - 1
DEFAULT_RANGE_DAYS = 30
ACTIVITY_KINDS = ["study", "exam", "competition"]
ACTIVITY_LABELS = {"study": "学习", "exam": "考试", "competition": "竞赛"}


class ReportFilterError(ValueError):
    """A filter value cannot be used; the message names the field and is shown to the user."""

    def __init__(self, field_name: str, message: str):
        super().__init__(message)
        self.field = field_name
        self.message = message


@dataclass(frozen=True)
class ReportFilters:
    institution_id: int | None = None
    exam_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def as_params(self) -> dict:
        out = {}
        if self.institution_id:
            out["institution"] = self.institution_id
        if self.exam_id:
            out["exam"] = self.exam_id
        if self.date_from:
            out["from"] = self.date_from.isoformat()
        if self.date_to:
            out["to"] = self.date_to.isoformat()
        return out

    @property
    def query(self) -> str:
        """The filters as a query string for links ("institution=3&exam=5")."""
        return urlencode(self.as_params())


def parse_filters(viewer, params) -> ReportFilters:
    """Filters from query parameters (institution, exam, from, to). Raises ReportFilterError for a malformed value
    and PermissionDenied for an institution or exam the viewer may not report on."""

    def integer(name):
        raw = str(params.get(name) or "").strip()
        if not raw:
            return None
        if not raw.isdigit() or len(raw) > 10 or int(raw) > MAX_ID:
            raise ReportFilterError(name, f"参数 {name} 须为数字编号，收到“{raw[:20]}”。")
        return int(raw)

    def date(name):
        raw = str(params.get(name) or "").strip()
        if not raw:
            return None
        try:
            return dt.date.fromisoformat(raw)
        except ValueError:
            raise ReportFilterError(name, f"参数 {name} 须为日期（YYYY-MM-DD），收到“{raw[:20]}”。") from None

    institution_id, exam_id = integer("institution"), integer("exam")
    date_from, date_to = date("from"), date("to")
    if date_from and date_to and date_to < date_from:
        raise ReportFilterError("to", "结束日期不能早于开始日期。")
    # A range open at the end runs to today: the cap holds for it too (a daily series from 1900 is megabytes).
    if date_from and ((date_to or timezone.localdate()) - date_from).days >= MAX_RANGE_DAYS:
        raise ReportFilterError("from" if date_to is None else "to", f"日期范围不能超过 {MAX_RANGE_DAYS} 天。")
    if institution_id is not None and not can_manage_institution(viewer, institution_id):
        raise PermissionDenied
    if exam_id is not None and result_selectors.report_exam(viewer, exam_id) is None:
        raise PermissionDenied
    return ReportFilters(institution_id, exam_id, date_from, date_to)


# --------------------------------------------------------------------------- building blocks


def report_institutions(viewer, institution_id: int | None = None):
    institutions = managed_institutions(viewer).order_by("kind", "name")
    if institution_id is not None:
        institutions = institutions.filter(pk=institution_id)
    return institutions


def roster(viewer, institution_id: int | None = None):
    """Active staff and officers of the institutions `viewer` manages (the campaign's roster)."""
    users = managed_users(viewer).filter(is_active=True, institution__isnull=False).exclude(role=User.Role.ADMIN)
    if institution_id is not None:
        if not can_manage_institution(viewer, institution_id):
            return users.none()
        users = users.filter(institution_id=institution_id)
    return users


def selected_exam(viewer, filters: ReportFilters) -> Exam | None:
    """The exam the report is about: the one chosen, else the most recent one the viewer may report on."""
    if filters.exam_id is not None:
        return result_selectors.report_exam(viewer, filters.exam_id)
    return result_selectors.report_exams(viewer).first()


def _local_bounds(filters: ReportFilters) -> tuple[dt.datetime | None, dt.datetime | None]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(filters.date_from, dt.time.min, tzinfo=tz) if filters.date_from else None
    end = (
        dt.datetime.combine(filters.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz) if filters.date_to else None
    )
    return start, end


def _in_range(qs, field_name: str, filters: ReportFilters):
    start, end = _local_bounds(filters)
    if start:
        qs = qs.filter(**{f"{field_name}__gte": start})
    if end:
        qs = qs.filter(**{f"{field_name}__lt": end})
    return qs


@dataclass
class StudyStatus:
    required: int = 0
    done: int = 0
    unfinished: list[str] = field(default_factory=list)  # titles of required modules not completed


def study_status(viewer, institution_id: int | None = None) -> dict[int, StudyStatus]:
    """{user id: required modules, how many completed, which not} from courses.selectors.institution_progress."""
    out: dict[int, StudyStatus] = defaultdict(StudyStatus)
    for row in study_selectors.institution_progress(viewer=viewer, institution_id=institution_id):
        if not row.progress.required:
            continue
        status = out[row.user.pk]
        status.required += 1
        if row.progress.status == "completed":
            status.done += 1
        else:
            status.unfinished.append(row.course.title)
    return out


def exam_rows(exam: Exam | None, viewer, institution_id: int | None = None):
    """(result rows from quizzes.results.selectors.exam_results, set of audience user ids)."""
    if exam is None:
        return [], set()
    rows = result_selectors.exam_results(exam, viewer, institution_id)
    audience = set(result_selectors.audience_users(exam, viewer, institution_id).values_list("pk", flat=True))
    return rows, audience


def competition_players(viewer, filters: ReportFilters, institution_id: int | None = None) -> dict[int, int]:
    """{user id: games joined} for staff the viewer manages, games joined within the date range."""
    players = scope_queryset(
        Player.objects.filter(user__isnull=False, removed_at__isnull=True), viewer, "user__institution"
    )
    if institution_id is not None:
        players = players.filter(user__institution_id=institution_id)
    players = _in_range(players, "joined_at", filters)
    return {
        row["user_id"]: row["games"]
        for row in players.values("user_id").annotate(games=Count("game_id", distinct=True))
    }


PEOPLE_COLUMNS = [
    "user_id",
    "institution_id",
    "institution",
    "department",
    "employee_no",
    "real_name",
    "mobile",
    "required",
    "required_done",
    "unfinished",
    "in_audience",
    "sat",
    "status",
    "score",
    "max_score",
    "percent",
    "passed",
    "attempts",
    "submitted_at",
    "games",
    "played",
    "graded_attempt_id",
]


def people_frame(viewer, filters: ReportFilters, exam: Exam | None) -> pd.DataFrame:
    """One row per person on the roster with their study, exam and competition figures."""
    inst_id = filters.institution_id
    people = list(
        roster(viewer, inst_id)
        .order_by("institution__kind", "institution__name", "department", "employee_no")
        .values_list("pk", "institution_id", "institution__name", "department", "employee_no", "real_name", "mobile")
    )
    study = study_status(viewer, inst_id)
    rows, audience = exam_rows(exam, viewer, inst_id)
    results = {r.user.pk: r for r in rows}
    games = competition_players(viewer, filters, inst_id)
    records = []
    for pk, institution_id, institution, department, employee_no, real_name, mobile in people:
        s = study.get(pk) or StudyStatus()
        result = results.get(pk)
        grade = result.grade if result else None
        records.append(
            (
                pk,
                institution_id,
                institution,
                department,
                employee_no,
                real_name,
                mobile,
                s.required,
                s.done,
                "、".join(s.unfinished),
                pk in audience,
                result is not None,
                result.status if result else ("absent" if pk in audience else "not_in_audience"),
                float(grade.score) if grade else None,
                float(grade.max_score) if grade else None,
                float(grade.percent) if grade else None,
                grade.passed if grade else None,
                grade.attempts if grade else 0,
                grade.last_submitted_at if grade else None,
                games.get(pk, 0),
                pk in games,
                grade.attempt.pk if grade and grade.attempt else None,
            )
        )
    frame = pd.DataFrame.from_records(records, columns=PEOPLE_COLUMNS)
    frame["percent"] = frame["percent"].astype("float64")
    return frame


def activity_events(viewer, filters: ReportFilters, exam: Exam | None) -> pd.DataFrame:
    """(day, user_id, kind) for each lesson opened or completed, exam attempt started and competition game joined."""
    inst_id = filters.institution_id
    people = roster(viewer, inst_id).values("pk")
    parts = []
    lessons = LessonProgress.objects.filter(user__in=people)
    for field_name in ("first_opened_at", "completed_at"):
        qs = _in_range(lessons.filter(**{f"{field_name}__isnull": False}), field_name, filters)
        parts.append(("study", qs.values_list(field_name, "user_id")))
    attempts = Attempt.objects.filter(user__in=people, is_mock=False)
    if exam is not None:
        attempts = attempts.filter(exam=exam)
    parts.append(("exam", _in_range(attempts, "started_at", filters).values_list("started_at", "user_id")))
    players = Player.objects.filter(user__in=people)
    parts.append(("competition", _in_range(players, "joined_at", filters).values_list("joined_at", "user_id")))
    frames = []
    for kind, qs in parts:
        data = list(qs)
        if data:
            frame = pd.DataFrame(data, columns=["at", "user_id"])
            frame["kind"] = kind
            frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["day", "user_id", "kind"])
    events = pd.concat(frames, ignore_index=True)
    local = pd.to_datetime(events["at"], utc=True).dt.tz_convert(timezone.get_current_timezone_name())
    events["day"] = local.dt.date
    return events[["day", "user_id", "kind"]]


def _date_range(filters: ReportFilters, exam: Exam | None) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    if filters.date_from and filters.date_to:
        return filters.date_from, filters.date_to
    if exam is not None and not filters.date_from and not filters.date_to:
        start = timezone.localtime(exam.opens_at).date()
        end = min(timezone.localtime(exam.closes_at).date(), max(today, start))
        if (end - start).days < MAX_RANGE_DAYS:
            return start, end
    end = filters.date_to or today
    start = filters.date_from or end - dt.timedelta(days=DEFAULT_RANGE_DAYS - 1)
    return start, max(start, end)


# --------------------------------------------------------------------------- the dashboard


def dashboard(viewer, filters: ReportFilters) -> dict:
    """Everything the dashboard shows: per institution figures, totals, score histogram, daily participation."""
    exam = selected_exam(viewer, filters)
    people = people_frame(viewer, filters, exam)
    names = {i.pk: i for i in report_institutions(viewer, filters.institution_id)}
    summary = analytics.institution_summary(people) if len(people) else pd.DataFrame(columns=analytics.SUMMARY_COLUMNS)
    by_inst = {row["institution_id"]: row for row in summary.to_dict("records")}
    institutions = []
    for inst_id, inst in names.items():
        row = by_inst.get(inst_id) or analytics.summary_row(inst_id, people.iloc[0:0])
        institutions.append(
            {"institution_id": inst_id, "institution": inst.name, "short_name": inst.short_name, **_clean(row)}
        )
    start, end = _date_range(filters, exam)
    daily = analytics.daily_participation(
        activity_events(viewer, filters, exam), start=start, end=end, kinds=ACTIVITY_KINDS
    )
    return {
        "filters": filters,
        "exam": exam,
        "institutions": institutions,
        "total": _clean(analytics.summary_total(people)),
        "histogram": analytics.histogram(people["percent"].dropna().tolist()),
        "daily": [{"day": row["day"], **{k: int(row[k]) for k in ACTIVITY_KINDS}} for row in daily.to_dict("records")],
        "date_from": start,
        "date_to": end,
    }


def _clean(row: dict) -> dict:
    """numpy scalars to Python numbers, NaN to None (for templates, JSON and spreadsheets)."""
    out = {}
    for key, value in row.items():
        if hasattr(value, "item"):
            value = value.item()
        if isinstance(value, float) and value != value:
            value = None
        out[key] = value
    return out


# --------------------------------------------------------------------------- follow-up lists


def followup(viewer, filters: ReportFilters) -> dict:
    """Who has not finished the required modules and who has not sat the exam (with department and phone)."""
    exam = selected_exam(viewer, filters)
    inst_id = filters.institution_id
    study = study_status(viewer, inst_id)
    users = {
        u.pk: u
        for u in roster(viewer, inst_id)
        .filter(pk__in=[pk for pk, s in study.items() if s.done < s.required])
        .select_related("institution")
        .order_by("institution__kind", "institution__name", "department", "employee_no")
    }
    not_studied = [
        {"user": u, "required": study[pk].required, "done": study[pk].done, "unfinished": study[pk].unfinished}
        for pk, u in users.items()
    ]
    not_sat = list(result_selectors.exam_absentees(exam, viewer, inst_id)) if exam is not None else []
    return {"exam": exam, "not_studied": not_studied, "not_sat": not_sat}


# --------------------------------------------------------------------------- item analysis and integrity


ANSWER_COLUMNS = [
    "attempt_id",
    "user_id",
    "institution_id",
    "question_id",
    "qtype",
    "score",
    "max_points",
    "chosen",
    "answer",
    "correct",
]


def analysed_attempts(exam: Exam, viewer, institution_id: int | None = None) -> dict[int, tuple[int, int]]:
    """{attempt id: (user id, institution id)}: for each candidate the attempt their grade comes from (Moodle
    analyses one attempt per person), read through quizzes.results.selectors.exam_results."""
    out = {}
    for row in result_selectors.exam_results(exam, viewer, institution_id):
        if row.grade is not None and row.grade.attempt is not None:
            out[row.grade.attempt.pk] = (row.user.pk, row.user.institution_id)
    return out


def graded_attempts(people: pd.DataFrame) -> dict[int, tuple[int, int]]:
    """{attempt id: (user id, institution id)} of the attempts people_frame's grades come from."""
    graded = people.loc[people["graded_attempt_id"].notna(), ["graded_attempt_id", "user_id", "institution_id"]]
    return {int(a): (int(u), int(i)) for a, u, i in graded.itertuples(index=False)}


def answer_frame(attempts: dict[int, tuple[int, int]]) -> pd.DataFrame:
    """One row per analysed attempt and paper question (unanswered questions score 0).

    Built for 100,000 rows: numbers are cast in SQL (no per-row Decimal converters), JSON columns are read as text
    and decoded once per distinct value (papers share a handful of option orders and responses), and the question
    type comes from the bank in one query."""
    if not attempts:
        return pd.DataFrame(columns=ANSWER_COLUMNS)
    base = AttemptQuestion.objects.filter(attempt_id__in=list(attempts)).annotate(
        order_raw=Cast("option_order", TextField()),
        response_raw=Cast("answer__response", TextField()),
        points_f=Cast("points", FloatField()),
        score_f=Cast("answer__score", FloatField()),
        correct_i=Cast("answer__is_correct", IntegerField()),
    )
    fields = ["attempt_id", "question_id", "points_f", "order_raw", "response_raw", "score_f", "correct_i"]
    columns = ["attempt_id", "question_id", "max_points", "order_raw", "response_raw", "score", "correct"]
    rows = list(base.filter(question__isnull=False).values_list(*fields))
    types = dict(Question.objects.filter(pk__in={r[1] for r in rows}).values_list("pk", "type"))
    # Questions deleted from the bank since: their frozen snapshot still names them.
    for row in base.filter(question__isnull=True).values_list(*fields, "snapshot__question_id", "snapshot__type"):
        if row[-2] is not None:
            rows.append((row[0], int(row[-2]), *row[2:7]))
            types.setdefault(int(row[-2]), row[-1])
    frame = pd.DataFrame.from_records(rows, columns=columns)
    if frame.empty:
        return pd.DataFrame(columns=ANSWER_COLUMNS)
    frame["qtype"] = frame["question_id"].map(types).fillna("")
    frame["score"] = frame["score"].fillna(0.0).astype("float64")
    frame["max_points"] = frame["max_points"].astype("float64")
    frame["correct"] = frame["correct"].fillna(0).astype(bool)
    owners = pd.DataFrame.from_dict(attempts, orient="index", columns=["user_id", "institution_id"])
    frame = frame.join(owners, on="attempt_id")
    keys = frame[["qtype", "order_raw", "response_raw"]].drop_duplicates()
    parsed = [_parse_answer(*key) for key in keys.itertuples(index=False)]
    keys = keys.assign(chosen=[p[0] for p in parsed], answer=[p[1] for p in parsed])
    frame = frame.merge(keys, on=["qtype", "order_raw", "response_raw"], how="left", sort=False)
    return frame[ANSWER_COLUMNS]


def _parse_answer(qtype: str, order_raw, response_raw) -> tuple[list[int], str]:
    order = json.loads(order_raw) if isinstance(order_raw, str) and order_raw else None
    response = json.loads(response_raw) if isinstance(response_raw, str) and response_raw else None
    choice = qtype in ("single", "multiple", "truefalse")
    return (analytics.bank_indexes(response, order) if choice else []), analytics.answer_key(qtype, response, order)


def item_analysis(
    exam: Exam, viewer, institution_id: int | None = None, *, answers: pd.DataFrame | None = None
) -> dict:
    """Per question: facility, discrimination, option frequencies and flags; per institution: weak categories."""
    if answers is None:
        answers = answer_frame(analysed_attempts(exam, viewer, institution_id))
    items = analytics.item_analysis(answers)
    qids = [int(q) for q in items["question_id"].tolist()]
    bank = {
        q["pk"]: q
        for q in Question.objects.filter(pk__in=qids).values("pk", "type", "stem", "options", "category__name")
    }
    choice_rows = answers.loc[answers["qtype"].isin(["single", "multiple", "truefalse"]), ["question_id", "chosen"]]
    frequencies = analytics.option_frequencies(choice_rows, {pk: len(q["options"] or []) for pk, q in bank.items()})
    rows = []
    for item in items.to_dict("records"):
        q = bank.get(int(item["question_id"]), {})
        options = q.get("options") or []
        freq = frequencies.get(item["question_id"], [])
        for entry in freq:
            entry["text"] = options[entry["option"]] if entry["option"] < len(options) else ""
        rows.append(
            {
                **_clean({k: v for k, v in item.items() if k != "flags"}),
                "question_id": int(item["question_id"]),
                "type": q.get("type", ""),
                "stem": q.get("stem", ""),
                "category": q.get("category__name") or "未分类",
                "options": freq,
                "unanswered_share": analytics.percent(
                    int(item["attempts"]) - int(item["answered"]), int(item["attempts"])
                ),
                "flags": list(item["flags"]),
                "flag_labels": [analytics.FLAG_LABELS[f] for f in item["flags"]],
            }
        )
    categories = {pk: q.get("category__name") or "未分类" for pk, q in bank.items()}
    weak_input = answers.assign(category=answers["question_id"].map(categories).fillna("未分类"))[
        ["institution_id", "category", "score", "max_points"]
    ]
    names = dict(managed_institutions(viewer).values_list("pk", "name"))
    weak = [
        {**_clean(r), "institution": names.get(r["institution_id"], "")}
        for r in analytics.weak_categories(weak_input).to_dict("records")
    ]
    return {
        "exam": exam,
        "attempts": int(answers["attempt_id"].nunique()) if len(answers) else 0,
        "items": rows,
        "categories": weak,
    }


def integrity_people(data: dict) -> int:
    """How many different people an integrity result names (for the access log)."""
    people = {r["user_id"] for r in data["fast"]} | {r["user_id"] for r in data["tab_switches"]}
    people |= {p["user_id"] for g in data["identical"] for p in g["people"]}
    return len(people)


def integrity(exam: Exam, viewer, institution_id: int | None = None, *, answers: pd.DataFrame | None = None) -> dict:
    """Implausibly fast attempts, many tab switches, identical answer sequences within one institution."""
    attempts = scope_queryset(
        Attempt.objects.filter(exam=exam, is_mock=False, state=Attempt.State.SUBMITTED), viewer, "user__institution"
    )
    if institution_id is not None:
        attempts = attempts.filter(user__institution_id=institution_id)
    data = list(
        attempts.annotate(questions=Count("paper")).values_list(
            "pk", "user_id", "started_at", "submitted_at", "tab_switches", "questions"
        )
    )
    frame = pd.DataFrame(
        data, columns=["attempt_id", "user_id", "started_at", "submitted_at", "tab_switches", "questions"]
    )
    if len(frame):
        frame["duration"] = (
            pd.to_datetime(frame["submitted_at"], utc=True) - pd.to_datetime(frame["started_at"], utc=True)
        ).dt.total_seconds()
    else:
        frame["duration"] = pd.Series(dtype="float64")
    fast = analytics.fast_attempts(frame)
    tabs = analytics.many_tab_switches(frame)
    if answers is None:
        answers = answer_frame(analysed_attempts(exam, viewer, institution_id))
    groups = analytics.identical_sequences(
        answers[["attempt_id", "institution_id", "question_id", "answer", "correct"]]
    )
    wanted = set(fast["attempt_id"]) | set(tabs["attempt_id"]) | {a for g in groups for a in g["attempt_ids"]}
    people = {a.pk: a.user for a in Attempt.objects.filter(pk__in=wanted).select_related("user", "user__institution")}

    def person(attempt_id):
        user = people[attempt_id]
        return {
            "attempt_id": int(attempt_id),
            "user_id": user.pk,
            "real_name": user.real_name,
            "employee_no": user.employee_no,
            "department": user.department,
            "institution": user.institution.name if user.institution_id else "",
        }

    return {
        "exam": exam,
        "fast": [
            {
                **person(r["attempt_id"]),
                "duration": round(float(r["duration"]), 1),
                "threshold": float(r["threshold"]),
                "questions": int(r["questions"]),
            }
            for r in fast.to_dict("records")
        ],
        "tab_switches": [
            {**person(r["attempt_id"]), "tab_switches": int(r["tab_switches"])} for r in tabs.to_dict("records")
        ],
        "identical": [
            {
                **g,
                "institution": people[g["attempt_ids"][0]].institution.name,
                "people": [person(a) for a in g["attempt_ids"]],
            }
            for g in groups
        ],
    }


__all__ = ["Institution"]


# --------------------------------------------------------------------------- the admin home page


@dataclass(frozen=True)
class Glance:
    """The figures on the admin home page: the viewer's institution (a safety officer) or the district."""

    institution: Institution | None  # the officer's institution; None for the whole district
    institutions: int
    roster: int
    required_people: int
    required_done: int
    exam: Exam | None  # the most recent exam the viewer may report on
    audience: int
    sat: int
    passed: int
    open_exams: int

    @property
    def required_share(self) -> float | None:
        return analytics.percent(self.required_done, self.required_people)

    @property
    def sat_share(self) -> float | None:
        return analytics.percent(self.sat, self.audience)

    @property
    def pass_rate(self) -> float | None:
        return analytics.percent(self.passed, self.sat)


def glance(viewer) -> Glance:
    """Counts only (no one's name): who must study and has finished, who sat the latest exam and passed, how many
    exams are open now. Cheaper than dashboard(): no per-person frame, no daily series."""
    institutions = list(report_institutions(viewer))
    people = set(roster(viewer).values_list("pk", flat=True))
    study = [s for pk, s in study_status(viewer).items() if pk in people]  # the roster, as on the dashboard
    exam = selected_exam(viewer, ReportFilters())
    rows, audience = exam_rows(exam, viewer)
    audience &= people
    sat = [r for r in rows if r.user.pk in audience]
    open_exams = result_selectors.report_exams(viewer).published().open_at(timezone.now()).count()
    return Glance(
        institution=institutions[0] if len(institutions) == 1 and not viewer.is_district_admin else None,
        institutions=len(institutions),
        roster=len(people),
        required_people=sum(1 for s in study if s.required),
        required_done=sum(1 for s in study if s.required and s.done >= s.required),
        exam=exam,
        audience=len(audience),
        sat=len(sat),
        passed=sum(1 for r in sat if r.grade is not None and r.grade.passed),
        open_exams=open_exams,
    )
