"""Tapping 开始考试 on a 360 px phone at a busy moment: the button answers at once, a start that waits says it is
queued (and that the candidate's time has not started), a busy server is retried by itself, a second tap sends
nothing, and the countdown on the attempt page starts from the moment the server handed out the paper."""

import datetime as dt
import random
import time

from django.utils import timezone

from quizzes.exams import services as svc
from quizzes.exams.models import Attempt, PreparedPaper
from tests.quizzes.exam_factories import exam_with_sections, make_bank

START = "**/exams/*/start/"  # the exam page posts its own form, asking for JSON
PAPER = "[data-option], [data-blank]"  # the first question on the phone (a choice or a fill-in: shuffled)


def make_exam():
    category, _ = make_bank(singles=4, multiples=1, truefalse=1, fills=1)
    exam = exam_with_sections(
        category,
        title="安全生产知识考试（开考）",
        opens_at=timezone.now() - dt.timedelta(minutes=1),
        closes_at=timezone.now() + dt.timedelta(hours=2),
    )
    svc.exam_papers_prepare(exam_id=exam.pk, target=2, rng=random.Random(5))
    return exam


def test_a_start_held_in_the_queue_shows_progress_and_the_clock_starts_at_hand_out(server, phone, login, shot, staff_a):
    exam = make_exam()
    login(phone, staff_a, next_path=f"/exams/{exam.pk}/")
    phone.goto(f"{server}/exams/{exam.pk}/")
    held = []
    phone.route(START, lambda route: held.append(route))  # the server "queues" the start until we let it through

    phone.click("[data-start]")
    phone.click("[data-start]", force=True)  # an impatient second tap
    assert phone.is_disabled("[data-start]")
    assert "正在准备试卷" in phone.inner_text("[data-start-status]")
    phone.wait_for_selector('[data-start-status][data-state="queued"]', timeout=10000)
    status = phone.inner_text("[data-start-status]")
    assert "排队" in status and "考试时间还没有开始" in status
    assert not phone.is_visible("[data-start-retry]")  # nothing has failed: no retry button yet
    shot(phone, "exam-start-01-queued")
    time.sleep(1.5)  # still queued: none of this is the candidate's time
    assert len(held) == 1  # the second tap sent nothing
    assert not Attempt.objects.filter(user=staff_a).exists()

    released = timezone.now()
    held[0].continue_()
    phone.wait_for_selector(PAPER, timeout=15000)
    attempt = Attempt.objects.get(user=staff_a, exam=exam)
    assert attempt.started_at >= released - dt.timedelta(seconds=1)  # started when handed out, not when tapped
    assert PreparedPaper.objects.filter(claimed_by=attempt).exists()
    timer = int(phone.get_attribute("[data-timer]", "data-seconds"))
    assert 30 * 60 - 5 <= timer <= 30 * 60


def test_a_busy_server_is_retried_by_the_phone(server, phone, login, staff_a):
    exam = make_exam()
    login(phone, staff_a, next_path=f"/exams/{exam.pk}/")
    phone.goto(f"{server}/exams/{exam.pk}/")
    calls = []

    def busy_once(route):
        calls.append(route.request.url)
        if len(calls) == 1:
            route.fulfill(
                status=503,
                content_type="application/json",
                headers={"Retry-After": "1"},
                body='{"error": "database_unavailable", "detail": "服务器繁忙"}',
            )
        else:
            route.continue_()

    phone.route(START, busy_once)
    phone.click("[data-start]")
    phone.wait_for_selector('[data-start-status][data-state="retrying"]', timeout=10000)
    assert "重试" in phone.inner_text("[data-start-status]") and phone.is_visible("[data-start-retry]")
    phone.wait_for_selector(PAPER, timeout=20000)
    assert len(calls) == 2
    assert Attempt.objects.filter(user=staff_a, exam=exam).count() == 1
