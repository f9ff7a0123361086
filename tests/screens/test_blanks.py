"""A blank bracket in a question stem, "（ ）", is kept on one line wherever stems are shown: Chromium broke the line
at the space inside it, leaving "（" at the end of one line and "）" at the start of the next."""

import pytest
from django.template import Context, Template
from django.test import Client

from elearn.org.templatetags.blanks import keep_blanks
from tests.quizzes.exam_factories import BankQuestionFactory


@pytest.mark.parametrize(
    "stem,expected",
    [
        ("应当（ ）负责。", '应当<span class="blank">（ ）</span>负责。'),
        ("应当（\u3000）负责。", '应当<span class="blank">（\u3000）</span>负责。'),
        ("ASCII ( ) and （）", 'ASCII <span class="blank">( )</span> and <span class="blank">（）</span>'),
        ("专用（___）内", '专用<span class="blank">（___）</span>内'),
        ("（UPS）的作用", "（UPS）的作用"),  # a bracket with words in it is not a blank
        ("<b>（ ）</b>", '&lt;b&gt;<span class="blank">（ ）</span>&lt;/b&gt;'),  # the stem is escaped first
    ],
)
def test_keep_blanks(stem, expected):
    assert keep_blanks(stem) == expected


def test_after_linebreaksbr_nothing_is_escaped_twice():
    html = Template("{% load blanks %}{{ s|keep_blanks|linebreaksbr }}|{{ s|linebreaksbr|keep_blanks }}").render(
        Context({"s": "甲 & 乙\n应当（ ）"})
    )
    first, second = html.split("|")
    assert first == second == '甲 &amp; 乙<br>应当<span class="blank">（ ）</span>'


def test_the_practice_page_wraps_the_blank(staff_a):
    question = BankQuestionFactory(stem="生产经营单位的主要负责人对本单位的安全生产工作（ ）负责。")
    client = Client()
    client.force_login(staff_a)
    html = client.get(f"/practice/seq/?category={question.category_id}").content.decode()
    assert '工作<span class="blank">（ ）</span>负责' in html
