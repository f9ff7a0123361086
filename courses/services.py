"""Changes to study progress. Keyword-only, atomic; the progress row is locked where requests race
(a phone retrying heartbeats, two tabs, a double-tapped 学完了 button)."""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from courses.exceptions import InvalidHeartbeat, LessonNotAvailable, TooEarlyToComplete
from courses.models import CourseCompletion, CoursePage, LessonHeartbeat, LessonPage, LessonProgress
from courses.reading import (  # noqa: F401  (HEARTBEAT_INTERVAL, MAX_SEQ: read by the API from here)
    HEARTBEAT_INTERVAL,
    HEARTBEAT_MAX_SECONDS,
    MAX_SEQ,
    heartbeat_credit,
    remaining_seconds,
)


@dataclass(frozen=True)
class HeartbeatResult:
    progress: LessonProgress
    credited: int
    duplicate: bool


@dataclass(frozen=True)
class CompletionResult:
    progress: LessonProgress
    course_completed: bool  # True when this completion finished the module (the badge was just awarded)
    already_completed: bool


def _live_lesson(lesson: LessonPage) -> tuple[LessonPage, CoursePage]:
    if not lesson.live:
        raise LessonNotAvailable()
    course = CoursePage.objects.filter(path=lesson.path[: -LessonPage.steplen], live=True).first()
    if course is None:
        raise LessonNotAvailable()
    return lesson, course


def _live_course_id(lesson: LessonPage) -> int:
    """The module's id, if the lesson and its module are live (the hot path: heartbeats need no more)."""
    if not lesson.live:
        raise LessonNotAvailable()
    parent_path = lesson.path[: -LessonPage.steplen]
    course_id = CoursePage.objects.filter(path=parent_path, live=True).values_list("pk", flat=True).first()
    if course_id is None:
        raise LessonNotAvailable()
    return course_id


def _progress_for_update(*, user, lesson: LessonPage, course_id: int, now: datetime.datetime) -> LessonProgress:
    progress = LessonProgress.objects.select_for_update().filter(user=user, lesson=lesson).first()
    if progress is not None:
        return progress
    try:
        with transaction.atomic():
            return LessonProgress.objects.create(
                user=user, lesson=lesson, course_id=course_id, first_opened_at=now, last_seen_at=now
            )
    except IntegrityError:
        # Created by a concurrent request between our read and insert: lock that row.
        return LessonProgress.objects.select_for_update().get(user=user, lesson=lesson)


@transaction.atomic
def lesson_open(*, user, lesson: LessonPage, now: datetime.datetime | None = None) -> LessonProgress:
    """Record that `user` opened `lesson` (first time: first_opened_at)."""
    now = now or timezone.now()
    progress = _progress_for_update(user=user, lesson=lesson, course_id=_live_course_id(lesson), now=now)
    if progress.last_seen_at < now:
        progress.last_seen_at = now
        progress.save(update_fields=["last_seen_at"])
    return progress


@transaction.atomic
def lesson_heartbeat(
    *, user, lesson: LessonPage, session: str, seq: int, seconds: int, now: datetime.datetime | None = None
) -> HeartbeatResult:
    """Credit active reading time for one heartbeat (courses.reading.heartbeat_credit: per person per lesson, on the
    server's clock, across all page sessions). Idempotent per (session, seq)."""
    now = now or timezone.now()
    session = (session or "").strip()
    if not session or len(session) > 64 or not (1 <= seq <= MAX_SEQ) or not (0 <= seconds <= 3600):
        raise InvalidHeartbeat()
    progress = _progress_for_update(user=user, lesson=lesson, course_id=_live_course_id(lesson), now=now)
    if LessonHeartbeat.objects.filter(progress=progress, session=session, seq=seq).exists():
        return HeartbeatResult(progress=progress, credited=0, duplicate=True)
    credited = heartbeat_credit(
        claimed_seconds=seconds,
        since_first_open=(now - progress.first_opened_at).total_seconds(),
        credited=progress.active_seconds,
    )
    LessonHeartbeat.objects.create(
        progress=progress, session=session, seq=seq, credited_seconds=credited, received_at=now
    )
    progress.active_seconds += credited
    progress.last_seen_at = max(progress.last_seen_at, now)
    progress.save(update_fields=["active_seconds", "last_seen_at"])
    return HeartbeatResult(progress=progress, credited=credited, duplicate=False)


@transaction.atomic
def lesson_complete(
    *, user, lesson: LessonPage, reached_end: bool = False, now: datetime.datetime | None = None
) -> CompletionResult:
    """Mark `lesson` complete once the module's minimum reading time is reached, or, when the reader has reached the
    end of the lesson, once its own shorter reading time is (courses.reading.end_seconds); award the module badge
    when this was the last lesson. Repeating it changes nothing."""
    now = now or timezone.now()
    lesson, course = _live_lesson(lesson)
    progress = _progress_for_update(user=user, lesson=lesson, course_id=course.pk, now=now)
    if progress.completed_at is not None:
        return CompletionResult(progress=progress, course_completed=False, already_completed=True)
    remaining = remaining_seconds(progress, course, end_after=lesson.end_seconds(course) if reached_end else None)
    if remaining > 0:
        raise TooEarlyToComplete(remaining)
    progress.completed_at = now
    progress.last_seen_at = max(progress.last_seen_at, now)
    progress.save(update_fields=["completed_at", "last_seen_at"])
    awarded = _award_if_course_complete(user=user, course=course, now=now)
    return CompletionResult(progress=progress, course_completed=awarded, already_completed=False)


def _award_if_course_complete(*, user, course: CoursePage, now) -> bool:
    lesson_ids = set(LessonPage.objects.child_of(course).live().values_list("pk", flat=True))
    if not lesson_ids:
        return False
    done = set(
        LessonProgress.objects.filter(user=user, lesson_id__in=lesson_ids, completed_at__isnull=False).values_list(
            "lesson_id", flat=True
        )
    )
    if done != lesson_ids:
        return False
    _, created = CourseCompletion.objects.get_or_create(user=user, course=course, defaults={"completed_at": now})
    return created
