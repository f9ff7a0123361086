"""Races that only a real database with row locks can show: run on PostgreSQL (skipped on SQLite)."""

import datetime as dt
import threading

import pytest
from django.db import close_old_connections, connection

from quizzes.exams import services as svc
from quizzes.exams.models import Attempt
from quizzes.signals import attempt_submitted
from tests.quizzes.exam_factories import exam_with_sections, make_bank

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_together(n, func):
    """Run func(i) in n threads released at the same moment; return (results, errors)."""
    barrier = threading.Barrier(n)
    results, errors = [None] * n, []

    def worker(i):
        try:
            barrier.wait()
            results[i] = func(i)
        except Exception as exc:  # collected and asserted on
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    close_old_connections()
    return results, errors


def test_twenty_simultaneous_starts_give_one_attempt(staff_a):
    category, _ = make_bank()
    exam = exam_with_sections(category, attempts_allowed=0)  # unlimited: only the open-attempt rule stops doubles
    results, errors = run_together(20, lambda i: svc.attempt_start(exam=exam, user=staff_a).pk)
    assert errors == []
    assert len(set(results)) == 1
    assert Attempt.objects.filter(exam=exam, user=staff_a).count() == 1
    assert Attempt.objects.get().paper.count() == 10


def test_submit_racing_sweeper_finalises_once(staff_a, staff_b):
    category, _ = make_bank()
    exam = exam_with_sections(category)
    attempts = [svc.attempt_start(exam=exam, user=u) for u in (staff_a, staff_b)]
    past = attempts[0].deadline + dt.timedelta(minutes=2)
    submitted = []
    lock = threading.Lock()

    def listener(sender, attempt, **kwargs):
        with lock:
            submitted.append(attempt.pk)

    attempt_submitted.connect(listener)
    try:

        def act(i):
            if i % 3 == 0:
                return svc.attempt_sweep(now=past)
            a = attempts[i % 2]
            return svc.attempt_submit(attempt_id=a.pk, user=a.user, now=past).state

        results, errors = run_together(12, act)
    finally:
        attempt_submitted.disconnect(listener)
    assert errors == []
    assert sorted(submitted) == sorted(a.pk for a in attempts)  # each finalised exactly once
    for a in attempts:
        a.refresh_from_db()
        assert a.state == Attempt.State.SUBMITTED and a.submitted_at == a.deadline


def test_two_sweepers_at_once(staff_a, staff_b, officer_a):
    category, _ = make_bank()
    exam = exam_with_sections(category)
    attempts = [svc.attempt_start(exam=exam, user=u) for u in (staff_a, staff_b, officer_a)]
    past = attempts[-1].deadline + dt.timedelta(minutes=2)
    results, errors = run_together(4, lambda i: svc.attempt_sweep(now=past))
    assert errors == []
    assert sum(results) == 3
    assert Attempt.objects.filter(state=Attempt.State.SUBMITTED).count() == 3


def test_concurrent_saves_keep_the_newest(staff_a):
    category, _ = make_bank()
    exam = exam_with_sections(category, shuffle_options=False, shuffle_questions=False)
    attempt = svc.attempt_start(exam=exam, user=staff_a)
    aq = next(q for q in attempt.paper.all() if q.qtype == "single")

    def save(i):
        return svc.answer_save(
            attempt_id=attempt.pk, user=staff_a, position=aq.position, response=[i % 4], seq=i + 1
        ).stored

    results, errors = run_together(16, save)
    assert errors == []
    answer = aq.__class__.objects.get(pk=aq.pk).answer
    assert answer.seq == 16 and answer.response == [15 % 4]
