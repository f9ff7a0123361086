"""Builders for study pages in tests (Wagtail pages are trees, so these are functions rather than factories)."""

import json
import uuid

from content.demo import seed_home
from courses.models import CourseIndexPage, CoursePage, LessonPage


def publish(page):
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def home_page():
    return seed_home()


def make_index(home=None) -> CourseIndexPage:
    home = home or home_page()
    index = CourseIndexPage.objects.first()
    if index is None:
        index = CourseIndexPage(title="学习", slug="study")
        home.add_child(instance=index)
        publish(index)
    return index


def paragraph(text: str) -> dict:
    return {"type": "paragraph", "value": f"<p>{text}</p>", "id": str(uuid.uuid4())}


def make_course(index=None, *, title="消防安全", slug=None, lessons=2, min_reading_seconds=60, **fields) -> CoursePage:
    index = index or make_index()
    course = CoursePage(
        title=title, slug=slug or f"c-{uuid.uuid4().hex[:8]}", min_reading_seconds=min_reading_seconds, **fields
    )
    index.add_child(instance=course)
    publish(course)
    for n in range(1, lessons + 1):
        make_lesson(course, title=f"第{n}课", slug=f"lesson-{n}")
    return course


def make_lesson(course, *, title="第1课", slug="lesson-1", body=None) -> LessonPage:
    lesson = LessonPage(title=title, slug=slug, body=json.dumps(body or [paragraph("发现火情，立即报警。")]))
    course.add_child(instance=lesson)
    return publish(lesson)


def lessons_of(course) -> list[LessonPage]:
    return list(LessonPage.objects.child_of(course).live().order_by("path"))
