"""Study pages as people see them: the 学习 tab, a lesson, the 学完了 button without JavaScript, 我的学习,
the home page's continue section and the 我的 page's study section."""

import pytest

from courses import services
from courses.models import CoursePage, LessonProgress
from tests.courses.factories import lessons_of, make_course


@pytest.fixture
def course(db):
    return make_course(title="消防法学习笔记", lessons=2, min_reading_seconds=30, required=CoursePage.Required.ALL)


def test_study_tab_is_in_the_navigation(client_for, staff_a, course):
    html = client_for(staff_a).get("/study/").content.decode()
    assert 'href="/study/"' in html and "消防法学习笔记" in html and "必学" in html


def test_lesson_records_opening_and_locks_the_button(client_for, staff_a, course):
    lesson = lessons_of(course)[0]
    html = client_for(staff_a).get(lesson.url).content.decode()
    assert LessonProgress.objects.filter(user=staff_a, lesson=lesson).exists()
    assert "data-complete-button" in html and 'data-remaining="30"' in html and "disabled" in html


def test_anonymous_reader_sees_the_lesson_but_nothing_is_recorded(client, course):
    lesson = lessons_of(course)[0]
    html = client.get(lesson.url).content.decode()
    assert "登录后记录学习进度" in html and not LessonProgress.objects.exists()


def test_complete_form_without_javascript(client_for, staff_a, course):
    first, second = lessons_of(course)
    client = client_for(staff_a)
    client.get(first.url)
    early = client.post(f"/study/lessons/{first.pk}/complete/", follow=True)
    assert "还需认真学习" in early.content.decode()
    LessonProgress.objects.filter(user=staff_a, lesson=first).update(active_seconds=30)
    response = client.post(f"/study/lessons/{first.pk}/complete/")
    assert response.status_code == 302 and response["Location"] == second.url
    assert LessonProgress.objects.get(user=staff_a, lesson=first).completed_at is not None


def test_my_study_home_section_and_me_section(client_for, staff_a, course):
    from content.demo import seed_home

    seed_home()
    first = lessons_of(course)[0]
    client = client_for(staff_a)
    services.lesson_open(user=staff_a, lesson=first)
    home = client.get("/").content.decode()
    assert "继续学习" in home and first.title in home
    mine = client.get("/study/mine/").content.decode()
    assert "消防法学习笔记" in mine and "必学" in mine
    me = client.get("/me/").content.decode()
    assert "/study/mine/" in me


def test_badge_shown_after_module_completion(client_for, staff_a, db):
    course = make_course(title="短模块", lessons=1, min_reading_seconds=0)
    services.lesson_complete(user=staff_a, lesson=lessons_of(course)[0])
    html = client_for(staff_a).get("/study/mine/").content.decode()
    assert "学习徽章" in html and "短模块" in html


def test_law_import_admin_view(client_for, district_admin, officer_a, db):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.courses.factories import make_index

    make_index()
    text = "# 示例办法\n\n## 第一章 总则\n\n第一条 为了示例。\n\n第二条 适用范围。\n".encode()
    officer = client_for(officer_a)
    assert officer.get("/admin/courses/import-law/").status_code in (302, 403)
    client = client_for(district_admin)
    preview = client.post(
        "/admin/courses/import-law/", {"file": SimpleUploadedFile("示例办法.md", text), "dry_run": "on"}
    )
    assert preview.status_code == 200 and not CoursePage.objects.filter(law_title="示例办法").exists()
    assert "共 2 条" in preview.content.decode()
    done = client.post("/admin/courses/import-law/", {"file": SimpleUploadedFile("示例办法.md", text)})
    assert done.status_code == 200 and CoursePage.objects.get(law_title="示例办法").live
    bad = client.post("/admin/courses/import-law/", {"file": SimpleUploadedFile("x.md", "没有条文".encode())})
    assert "没有找到任何" in bad.content.decode()


def test_video_block_needs_a_file_or_an_embed():
    from django.core.exceptions import ValidationError

    from content.blocks import VideoBlock

    block = VideoBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"title": "演示", "file": None, "embed": "", "poster": None, "caption": ""}))
