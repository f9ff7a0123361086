"""Reads across study rows: module progress, required modules, where to continue, an institution's report."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, Sum
from django.utils.translation import gettext as _

from courses.models import CourseCompletion, CoursePage, LessonPage, LessonProgress
from courses.reading import HEARTBEAT_INTERVAL, remaining_seconds
from elearn.org.models import User
from elearn.org.permissions import can_manage_institution, managed_users


@dataclass
class CourseProgress:
    course: CoursePage
    total: int = 0
    done: int = 0
    active_seconds: int = 0
    started: bool = False
    last_seen_at: datetime.datetime | None = None
    completed_at: datetime.datetime | None = None  # the badge
    required: bool = False
    lesson_ids: list[int] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def active_minutes(self) -> int:
        return self.active_seconds // 60

    @property
    def status(self) -> str:
        if self.completed_at or (self.total and self.done >= self.total):
            return "completed"
        return "in_progress" if self.started else "not_started"


def live_courses():
    return CoursePage.objects.live().public().select_related("cover").order_by("path")


def live_lesson_ids_by_course(courses) -> dict[int, list[int]]:
    """{course id: [live lesson ids in page order]} in one query."""
    by_path = {c.path: c.pk for c in courses}
    if not by_path:
        return {}
    depths = {c.depth + 1 for c in courses}
    result: dict[int, list[int]] = {pk: [] for pk in by_path.values()}
    lessons = LessonPage.objects.live().filter(depth__in=depths).order_by("path").values_list("pk", "path")
    for pk, path in lessons:
        parent = by_path.get(path[: -LessonPage.steplen])
        if parent is not None:
            result[parent].append(pk)
    return result


def courses_progress(*, user, courses) -> list[CourseProgress]:
    courses = list(courses)
    lesson_map = live_lesson_ids_by_course(courses)
    items = {c.pk: CourseProgress(course=c, total=len(lesson_map[c.pk]), lesson_ids=lesson_map[c.pk]) for c in courses}
    if not getattr(user, "is_authenticated", False):
        return list(items.values())
    all_ids = [pk for ids in lesson_map.values() for pk in ids]
    rows = (
        LessonProgress.objects.filter(user=user, lesson_id__in=all_ids)
        .values("course_id")
        .annotate(
            done=Count("pk", filter=Q(completed_at__isnull=False)),
            seconds=Sum("active_seconds"),
            last=Max("last_seen_at"),
        )
    )
    for row in rows:
        item = items[row["course_id"]]
        item.done, item.active_seconds, item.last_seen_at, item.started = (
            row["done"],
            row["seconds"] or 0,
            row["last"],
            True,
        )
    for course_id, completed_at in CourseCompletion.objects.filter(user=user, course_id__in=items).values_list(
        "course_id", "completed_at"
    ):
        items[course_id].completed_at = completed_at
    for item in items.values():
        item.required = item.course.is_required_for(user)
    return list(items.values())


def course_progress(*, user, course: CoursePage) -> CourseProgress:
    return courses_progress(user=user, courses=[course])[0]


def required_courses(*, user) -> list[CoursePage]:
    return [c for c in live_courses().prefetch_related("required_institutions") if c.is_required_for(user)]


def my_study(*, user) -> list[CourseProgress]:
    """我的学习: required modules first (not finished before finished), then modules already started."""
    items = [p for p in courses_progress(user=user, courses=live_courses()) if p.required or p.started]
    items.sort(key=lambda p: (not p.required, p.status == "completed", p.course.path))
    return items


def continue_lesson(*, user) -> dict | None:
    """The lesson to continue: the most recent one opened in a module not yet finished, else None."""
    if not getattr(user, "is_authenticated", False):
        return None
    finished = CourseCompletion.objects.filter(user=user).values("course_id")
    recent = (
        LessonProgress.objects.filter(user=user, lesson__live=True, course__live=True)
        .exclude(course_id__in=finished)
        .select_related("lesson", "course")
        .order_by("-last_seen_at")
        .first()
    )
    if recent is None:
        return None
    course = recent.course
    progress = course_progress(user=user, course=course)
    lesson = recent.lesson
    if recent.completed_at:
        lesson = next_lesson(user=user, course=course) or lesson
    return {"course": course, "lesson": lesson, "progress": progress}


def next_lesson(*, user, course: CoursePage) -> LessonPage | None:
    """The first live lesson of `course` that `user` has not completed."""
    done = LessonProgress.objects.filter(user=user, course=course, completed_at__isnull=False).values("lesson_id")
    return LessonPage.objects.child_of(course).live().exclude(pk__in=done).order_by("path").first()


def lesson_progress(*, user, lesson: LessonPage) -> LessonProgress | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return LessonProgress.objects.filter(user=user, lesson=lesson).first()


# --- page contexts ----------------------------------------------------------------------------------------


def course_index_context(*, user, index_page, kind: str | None = None) -> dict:
    courses = CoursePage.objects.child_of(index_page).live().public().select_related("cover").order_by("path")
    if kind in CoursePage.Kind.values:
        courses = courses.filter(kind=kind)
    items = courses_progress(user=user, courses=courses.prefetch_related("required_institutions"))
    items.sort(key=lambda p: (not p.required, p.course.path))
    return {"items": items, "kinds": CoursePage.Kind.choices, "current_kind": kind}


def course_context(*, user, course: CoursePage) -> dict:
    progress = course_progress(user=user, course=course)
    lessons = list(LessonPage.objects.child_of(course).live().order_by("path"))
    done = set()
    if getattr(user, "is_authenticated", False):
        done = set(
            LessonProgress.objects.filter(user=user, course=course, completed_at__isnull=False).values_list(
                "lesson_id", flat=True
            )
        )
    resume = next((lesson for lesson in lessons if lesson.pk not in done), None)
    return {"progress": progress, "lessons": [(lesson, lesson.pk in done) for lesson in lessons], "resume": resume}


def lesson_context(*, user, lesson: LessonPage, course: CoursePage) -> dict:
    progress = lesson_progress(user=user, lesson=lesson)
    siblings = list(LessonPage.objects.child_of(course).live().order_by("path").only("pk", "title", "url_path"))
    index = next((i for i, s in enumerate(siblings) if s.pk == lesson.pk), 0)
    return {
        "course": course,
        "course_progress": course_progress(user=user, course=course),
        "lesson_progress": progress,
        "remaining_seconds": remaining_seconds(progress, course),
        # for a reader who has reached the end of the lesson (the page tells when): its own, shorter reading time
        "remaining_at_end_seconds": remaining_seconds(progress, course, end_after=lesson.end_seconds(course)),
        "heartbeat_interval": HEARTBEAT_INTERVAL,
        "previous_lesson": siblings[index - 1] if index > 0 else None,
        "next_lesson": siblings[index + 1] if index + 1 < len(siblings) else None,
        "lesson_number": index + 1,
        "lesson_count": len(siblings),
    }


# --- officers' report ------------------------------------------------------------------------------------


STATUS_LABELS = {"not_started": "未开始", "in_progress": "学习中", "completed": "已完成"}


@dataclass
class ReportRow:
    user: User
    course: CoursePage
    progress: CourseProgress

    @property
    def status_label(self) -> str:
        return _(STATUS_LABELS[self.progress.status])


def institution_progress(
    *, viewer, institution_id: int | None = None, course_id: int | None = None, status: str | None = None
) -> list[ReportRow]:
    """Study progress of the staff `viewer` looks after (an officer: their institution; the district admin: all),
    one row per person per module that is required for them (or that they have started)."""
    users = managed_users(viewer).filter(is_active=True).select_related("institution")
    if institution_id is not None:
        if not can_manage_institution(viewer, institution_id):
            return []
        users = users.filter(institution_id=institution_id)
    courses = list(live_courses().prefetch_related("required_institutions"))
    if course_id is not None:
        courses = [c for c in courses if c.pk == course_id]
    lesson_map = live_lesson_ids_by_course(courses)
    all_ids = [pk for ids in lesson_map.values() for pk in ids]
    users = list(users.order_by("institution__name", "employee_no"))
    user_ids = [u.pk for u in users]
    stats = defaultdict(dict)
    for row in (
        LessonProgress.objects.filter(user_id__in=user_ids, lesson_id__in=all_ids)
        .values("user_id", "course_id")
        .annotate(
            done=Count("pk", filter=Q(completed_at__isnull=False)),
            seconds=Sum("active_seconds"),
            last=Max("last_seen_at"),
        )
    ):
        stats[row["user_id"]][row["course_id"]] = row
    badges = {
        (u, c): at
        for u, c, at in CourseCompletion.objects.filter(user_id__in=user_ids, course__in=courses).values_list(
            "user_id", "course_id", "completed_at"
        )
    }
    rows = []
    for user in users:
        for course in courses:
            stat = stats[user.pk].get(course.pk)
            required = course.is_required_for(user)
            if not required and stat is None:
                continue
            progress = CourseProgress(course=course, total=len(lesson_map[course.pk]), required=required)
            if stat:
                progress.started, progress.done = True, stat["done"]
                progress.active_seconds, progress.last_seen_at = stat["seconds"] or 0, stat["last"]
            progress.completed_at = badges.get((user.pk, course.pk))
            if status and progress.status != status:
                continue
            rows.append(ReportRow(user=user, course=course, progress=progress))
    return rows


REPORT_HEADER = [
    "单位",
    "科室",
    "工号",
    "姓名",
    "模块",
    "必修",
    "状态",
    "完成课时",
    "总课时",
    "进度%",
    "学习分钟",
    "最近学习",
    "完成时间",
]


def report_table(rows: list[ReportRow]) -> list[list]:
    from django.utils import timezone

    def when(value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

    return [
        [
            r.user.institution.name if r.user.institution else "",
            r.user.department,
            r.user.employee_no,
            r.user.real_name,
            r.course.title,
            "是" if r.progress.required else "否",
            STATUS_LABELS[r.progress.status],
            r.progress.done,
            r.progress.total,
            r.progress.percent,
            r.progress.active_minutes,
            when(r.progress.last_seen_at),
            when(r.progress.completed_at),
        ]
        for r in rows
    ]


def report_institutions(viewer):
    from elearn.org.permissions import managed_institutions

    return managed_institutions(viewer).order_by("kind", "name")


def law_article_url(*, law_title: str, number: int) -> str | None:
    """Where article `number` of the statute `law_title` (e.g. 中华人民共和国安全生产法) is studied, if imported."""
    course = CoursePage.objects.live().filter(law_title=law_title).first()
    return course.article_url(number) if course else None
