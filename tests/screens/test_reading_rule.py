"""学完了 unlocks after the module's minimum reading time, or, for a reader who has reached the end of the lesson,
after the lesson's own reading time when that is shorter (README, study section). A two-paragraph lesson made its
reader wait the module's 60 s, and reaching its end unlocked nothing."""

import datetime

import pytest
from django.test import Client
from wagtail.rich_text import RichText

from courses import reading, services
from courses.exceptions import TooEarlyToComplete
from courses.models import LessonProgress
from tests.courses.factories import make_course, make_lesson, paragraph

T0 = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)
SHORT = "发现火灾，先报警，再扑救初起火灾，组织病人疏散。"  # 24 characters: 10 s at the end
LONG = "医院属于人员密集场所，病人行动不便，一旦发生火灾，疏散难度大。" * 40  # 1,240 characters: 124 s


def at(seconds):
    return T0 + datetime.timedelta(seconds=seconds)


# --- the pure rule -------------------------------------------------------------------------------------------


def test_text_characters_counts_readable_text_only():
    raw = [
        {"type": "paragraph", "id": "p1", "value": "<p>先报警，<b>再</b>扑救&nbsp;初起火灾。</p>"},
        {"type": "video", "id": "v1", "value": {"embed": "https://example.org/v/123", "title": "灭火器", "poster": 7}},
        {"type": "callout", "id": "c1", "value": {"kind": "warning", "title": "注意", "body": "<p>不乘电梯</p>"}},
        {"type": "key_points", "id": "k", "value": {"points": [{"type": "item", "id": "i1", "value": "低姿捂鼻"}]}},
    ]
    # 先报警，再扑救初起火灾。 (12) + 灭火器 (3) + 注意 (2) + 不乘电梯 (4) + 低姿捂鼻 (4)
    assert reading.text_characters(raw) == 25


@pytest.mark.parametrize(
    "characters,minimum,expected",
    [
        (24, 60, 10),  # never under MIN_END_SECONDS
        (300, 60, 30),  # 10 characters a second
        (301, 60, 31),
        (1240, 60, 60),  # never over the module's minimum
        (300, 20, 20),
    ],
)
def test_end_seconds(characters, minimum, expected):
    assert reading.end_seconds(characters=characters, min_reading_seconds=minimum) == expected


class _Course:
    min_reading_seconds = 60


class _Progress:
    def __init__(self, seconds):
        self.active_seconds = seconds


def test_remaining_seconds_with_and_without_the_end():
    assert reading.remaining_seconds(_Progress(12), _Course()) == 48
    assert reading.remaining_seconds(_Progress(12), _Course(), end_after=10) == 0
    assert reading.remaining_seconds(_Progress(4), _Course(), end_after=10) == 6
    assert reading.remaining_seconds(None, _Course(), end_after=90) == 60  # the end never asks for more


# --- the service ---------------------------------------------------------------------------------------------


@pytest.fixture
def course(db):
    return make_course(lessons=0, min_reading_seconds=60)


def _read(user, lesson, seconds):
    services.lesson_open(user=user, lesson=lesson, now=at(0))
    services.lesson_heartbeat(user=user, lesson=lesson, session="s", seq=1, seconds=seconds, now=at(seconds))


def test_a_short_lesson_read_to_the_end_completes_before_the_module_minimum(staff_a, course):
    lesson = make_lesson(course, slug="short", body=[paragraph(SHORT)])
    assert lesson.end_seconds(course) == 10
    _read(staff_a, lesson, 12)
    with pytest.raises(TooEarlyToComplete) as early:
        services.lesson_complete(user=staff_a, lesson=lesson, now=at(12))  # not at the end: the module's 60 s
    assert early.value.remaining_seconds == 48
    result = services.lesson_complete(user=staff_a, lesson=lesson, reached_end=True, now=at(12))
    assert result.progress.completed_at == at(12)


def test_reaching_the_end_of_a_long_lesson_still_needs_the_module_minimum(staff_a, course):
    lesson = make_lesson(course, slug="long", body=[paragraph(LONG)])
    assert lesson.end_seconds(course) == 60
    _read(staff_a, lesson, 30)
    with pytest.raises(TooEarlyToComplete) as early:
        services.lesson_complete(user=staff_a, lesson=lesson, reached_end=True, now=at(30))
    assert early.value.remaining_seconds == 30
    assert LessonProgress.objects.get().completed_at is None


def test_the_end_rule_still_needs_the_lessons_own_time(staff_a, course):
    lesson = make_lesson(course, slug="short", body=[paragraph(SHORT)])
    _read(staff_a, lesson, 4)
    with pytest.raises(TooEarlyToComplete) as early:
        services.lesson_complete(user=staff_a, lesson=lesson, reached_end=True, now=at(4))
    assert early.value.remaining_seconds == 6


# --- the API and the page ------------------------------------------------------------------------------------


def test_api_reports_both_waits_and_completes_at_the_end(api_for, staff_a, course, time_machine):
    lesson = make_lesson(course, slug="short", body=[paragraph(SHORT)])
    api = api_for(staff_a)
    time_machine.move_to(at(0), tick=False)
    detail = api.get(f"/api/v1/lessons/{lesson.pk}/").json()["progress"]
    assert detail["remaining_seconds"] == 60 and detail["remaining_at_end_seconds"] == 10
    time_machine.move_to(at(12), tick=False)
    beat = api.post(f"/api/v1/lessons/{lesson.pk}/heartbeat/", {"session": "s", "seq": 1, "seconds": 12}, format="json")
    assert beat.json()["remaining_seconds"] == 48 and beat.json()["remaining_at_end_seconds"] == 0
    early = api.post(f"/api/v1/lessons/{lesson.pk}/complete/", {}, format="json")
    assert early.status_code == 400 and early.json()["remaining_seconds"] == 48
    done = api.post(f"/api/v1/lessons/{lesson.pk}/complete/", {"reached_end": True}, format="json")
    assert done.status_code == 200 and done.json()["completed_at"]


def test_the_lesson_page_carries_the_end_wait(staff_a, course):
    lesson = make_lesson(course, slug="short", body=[paragraph(SHORT)])
    client = Client()
    client.force_login(staff_a)
    html = client.get(lesson.url).content.decode()
    assert 'data-remaining="60"' in html and 'data-remaining-at-end="10"' in html
    assert "data-lesson-end" in html and "data-ready-end=" in html


def test_the_count_follows_the_published_content(course):
    lesson = make_lesson(course, slug="short", body=[paragraph(SHORT)])
    assert lesson.text_characters == 24
    lesson.body = [("paragraph", RichText(f"<p>{LONG}</p>"))]
    lesson.save_revision()  # a draft changes nothing readers see
    lesson.refresh_from_db()
    assert lesson.text_characters == 24
    lesson.body = [("paragraph", RichText(f"<p>{LONG}</p>"))]
    lesson.save_revision().publish()
    lesson.refresh_from_db()
    assert lesson.text_characters == 1240 and lesson.end_seconds(course) == 60
