"""Page-type rules: where each study and library page may live."""

import pytest
from django.core.exceptions import ValidationError

from content.models import HomePage, MaterialIndexPage, MaterialPage, StandardPage
from courses.models import CourseIndexPage, CoursePage, LessonPage


@pytest.mark.parametrize(
    ("child", "parent", "allowed"),
    [
        (CourseIndexPage, HomePage, True),
        (CourseIndexPage, StandardPage, False),
        (CoursePage, CourseIndexPage, True),
        (CoursePage, HomePage, False),
        (LessonPage, CoursePage, True),
        (LessonPage, CourseIndexPage, False),
        (LessonPage, HomePage, False),
        (MaterialIndexPage, HomePage, True),
        (MaterialPage, MaterialIndexPage, True),
        (MaterialPage, CoursePage, False),
        (MaterialPage, HomePage, False),
    ],
)
def test_parent_child_rules(child, parent, allowed, db):
    assert child.can_create_at(parent()) is allowed


def test_leaf_pages_have_no_children(db):
    assert LessonPage.allowed_subpage_models() == []
    assert MaterialPage.allowed_subpage_models() == []
    assert CoursePage.allowed_subpage_models() == [LessonPage]


def test_only_one_course_index(db):
    from tests.courses.factories import make_index

    index = make_index()
    assert not CourseIndexPage.can_create_at(index.get_parent().specific)


def test_reserved_slugs_are_refused(db):
    from courses.models import CoursePageForm

    form_class = CoursePage.get_edit_handler().get_form_class()
    assert issubclass(form_class, CoursePageForm)
    form = form_class(data={"title": "x", "slug": "mine"}, instance=CoursePage(), for_user=None)
    form.is_valid()
    assert "slug" in form.errors


def test_law_article_block_requires_a_valid_number():
    from content.blocks import LawArticleBlock

    block = LawArticleBlock()
    value = block.to_python({"law_name": "x", "number": "第二十一条", "text": "条文", "key_point": ""})
    assert value.anchor == "article-21"
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"law_name": "x", "number": "第X条", "text": "条文", "key_point": ""}))


def test_admin_forms_render_and_save(client_for, district_admin, db):
    """The editors' forms: module (roles as checkboxes), lesson (every study block incl. the question chooser)."""
    from tests.courses.factories import lessons_of, make_course, make_index

    index = make_index()
    client = client_for(district_admin)
    assert client.get(f"/admin/pages/add/courses/coursepage/{index.pk}/").status_code == 200
    course = make_course(index, lessons=1)
    response = client.get(f"/admin/pages/add/courses/lessonpage/{course.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("law_article", "key_points", "video", "document", "steps", "self_check"):
        assert name in html
    assert client.get(f"/admin/pages/{lessons_of(course)[0].pk}/edit/").status_code == 200
    assert client.get("/admin/question-chooser/").status_code == 200
    data = {
        "title": "新模块",
        "slug": "new-module",
        "summary": "",
        "kind": "law",
        "estimated_minutes": "10",
        "min_reading_seconds": "30",
        "required": "chosen",
        "required_roles": ["officer"],
        "law_title": "",
        "law_version": "",
        "action-publish": "publish",
    }
    response = client.post(f"/admin/pages/add/courses/coursepage/{index.pk}/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    created = CoursePage.objects.get(slug="new-module")
    assert created.required_roles == ["officer"] and created.live
