"""Emergency-science library: materials by tag, and site search across modules, lessons and materials."""

import json
import uuid

import pytest

from content.models import MaterialIndexPage, MaterialPage
from content.search import search_pages
from tests.courses.factories import make_course, make_index, make_lesson, paragraph


@pytest.fixture
def library(db):
    home = make_index().get_parent().specific
    library = MaterialIndexPage(title="应急科普", slug="library")
    home.add_child(instance=library)
    library.save_revision().publish()
    for slug, title, tags in [
        ("gas", "燃气泄漏怎么办", ["燃气"]),
        ("ebike", "电动自行车安全充电", ["电动车充电", "火灾"]),
        ("escape", "火场逃生", ["火灾", "自救互救"]),
    ]:
        page = MaterialPage(title=title, slug=slug, summary=title, body=json.dumps([paragraph(f"{title}的要点")]))
        library.add_child(instance=page)
        page.tags.set(tags)
        page.save_revision().publish()
    return library


def test_tag_filter(client, library):
    html = client.get("/library/?tag=火灾").content.decode()
    assert "电动自行车安全充电" in html and "火场逃生" in html and "燃气泄漏怎么办" not in html
    everything = client.get("/library/").content.decode()
    assert all(t in everything for t in ("燃气泄漏怎么办", "电动自行车安全充电", "火场逃生"))
    assert library.specific.tag_names()[:3] == ["火灾", "燃气", "电动车充电"]


def test_unpublished_material_is_hidden(client, library):
    MaterialPage.objects.get(slug="gas").unpublish()
    assert "燃气泄漏怎么办" not in client.get("/library/").content.decode()


def test_search_finds_chinese_substrings_across_types(client, library):
    course = make_course(title="医疗机构消防安全管理", lessons=0)
    make_lesson(
        course,
        title="病区疏散",
        slug="evac",
        body=[{"type": "paragraph", "value": "<p>行动不便的病人用平车转运</p>", "id": str(uuid.uuid4())}],
    )
    titles = [p.title for p in search_pages("消防")]
    assert "医疗机构消防安全管理" in titles
    assert "病区疏散" in [p.title for p in search_pages("平车转运")]  # body text, not title
    assert "电动自行车安全充电" in [p.title for p in search_pages("充电")]
    html = client.get("/search/?q=燃气").content.decode()
    assert "燃气泄漏怎么办" in html
    assert search_pages("") == []


@pytest.mark.parametrize("query", ['"', "*", "(", '消防"', "AND", "a'b", "\\", "NEAR(", "^"])
def test_search_survives_operator_characters(client, library, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200


def test_search_needs_every_word(library):
    assert [p.title for p in search_pages("火场 逃生")] == ["火场逃生"]
    assert search_pages("火场 燃气") == []
