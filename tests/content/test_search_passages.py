"""Search shows why a result matched: the passage with the words marked, and a query naming an article of an imported
statute (第四条) leads to the article itself, first."""

import re

import pytest
from django.test import Client

from content.search import search_hits
from courses.law_import import import_statute, read_statute_file
from tests.content.test_library import library  # noqa: F401  (fixture)
from tests.courses.factories import make_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def statute(statute_fixtures):
    return import_statute(
        text=read_statute_file(statute_fixtures / "危险物品临时存放规定.txt"), filename="x.txt", index_page=make_index()
    )


def test_an_article_query_leads_to_the_article(statute):
    hits = search_hits("第四条")
    assert hits, "the lesson holding article 4 is found"
    first = hits[0]
    assert first.url.endswith("#article-4")
    assert first.match == "第四条" and "警示标志" in first.after


def test_the_search_page_marks_the_matched_words(client, library):  # noqa: F811
    html = Client().get("/search/", {"q": "充电"}).content.decode()
    passage = re.search(r'<p class="snippet">(.*?)</p>', html, re.S)
    assert passage and "<mark>充电</mark>" in passage.group(1)


def test_the_search_page_links_to_the_article_anchor(statute):
    html = Client().get("/search/", {"q": "第四条"}).content.decode()
    assert re.search(r'<a href="[^"]+#article-4"><strong>', html)
