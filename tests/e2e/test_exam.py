"""A member of staff sits the exam on a 360x740 phone: starts it, answers, loses the network (browser offline mode),
answers again (queued on the phone), comes back online (the queue is sent), submits and sees the result."""

import datetime as dt
import re

from django.utils import timezone

from quizzes.exams.models import Attempt, AttemptAnswer
from tests.e2e.conftest import no_horizontal_scroll
from tests.quizzes.exam_factories import exam_with_sections, make_bank


def wait_saved(page, timeout=15000):
    page.wait_for_selector('[data-save-state="saved"]', timeout=timeout)


def test_exam_on_a_phone_with_a_network_drop(server, phone, login, shot, staff_a):
    category, _ = make_bank(singles=4, multiples=1, truefalse=1, fills=1)
    exam = exam_with_sections(
        category,
        title="安全生产知识考试（手机）",
        shuffle_questions=False,
        shuffle_options=False,
        opens_at=timezone.now() - dt.timedelta(hours=1),
        closes_at=timezone.now() + dt.timedelta(hours=2),
    )
    login(phone, staff_a, next_path=f"/exams/{exam.pk}/")
    phone.goto(f"{server}/exams/{exam.pk}/")
    shot(phone, "exam-01-detail")
    phone.click("[data-start]")
    phone.wait_for_selector("[data-option]")
    attempt = Attempt.objects.get(user=staff_a, exam=exam)
    assert no_horizontal_scroll(phone)
    timer = int(phone.get_attribute("[data-timer]", "data-seconds"))
    assert 29 * 60 < timer <= 30 * 60  # counts down from the server's seconds remaining
    shot(phone, "exam-02-question")

    # Question 1 and 2 online: saved at once.
    phone.click('[data-option="1"]')
    wait_saved(phone)
    phone.click("[data-next]")
    phone.click('[data-option="1"]')
    wait_saved(phone)
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 2

    # Network drops: question 3 is answered and queued on the phone.
    phone.context.set_offline(True)
    phone.click("[data-next]")
    phone.click('[data-option="1"]')
    phone.wait_for_selector('[data-save-state="offline"]', timeout=15000)
    assert "离线" in phone.inner_text("[data-save-state]")
    queued = phone.evaluate(f"JSON.parse(localStorage.getItem('elearn-exam-{attempt.pk}')).pending")
    assert "3" in queued
    shot(phone, "exam-03-offline")
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 2

    # Back online: the queued answer reaches the server.
    phone.context.set_offline(False)
    wait_saved(phone, timeout=30000)
    assert AttemptAnswer.objects.filter(attempt=attempt).count() == 3

    # Flag question 4, look at the navigator.
    phone.click("[data-next]")
    phone.click("[data-flag]")
    wait_saved(phone)
    phone.click("[data-nav-toggle]")
    assert phone.locator(".nav-cell.answered").count() == 3
    assert phone.locator(".nav-cell.flagged").count() == 1
    shot(phone, "exam-04-navigator")

    # Submit: the confirmation lists the unanswered questions.
    phone.click("[data-submit]")
    text = phone.inner_text("[data-unanswered]")
    assert "4 题未答" in text and "4、5、6、7" in text
    shot(phone, "exam-05-confirm")
    phone.click("[data-confirm-ok]")
    phone.wait_for_url(f"**/exams/attempt/{attempt.pk}/result/", timeout=20000)
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    assert attempt.score == 30  # three single-choice questions right, 10 points each
    body = phone.inner_text("[data-result]")
    assert re.search(r"(^|\s)30 / \d+ 分", body) and "不合格" in body and ".00" not in body
    assert no_horizontal_scroll(phone)
    shot(phone, "exam-06-result")


def test_one_minute_warning_and_auto_submit_when_time_is_up(server, phone, login, shot, staff_a):
    """The countdown starts from the server's seconds remaining; at one minute a warning shows; at zero the page
    submits by itself and the attempt finishes at its deadline."""
    category, _ = make_bank(singles=3, multiples=0, truefalse=0, fills=0)
    exam = exam_with_sections(
        category,
        title="即将截止的考试",
        shuffle_options=False,
        opens_at=timezone.now() - dt.timedelta(hours=1),
        closes_at=timezone.now() + dt.timedelta(seconds=75),  # the deadline: min(start + 30 min, close)
    )
    login(phone, staff_a, next_path=f"/exams/{exam.pk}/")
    phone.goto(f"{server}/exams/{exam.pk}/")
    phone.click("[data-start]")
    phone.wait_for_selector("[data-option]")
    attempt = Attempt.objects.get(user=staff_a, exam=exam)
    assert attempt.deadline == exam.closes_at
    phone.click('[data-option="1"]')
    wait_saved(phone)
    phone.wait_for_selector("[data-toast]:not([hidden])", timeout=40000)
    assert "1 分钟" in phone.inner_text("[data-toast]")
    assert "low" in phone.get_attribute("[data-timer]", "class")
    shot(phone, "exam-07-one-minute-warning")
    phone.wait_for_url(f"**/exams/attempt/{attempt.pk}/result/", timeout=90000)
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    assert attempt.submitted_at == attempt.deadline
    assert attempt.finish_reason == Attempt.FinishReason.TIME_UP
    assert attempt.score == 10
    shot(phone, "exam-08-auto-submitted")


def test_a_double_tap_on_submit_never_confirms_unseen(server, phone, login, staff_a):
    """On a phone 确认交卷 can open right under the finger that tapped 交卷: the second tap of a double tap must not
    submit before the unanswered list has been seen (found by an outside review). The confirm button is armed a
    moment after the dialog opens; a deliberate tap then submits."""
    category, _ = make_bank(singles=2, multiples=0, truefalse=0, fills=0)
    exam = exam_with_sections(
        category,
        title="安全生产知识考试（双击交卷）",
        opens_at=timezone.now() - dt.timedelta(hours=1),
        closes_at=timezone.now() + dt.timedelta(hours=2),
    )
    login(phone, staff_a, next_path=f"/exams/{exam.pk}/")
    phone.goto(f"{server}/exams/{exam.pk}/")
    phone.click("[data-start]")
    phone.wait_for_selector("[data-option]")
    attempt = Attempt.objects.get(user=staff_a, exam=exam)
    # Both taps in one turn of the page's script, as close together as a double tap gets (no timing in the test):
    # a click on a disabled button does nothing.
    phone.evaluate(
        """() => {
            document.querySelector("[data-submit]").click();
            document.querySelector("[data-confirm-ok]").click();
        }"""
    )
    assert phone.is_visible("[data-confirm]")
    assert "2 题未答" in phone.inner_text("[data-unanswered]")
    phone.wait_for_timeout(1000)
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS
    phone.click("[data-confirm-ok]")  # waits until it is enabled
    phone.wait_for_url(f"**/exams/attempt/{attempt.pk}/result/", timeout=20000)
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
