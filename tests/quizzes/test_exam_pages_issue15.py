"""The exam's pages (issue 15): the demo exam's rules printed once; dates in the reader's language; a mock exam labelled
模拟考试 while it is taken and on its result, a real one never."""

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import timezone

from quizzes.demo.exams import seed_exam
from quizzes.exams import services as svc
from tests.quizzes.exam_factories import exam_with_sections, make_bank

pytestmark = pytest.mark.django_db

RULES = ["自动保存", "暂存在手机上", "时间到自动交卷"]


def _main(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html.split('<main id="main"', 1)[1])


def test_the_demo_exam_prints_each_rule_once(client_for, staff_a):
    make_bank()
    exam = seed_exam(None, {}, {"home": SimpleNamespace(campaign_end=timezone.localdate() + dt.timedelta(days=9))})
    text = _main(client_for(staff_a).get(f"/exams/{exam.pk}/").content.decode())
    for rule in RULES:
        assert text.count(rule) == 1, rule


def _exam():
    category, _ = make_bank(singles=3, multiples=0, truefalse=0, fills=0)
    opens = timezone.make_aware(dt.datetime(2026, 12, 6, 9, 0))
    return exam_with_sections(category, title="日期考试", opens_at=opens, closes_at=opens + dt.timedelta(days=20))


@pytest.mark.parametrize(
    "language,expected,foreign",
    [("zh-hans", ["2026年12月6日 09:00", "12月26日 09:00", "12月"], r"Dec"),
     ("en", ["Dec 6, 2026, 09:00", "Dec 26, 09:00"], r"\d+月\d+日|\d{4}年")],
)  # fmt: skip
def test_exam_detail_dates_follow_the_language(client_for, staff_a, time_machine, language, expected, foreign):
    time_machine.move_to(dt.datetime(2026, 12, 7, 2, 0, tzinfo=dt.UTC), tick=False)
    exam = _exam()
    attempt = svc.attempt_start(exam=exam, user=staff_a)
    svc.attempt_submit(attempt_id=attempt.pk, user=staff_a)
    client = client_for(staff_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    text = _main(client.get(f"/exams/{exam.pk}/").content.decode())
    for part in expected:
        assert part in text, (part, text)
    assert not re.search(foreign, text), text
    submitted = timezone.localtime(timezone.now())
    assert (
        f"{submitted:%b} {submitted.day}, {submitted:%H:%M}"
        if language == "en"
        else f"{submitted.month}月{submitted.day}日"
    ) in text


def test_a_mock_attempt_is_labelled_and_a_real_one_is_not(client_for, staff_a):
    exam = _exam()
    exam.closes_at = timezone.now() + dt.timedelta(days=1)
    exam.opens_at = timezone.now() - dt.timedelta(hours=1)
    exam.save()
    client = client_for(staff_a)
    mock = svc.attempt_start(exam=exam, user=staff_a, mock=True)
    html = client.get(f"/exams/attempt/{mock.pk}/").content.decode()
    assert "data-mock-label" in html and "模拟考试" in _main(html)
    svc.attempt_submit(attempt_id=mock.pk, user=staff_a)
    html = client.get(f"/exams/attempt/{mock.pk}/result/").content.decode()
    assert "data-mock-label" in html and "模拟考试" in _main(html)

    real = svc.attempt_start(exam=exam, user=staff_a)
    html = client.get(f"/exams/attempt/{real.pk}/").content.decode()
    assert "data-mock-label" not in html and "模拟" not in _main(html)
    svc.attempt_submit(attempt_id=real.pk, user=staff_a)
    html = client.get(f"/exams/attempt/{real.pk}/result/").content.decode()
    assert "data-mock-label" not in html and "模拟" not in _main(html)
