"""/api/v1/ study endpoints: courses, lessons with blocks as JSON, heartbeats, completion, my progress, schema."""

import datetime
import json
import uuid

import pytest
from django.utils import timezone

from courses.models import CoursePage, LessonProgress
from tests.courses.factories import lessons_of, make_course, make_lesson


@pytest.fixture
def course(db):
    return make_course(title="消防法学习", lessons=2, min_reading_seconds=30, required=CoursePage.Required.ALL)


def test_courses_list_and_detail(api_for, staff_a, course):
    api = api_for(staff_a)
    data = api.get("/api/v1/courses/").json()
    item = next(c for c in data if c["id"] == course.pk)
    assert item["required"] is True and item["progress"]["total"] == 2 and item["progress"]["status"] == "not_started"
    detail = api.get(f"/api/v1/courses/{course.pk}/").json()
    assert [lesson["title"] for lesson in detail["lessons"]] == ["第1课", "第2课"]


def test_lesson_blocks_as_structured_json(api_for, staff_a, course):
    body = [
        {
            "type": "law_article",
            "id": str(uuid.uuid4()),
            "value": {
                "law_name": "中华人民共和国消防法",
                "number": "第四十四条",
                "text": "任何人发现火灾都应当立即报警。\n第二款。",
                "key_point": "立即报警",
            },
        },
        {
            "type": "steps",
            "id": str(uuid.uuid4()),
            "value": {"title": "灭火器", "steps": [{"title": "提", "text": ""}, {"title": "拔", "text": ""}]},
        },
        {"type": "key_points", "id": str(uuid.uuid4()), "value": {"title": "要点", "points": ["一", "二"]}},
    ]
    lesson = make_lesson(course, title="法条课", slug="law", body=body)
    data = api_for(staff_a).get(f"/api/v1/lessons/{lesson.pk}/").json()
    assert [b["type"] for b in data["body"]] == ["law_article", "steps", "key_points"]
    article = data["body"][0]["value"]
    assert article["anchor"] == "article-44" and article["article"] == 44
    assert article["paragraphs"] == ["任何人发现火灾都应当立即报警。", "第二款。"]
    assert data["body"][1]["value"]["steps"][1]["title"] == "拔"
    assert data["progress"]["remaining_seconds"] == 30


def test_heartbeat_then_complete(api_for, staff_a, course):
    api = api_for(staff_a)
    lesson = lessons_of(course)[0]
    url = f"/api/v1/lessons/{lesson.pk}/"
    early = api.post(url + "complete/")
    assert early.status_code == 400 and early.json()["error"] == "too_early" and early.json()["remaining_seconds"] == 30
    assert api.get(url).status_code == 200  # reading the lesson opens it: credit is counted from then
    # A minute passes (credit never exceeds the server's time since the lesson was first opened).
    LessonProgress.objects.filter(user=staff_a).update(first_opened_at=timezone.now() - datetime.timedelta(minutes=1))
    first = api.post(url + "heartbeat/", {"session": "abc", "seq": 1, "seconds": 15}, format="json").json()
    repeat = api.post(url + "heartbeat/", {"session": "abc", "seq": 1, "seconds": 15}, format="json").json()
    assert first["credited"] == 15 and repeat["duplicate"] is True and repeat["active_seconds"] == 15
    second = api.post(url + "heartbeat/", {"session": "abc", "seq": 2, "seconds": 15}, format="json").json()
    assert second["active_seconds"] == 30 and second["remaining_seconds"] == 0
    done = api.post(url + "complete/").json()
    assert done["course_progress"]["percent"] == 50 and done["course_completed"] is False
    mine = api.get("/api/v1/my-progress/").json()
    assert next(c for c in mine if c["id"] == course.pk)["progress"]["percent"] == 50


def test_bad_heartbeat_is_400(api_for, staff_a, course):
    lesson = lessons_of(course)[0]
    response = api_for(staff_a).post(
        f"/api/v1/lessons/{lesson.pk}/heartbeat/", {"session": "", "seq": 0}, format="json"
    )
    assert response.status_code == 400


def test_anonymous_is_refused(client, course):
    assert client.get("/api/v1/courses/").status_code == 403


def test_unpublished_lesson_is_404(api_for, staff_a, course):
    lesson = lessons_of(course)[0]
    lesson.unpublish()
    assert api_for(staff_a).get(f"/api/v1/lessons/{lesson.pk}/").status_code == 404


def test_schema_documents_study_endpoints(api_for, staff_a):
    from django.test import Client

    response = Client().get("/api/schema/", HTTP_ACCEPT="application/json")
    schema = json.loads(response.content) if response["Content-Type"].startswith("application/json") else None
    if schema is None:
        import yaml

        schema = yaml.safe_load(response.content)
    paths = schema["paths"]
    for path in [
        "/api/v1/courses/",
        "/api/v1/courses/{id}/",
        "/api/v1/lessons/{id}/",
        "/api/v1/lessons/{id}/heartbeat/",
        "/api/v1/lessons/{id}/complete/",
        "/api/v1/my-progress/",
        "/api/v1/study-progress/",
        "/api/v1/self-check/",
    ]:
        assert path in paths, path
    heartbeat = paths["/api/v1/lessons/{id}/heartbeat/"]["post"]
    assert "requestBody" in heartbeat
