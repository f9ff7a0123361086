"""Progress services: idempotent heartbeats (duplicates, out of order, batches after a dropout, caps),
completion after the minimum reading time, module percentage and the badge."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from courses import selectors, services
from courses.exceptions import InvalidHeartbeat, LessonNotAvailable, TooEarlyToComplete
from courses.models import CourseCompletion, LessonHeartbeat, LessonProgress
from tests.courses.factories import lessons_of, make_course

T0 = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)


def at(seconds):
    return T0 + datetime.timedelta(seconds=seconds)


@pytest.fixture
def course(db):
    return make_course(lessons=2, min_reading_seconds=60)


@pytest.fixture
def lesson(course):
    return lessons_of(course)[0]


@pytest.fixture(autouse=True)
def opened_at_zero(request):
    """Heartbeats come from a page that was opened (the page view, or the lesson API, records it): credit is counted
    from then. Tests that look at a lesson opened at T0 get it opened for staff_a."""
    if "lesson" in request.fixturenames and "staff_a" in request.fixturenames:
        services.lesson_open(
            user=request.getfixturevalue("staff_a"), lesson=request.getfixturevalue("lesson"), now=at(0)
        )


def beat(user, lesson, seq, seconds=15, when=0, session="s1"):
    return services.lesson_heartbeat(user=user, lesson=lesson, session=session, seq=seq, seconds=seconds, now=at(when))


def test_open_records_first_opened_once(staff_a, lesson):
    services.lesson_open(user=staff_a, lesson=lesson, now=at(0))
    progress = services.lesson_open(user=staff_a, lesson=lesson, now=at(100))
    assert progress.first_opened_at == at(0) and progress.last_seen_at == at(100)
    assert LessonProgress.objects.count() == 1


def test_heartbeats_accumulate(staff_a, lesson):
    services.lesson_open(user=staff_a, lesson=lesson, now=at(0))
    for seq in range(1, 5):
        beat(staff_a, lesson, seq, when=15 * seq)
    assert LessonProgress.objects.get().active_seconds == 60


def test_duplicate_heartbeat_is_not_counted_twice(staff_a, lesson):
    first = beat(staff_a, lesson, 1, when=15)
    again = beat(staff_a, lesson, 1, when=16)  # the phone retried: same session and seq
    assert first.credited == 15 and not first.duplicate
    assert again.credited == 0 and again.duplicate
    assert LessonProgress.objects.get().active_seconds == 15
    assert LessonHeartbeat.objects.count() == 1


def test_out_of_order_heartbeats_count_once_each(staff_a, lesson):
    beat(staff_a, lesson, 1, when=15)
    beat(staff_a, lesson, 3, when=45)
    beat(staff_a, lesson, 2, when=46)  # delayed on the network, arrives after 3
    beat(staff_a, lesson, 3, when=47)  # and 3 again
    beat(staff_a, lesson, 2, when=48)
    assert LessonProgress.objects.get().active_seconds == 45


def test_burst_cannot_claim_more_than_wall_clock(staff_a, lesson):
    """A client sending 100 beats at once gets at most one capped interval, not 100 x 15 s."""
    results = [beat(staff_a, lesson, seq, seconds=15, when=1) for seq in range(1, 101)]
    total = LessonProgress.objects.get().active_seconds
    assert total == sum(r.credited for r in results)
    assert total <= 1 + services.HEARTBEAT_MAX_SECONDS


def test_queued_beats_after_a_dropout_are_credited_within_wall_clock(staff_a, lesson):
    beat(staff_a, lesson, 1, when=15)
    # Offline from 15 s to 120 s: beats 2..7 were queued and now arrive together.
    for seq in range(2, 8):
        beat(staff_a, lesson, seq, when=120)
    assert LessonProgress.objects.get().active_seconds == 7 * 15


def test_single_heartbeat_is_capped(staff_a, lesson):
    result = beat(staff_a, lesson, 1, seconds=3600, when=3600)
    assert result.credited == services.HEARTBEAT_MAX_SECONDS


def test_separate_sessions_are_separate_windows(staff_a, lesson):
    beat(staff_a, lesson, 1, when=15, session="tab-a")
    beat(staff_a, lesson, 1, when=30, session="tab-b")  # same seq, another page view: a different interval
    assert LessonProgress.objects.get().active_seconds == 30


def test_two_sessions_at_once_count_the_time_once(staff_a, lesson):
    """Two tabs (or a phone and a computer) open on the same lesson for a minute: a minute of credit, not two."""
    for seq in range(1, 5):
        beat(staff_a, lesson, seq, when=15 * seq, session="tab-a")
        beat(staff_a, lesson, seq, when=15 * seq, session="tab-b")
    assert LessonProgress.objects.get().active_seconds == 60


def test_a_new_session_id_per_heartbeat_earns_no_more_than_the_clock(staff_a, course):
    """The attack that completed a 4-lesson module (60 s minimum each) in 0.7 s: every heartbeat under a new page-
    session id claimed 30 s at once. Credit is per person per lesson from the server's clock across sessions."""
    for n, lesson in enumerate(lessons_of(course)):
        services.lesson_open(user=staff_a, lesson=lesson, now=at(n))
        for seq in range(1, 21):
            beat(staff_a, lesson, 1, seconds=30, when=n + 0.35, session=f"forged-{seq}")
        assert LessonProgress.objects.get(lesson=lesson).active_seconds == 0
        with pytest.raises(TooEarlyToComplete):
            services.lesson_complete(user=staff_a, lesson=lesson, now=at(n + 0.7))
    assert not CourseCompletion.objects.exists()


def test_credit_never_exceeds_the_time_since_the_lesson_was_first_opened(staff_a, lesson):
    for seq in range(1, 40):
        beat(staff_a, lesson, seq, seconds=30, when=100, session=f"s{seq % 3}")
    assert LessonProgress.objects.get().active_seconds == 100


@pytest.mark.parametrize(("session", "seq", "seconds"), [("", 1, 15), ("s", 0, 15), ("s", 1, -1), ("x" * 65, 1, 15)])
def test_invalid_heartbeats_are_refused(staff_a, lesson, session, seq, seconds):
    with pytest.raises(InvalidHeartbeat):
        services.lesson_heartbeat(user=staff_a, lesson=lesson, session=session, seq=seq, seconds=seconds)


def test_complete_needs_minimum_reading_time(staff_a, lesson):
    beat(staff_a, lesson, 1, when=15)
    with pytest.raises(TooEarlyToComplete) as exc:
        services.lesson_complete(user=staff_a, lesson=lesson, now=at(20))
    assert exc.value.remaining_seconds == 45
    for seq in range(2, 5):
        beat(staff_a, lesson, seq, when=15 * seq)
    result = services.lesson_complete(user=staff_a, lesson=lesson, now=at(61))
    assert result.progress.completed_at == at(61) and not result.course_completed
    again = services.lesson_complete(user=staff_a, lesson=lesson, now=at(90))
    assert again.already_completed and again.progress.completed_at == at(61)


def test_course_percentage_and_badge(staff_a, course):
    first, second = lessons_of(course)
    assert selectors.course_progress(user=staff_a, course=course).percent == 0
    for n, lesson in enumerate((first, second)):
        services.lesson_open(user=staff_a, lesson=lesson, now=at(1000 * n))
        for seq in range(1, 5):
            beat(staff_a, lesson, seq, when=1000 * n + 15 * seq, session=f"s{n}")
    services.lesson_complete(user=staff_a, lesson=first, now=at(500))
    progress = selectors.course_progress(user=staff_a, course=course)
    assert (progress.done, progress.total, progress.percent, progress.status) == (1, 2, 50, "in_progress")
    assert not CourseCompletion.objects.exists()
    result = services.lesson_complete(user=staff_a, lesson=second, now=at(2000))
    assert result.course_completed
    assert CourseCompletion.objects.get(user=staff_a, course=course).completed_at == at(2000)
    progress = selectors.course_progress(user=staff_a, course=course)
    assert (progress.percent, progress.status) == (100, "completed")


def test_unpublished_lesson_records_nothing(staff_a, lesson):
    lesson.unpublish()
    lesson.refresh_from_db()
    with pytest.raises(LessonNotAvailable):
        beat(staff_a, lesson, 1)


def test_continue_where_you_left_off(staff_a, course):
    first, second = lessons_of(course)
    assert selectors.continue_lesson(user=staff_a) is None
    with time_machine.travel(at(0), tick=False):
        services.lesson_open(user=staff_a, lesson=first)
    section = selectors.continue_lesson(user=staff_a)
    assert section["lesson"].pk == first.pk and section["course"].pk == course.pk
    for seq in range(1, 5):
        beat(staff_a, first, seq, when=15 * seq)
    services.lesson_complete(user=staff_a, lesson=first, now=at(100))
    assert selectors.continue_lesson(user=staff_a)["lesson"].pk == second.pk


def test_required_modules(staff_a, staff_b, officer_a, inst_a):
    from courses.models import CoursePage

    everyone = make_course(title="全员必学", required=CoursePage.Required.ALL)
    chosen = make_course(title="甲院必学", required=CoursePage.Required.CHOSEN)
    chosen.required_institutions.add(inst_a)
    chosen.save_revision().publish()
    officers = make_course(title="安全员必学", required=CoursePage.Required.CHOSEN, required_roles=["officer"])
    optional = make_course(title="选学")
    ids = lambda user: {c.pk for c in selectors.required_courses(user=user)}  # noqa: E731
    assert ids(staff_a) == {everyone.pk, chosen.pk}
    assert ids(staff_b) == {everyone.pk}
    assert ids(officer_a) == {everyone.pk, chosen.pk, officers.pk}
    assert optional.pk not in ids(officer_a)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_heartbeats_count_once(staff_a):
    """Ten threads send the same beat at the same moment (a flaky network retrying): it is credited once."""
    import threading

    from django.db import connection

    course = make_course(lessons=1)
    lesson = lessons_of(course)[0]
    services.lesson_open(user=staff_a, lesson=lesson, now=timezone.now() - datetime.timedelta(minutes=1))
    barrier = threading.Barrier(10)
    errors = []

    def send():
        try:
            barrier.wait()
            services.lesson_heartbeat(
                user=staff_a, lesson=lesson, session="race", seq=1, seconds=15, now=timezone.now()
            )
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert LessonProgress.objects.get(user=staff_a, lesson=lesson).active_seconds == 15
    assert LessonHeartbeat.objects.filter(session="race").count() == 1
