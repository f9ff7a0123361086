"""A question's link to the article it cites is stored once: when the question is imported, or when its statute is
imported later (courses.signals.statute_imported -> quizzes.bank.services.question_sources_relink). Practice feedback
and the 错题本 read the stored link only: no lesson look-up per question on every read."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from courses.law_import import import_statute, read_statute_file
from quizzes.bank.models import Question
from quizzes.practice.models import PracticeMode
from quizzes.practice.services import practice_answer
from tests.courses.factories import make_index
from tests.quizzes.practice_factories import QuestionFactory

pytestmark = pytest.mark.django_db

LAW = "示范区危险物品临时存放规定"


def _import(statute_fixtures, dry_run=False):
    return import_statute(
        text=read_statute_file(statute_fixtures / "危险物品临时存放规定.txt"),
        filename="x.txt",
        index_page=make_index(),
        dry_run=dry_run,
    )


def test_importing_the_statute_after_the_bank_stores_the_links(statute_fixtures):
    plain = QuestionFactory(source_law=LAW, source_article="第三条", source_url="")
    typed = QuestionFactory(source_law=LAW, source_article="第四条", source_url="https://example.org/law#4")
    other = QuestionFactory(source_law="别的法", source_article="第三条", source_url="")
    missing = QuestionFactory(source_law=LAW, source_article="第九百条", source_url="")

    _import(statute_fixtures, dry_run=True)
    assert Question.objects.get(pk=plain.pk).source_url == ""  # a dry run changes nothing

    _import(statute_fixtures)
    assert Question.objects.get(pk=plain.pk).source_url.endswith("#article-3")
    assert Question.objects.get(pk=typed.pk).source_url == "https://example.org/law#4"  # a typed link is kept
    assert Question.objects.get(pk=other.pk).source_url == ""
    assert Question.objects.get(pk=missing.pk).source_url == ""  # no such article: no dead link


def test_feedback_reads_the_stored_link_without_looking_up_lessons(statute_fixtures):
    from quizzes.practice.selectors import question_feedback_data

    _import(statute_fixtures)
    question = QuestionFactory(source_law=LAW, source_article="第三条", source_url="")  # made by hand, no link
    with CaptureQueriesContext(connection) as queries:
        assert question_feedback_data(question)["source_url"] == ""
    assert len(queries) == 0


def _wrongbook_queries(user) -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    client.get("/practice/wrongbook/")  # warm the session and caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/practice/wrongbook/")
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_the_wrongbook_costs_the_same_queries_for_2_or_6_entries(staff_a, statute_fixtures):
    questions = [QuestionFactory(source_law=LAW, source_article=a, source_url="") for a in ("第三条", "第四条")]
    _import(statute_fixtures)
    for q in questions:
        practice_answer(user=staff_a, question_id=q.pk, response=[2], mode=PracticeMode.RANDOM)
    two, html = _wrongbook_queries(staff_a)
    assert html.count("#article-") == 2

    for a in ("第三条", "第四条", "第三条", "第四条"):
        q = QuestionFactory(source_law=LAW, source_article=a, source_url="")
        practice_answer(user=staff_a, question_id=q.pk, response=[2], mode=PracticeMode.RANDOM)
    six, html = _wrongbook_queries(staff_a)
    assert six == two, (two, six)
