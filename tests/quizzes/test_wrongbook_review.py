"""The wrong-answer book is something to learn from: tapping an entry shows the options with the correct one marked,
the answer, the explanation and a link to the article, also when the statute was imported after the question."""

import re

import pytest
from django.test import Client

from courses.law_import import import_statute, read_statute_file
from quizzes.practice.models import PracticeMode
from quizzes.practice.services import practice_answer
from tests.courses.factories import make_index
from tests.quizzes.practice_factories import QuestionFactory

pytestmark = pytest.mark.django_db


def wrongbook_html(user) -> str:
    client = Client()
    client.force_login(user)
    response = client.get("/practice/wrongbook/")
    assert response.status_code == 200
    return response.content.decode()


def test_an_entry_opens_to_the_answer_the_explanation_and_the_article(staff_a, statute_fixtures):
    question = QuestionFactory(
        stem="临时存放点应当远离什么场所？",
        options=["人员密集场所", "停车场", "绿化带", "仓库"],
        correct_options=[0],
        explanation="远离人员密集场所和火源。",
        source_law="示范区危险物品临时存放规定",
        source_article="第三条",
        source_url="",
    )
    practice_answer(user=staff_a, question_id=question.pk, response=[2], mode=PracticeMode.RANDOM)
    html = wrongbook_html(staff_a)
    assert re.search(r"<details class=\"wrong-item\">\s*<summary>", html)
    assert "查看答案和解析" in html
    correct = re.search(r'<li class="choice correct"><span class="letter">A</span><span class="text">([^<]+)', html)
    assert correct and correct.group(1) == "人员密集场所"
    assert "远离人员密集场所和火源。" in html
    assert "第三条</a>" not in html  # the statute is not imported yet: plain text, no dead link

    # The statute is imported after the question: the book links to the article's lesson at once.
    import_statute(
        text=read_statute_file(statute_fixtures / "危险物品临时存放规定.txt"), filename="x.txt", index_page=make_index()
    )
    link = re.search(r'依据：<a href="([^"]+)">示范区危险物品临时存放规定 第三条</a>', wrongbook_html(staff_a))
    assert link and link.group(1).endswith("#article-3")


def test_an_unsafe_stored_link_is_never_rendered(staff_a):
    question = QuestionFactory(source_law="某法", source_article="第一条", source_url="javascript:alert(1)")
    practice_answer(user=staff_a, question_id=question.pk, response=[0], mode=PracticeMode.RANDOM)
    html = wrongbook_html(staff_a)
    assert "依据：某法 第一条" in html and "javascript:" not in html


def test_a_fill_in_entry_shows_every_accepted_answer(staff_a):
    question = QuestionFactory(
        type="fill", stem="火警电话是（ ）。", options=[], correct_options=[], accepted_answers=[["119", "一一九"]]
    )
    practice_answer(user=staff_a, question_id=question.pk, response=["110"], mode=PracticeMode.RANDOM)
    assert "119 / 一一九" in wrongbook_html(staff_a)


def test_practice_feedback_links_a_statute_imported_after_the_question(statute_fixtures):
    from quizzes.practice.selectors import question_feedback_data

    question = QuestionFactory(source_law="示范区危险物品临时存放规定", source_article="第四条", source_url="")
    assert question_feedback_data(question)["source_url"] == ""
    import_statute(
        text=read_statute_file(statute_fixtures / "危险物品临时存放规定.txt"), filename="x.txt", index_page=make_index()
    )
    question.refresh_from_db()  # the import stored the link (quizzes.bank.services.question_sources_relink)
    assert question_feedback_data(question)["source_url"].endswith("#article-4")
