"""Attempt lifecycle: deadline fixed at start, late answers refused, idempotent saves, resume, sweeper, frozen paper."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quizzes.bank.models import Question
from quizzes.exams import services as svc
from quizzes.exams.exceptions import (
    AttemptClosed,
    ExamNotOpen,
    InvalidAnswer,
    NoAttemptsLeft,
    NotInAudience,
    NotYourAttempt,
    TooLate,
)
from quizzes.exams.models import Attempt, AttemptAnswer, Exam
from quizzes.signals import attempt_submitted
from tests.quizzes.exam_factories import ExamFactory, exam_with_sections, make_bank

pytestmark = pytest.mark.django_db(transaction=False)

T0 = dt.datetime(2026, 6, 10, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def bank(db):
    return make_bank()


@pytest.fixture
def exam(bank):
    category, _ = bank
    return exam_with_sections(
        category, opens_at=T0 - dt.timedelta(hours=1), closes_at=T0 + dt.timedelta(hours=5), time_limit_minutes=30
    )


def correct_response(aq):
    snap = aq.snapshot
    return [snap["accepted_answers"][0][0]] if snap["type"] == "fill" else list(snap["correct"])


def wrong_response(aq):
    snap = aq.snapshot
    if snap["type"] == "fill":
        return ["不对"]
    return [next(i for i in range(len(snap["options"])) if i not in snap["correct"])]


@time_machine.travel(T0, tick=False)
def test_deadline_fixed_at_start_as_min_of_limit_and_close(exam, staff_a):
    attempt = svc.attempt_start(exam=exam, user=staff_a)
    assert attempt.deadline == T0 + dt.timedelta(minutes=30)
    # Changing the exam afterwards does not move a running attempt's deadline.
    Exam.objects.filter(pk=exam.pk).update(time_limit_minutes=90, closes_at=T0 + dt.timedelta(minutes=10))
    attempt.refresh_from_db()
    assert attempt.deadline == T0 + dt.timedelta(minutes=30)


def test_late_start_is_cut_by_close_time(exam, staff_a):
    with time_machine.travel(exam.closes_at - dt.timedelta(minutes=10), tick=False):
        attempt = svc.attempt_start(exam=exam, user=staff_a)
    assert attempt.deadline == exam.closes_at


def test_start_outside_window_refused(exam, staff_a):
    with time_machine.travel(exam.opens_at - dt.timedelta(seconds=1), tick=False), pytest.raises(ExamNotOpen):
        svc.attempt_start(exam=exam, user=staff_a)
    with time_machine.travel(exam.closes_at, tick=False), pytest.raises(ExamNotOpen):
        svc.attempt_start(exam=exam, user=staff_a)


def test_audience_institutions_and_roles(exam, staff_a, staff_b, officer_a, inst_a):
    exam.institutions.set([inst_a])
    exam.roles = ["staff"]
    exam.save()
    with time_machine.travel(T0, tick=False):
        svc.attempt_start(exam=exam, user=staff_a)
        with pytest.raises(NotInAudience):
            svc.attempt_start(exam=exam, user=staff_b)
        with pytest.raises(NotInAudience):
            svc.attempt_start(exam=exam, user=officer_a)


@time_machine.travel(T0, tick=False)
def test_answers_saved_and_scored_and_grade(exam, staff_a):
    attempt = svc.attempt_start(exam=exam, user=staff_a)
    paper = list(attempt.paper.order_by("position"))
    assert len(paper) == 10 and attempt.max_score == Decimal("100")
    for i, aq in enumerate(paper):
        resp = correct_response(aq) if i < 8 else wrong_response(aq)
        result = svc.answer_save(attempt_id=attempt.pk, user=staff_a, position=aq.position, response=resp, seq=i + 1)
        assert result.stored
    done = svc.attempt_submit(attempt_id=attempt.pk, user=staff_a)
    assert done.state == Attempt.State.SUBMITTED
    assert done.score == Decimal("80.00") and done.passed is True
    assert done.submitted_at == T0 and done.finish_reason == Attempt.FinishReason.MANUAL
    assert AttemptAnswer.objects.filter(attempt=done, is_correct=True).count() == 8
    with pytest.raises(NoAttemptsLeft):
        svc.attempt_start(exam=exam, user=staff_a)


@time_machine.travel(T0, tick=False)
def test_a_save_reads_the_attempt_and_the_question_with_its_answer_then_writes_once(exam, staff_a):
    """The save is most of an exam's requests (one every few seconds per candidate): its statements are pinned. A
    first answer is an INSERT, a newer one an UPDATE, a stale one (seq not newer) writes nothing. The attempt is read
    without its exam's row (read only when the time has run out: test_late_answers_refused_and_not_stored)."""
    attempt = svc.attempt_start(exam=exam, user=staff_a)
    aq = attempt.paper.get(position=1)

    def statements(seq):
        with CaptureQueriesContext(connection) as queries:
            svc.answer_save(attempt_id=attempt.pk, user=staff_a, position=1, response=correct_response(aq), seq=seq)
        assert not [q["sql"] for q in queries if '"quizzes_exam"' in q["sql"]]
        return [q["sql"].split()[0] for q in queries if q["sql"].split()[0] in ("SELECT", "INSERT", "UPDATE")]

    assert statements(1) == ["SELECT", "SELECT", "INSERT"]
    assert statements(2) == ["SELECT", "SELECT", "UPDATE"]
    assert statements(2) == ["SELECT", "SELECT"]
    assert AttemptAnswer.objects.get(attempt=attempt).seq == 2


def test_late_answers_refused_and_not_stored(exam, staff_a):
    with time_machine.travel(T0, tick=False):
        attempt = svc.attempt_start(exam=exam, user=staff_a)
        aq = attempt.paper.get(position=1)
    deadline = attempt.deadline
    # Within the 60 s network grace: accepted.
    with time_machine.travel(deadline + dt.timedelta(seconds=59), tick=False):
        assert svc.answer_save(attempt_id=attempt.pk, user=staff_a, position=1, response=correct_response(aq), seq=1)
    # Later: refused, nothing stored, and the access itself submits the attempt with finish time = deadline.
    with time_machine.travel(deadline + dt.timedelta(seconds=61), tick=False):
        with pytest.raises(TooLate):
            svc.answer_save(attempt_id=attempt.pk, user=staff_a, position=2, response=[0], seq=2)
    assert not AttemptAnswer.objects.filter(attempt=attempt, attempt_question__position=2).exists()
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    assert attempt.submitted_at == deadline
    assert attempt.finish_reason == Attempt.FinishReason.TIME_UP
    with time_machine.travel(deadline + dt.timedelta(seconds=62), tick=False), pytest.raises(AttemptClosed):
        svc.answer_save(attempt_id=attempt.pk, user=staff_a, position=2, response=[0], seq=3)


@time_machine.travel(T0, tick=False)
def test_older_retry_never_overwrites_newer_answer(exam, staff_a):
    attempt = svc.attempt_start(exam=exam, user=staff_a)
    aq = next(q for q in attempt.paper.all() if q.qtype == "single")
    newer = svc.answer_save(attempt_id=attempt.pk, user=staff_a, position=aq.position, response=[2], seq=7)
    assert newer.stored
    older = svc.answer_save(attempt_id=attempt.pk, user=staff_a, position=aq.position, response=[1], seq=5)
    assert not older.stored and older.response == [2] and older.seq == 7
    again = svc.answer_save(attempt_id=attempt.pk, user=staff_a, position=aq.position, response=[2], seq=7)
    assert not again.stored  # an exact retry is idempotent
    stored = AttemptAnswer.objects.get(attempt_question=aq)
    assert stored.response == [2] and stored.seq == 7


@time_machine.travel(T0, tick=False)
def test_invalid_answers_rejected(exam, staff_a, staff_b):
    attempt = svc.attempt_start(exam=exam, user=staff_a)
    single = next(q for q in attempt.paper.all() if q.qtype == "single")
    with pytest.raises(InvalidAnswer):
        svc.answer_save(attempt_id=attempt.pk, user=staff_a, position=single.position, response=[0, 1], seq=1)
    with pytest.raises(InvalidAnswer):
        svc.answer_save(attempt_id=attempt.pk, user=staff_a, position=single.position, response=[9], seq=1)
    with pytest.raises(InvalidAnswer):
        svc.answer_save(attempt_id=attempt.pk, user=staff_a, position=single.position, response=[1], seq=0)
    with pytest.raises(NotYourAttempt):
        svc.answer_save(attempt_id=attempt.pk, user=staff_b, position=single.position, response=[1], seq=1)


@time_machine.travel(T0, tick=False)
def test_resume_on_second_device_returns_same_attempt_with_answers(exam, staff_a):
    first = svc.attempt_start(exam=exam, user=staff_a)
    svc.answer_save(
        attempt_id=first.pk, user=staff_a, position=1, response=correct_response(first.paper.get(position=1)), seq=3
    )
    second = svc.attempt_start(exam=exam, user=staff_a)  # a second device / reload
    assert second.pk == first.pk
    assert Attempt.objects.filter(exam=exam, user=staff_a).count() == 1
    assert AttemptAnswer.objects.get(attempt=second, attempt_question__position=1).seq == 3


def test_paper_frozen_at_start(exam, staff_a, bank):
    _, questions = bank
    with time_machine.travel(T0, tick=False):
        attempt = svc.attempt_start(exam=exam, user=staff_a)
        aq = attempt.paper.get(position=1)
        before = dict(aq.snapshot)
        q = Question.objects.get(pk=aq.question_id)
        q.stem = "改过的题干"
        q.explanation = "改过的解析"
        if q.type != "fill":
            q.correct_options = [0] if q.type != "multiple" else [0, 3]
        q.save()
        Question.objects.exclude(pk=q.pk).update(status=Question.Status.RETIRED)
        aq.refresh_from_db()
        assert aq.snapshot == before
        svc.answer_save(attempt_id=attempt.pk, user=staff_a, position=1, response=correct_response(aq), seq=1)
        done = svc.attempt_submit(attempt_id=attempt.pk, user=staff_a)
    assert done.paper.count() == 10
    assert AttemptAnswer.objects.get(attempt=done, attempt_question__position=1).is_correct


def test_sweeper_submits_overdue_with_finish_time_deadline(exam, staff_a, staff_b):
    with time_machine.travel(T0, tick=False):
        a = svc.attempt_start(exam=exam, user=staff_a)
        b = svc.attempt_start(exam=exam, user=staff_b)
        svc.answer_save(
            attempt_id=a.pk, user=staff_a, position=1, response=correct_response(a.paper.get(position=1)), seq=1
        )
    with time_machine.travel(a.deadline + dt.timedelta(seconds=30), tick=False):
        assert svc.attempt_sweep() == 0  # still inside the network grace
    with time_machine.travel(a.deadline + dt.timedelta(minutes=5), tick=False):
        assert svc.attempt_sweep() == 2
        assert svc.attempt_sweep() == 0  # running it again changes nothing
    a.refresh_from_db()
    b.refresh_from_db()
    for x in (a, b):
        assert x.state == Attempt.State.SUBMITTED
        assert x.submitted_at == x.deadline
        assert x.finish_reason == Attempt.FinishReason.SWEPT
    assert a.score == Decimal("10.00") and b.score == 0


def test_sweep_command_and_task(exam, staff_a):
    from quizzes.exams.jobs import sweep_overdue_attempts

    with time_machine.travel(T0, tick=False):
        a = svc.attempt_start(exam=exam, user=staff_a)
    with time_machine.travel(a.deadline + dt.timedelta(minutes=2), tick=False):
        call_command("sweep_attempts")
        a.refresh_from_db()
        assert a.state == Attempt.State.SUBMITTED
        result = sweep_overdue_attempts.enqueue()
        assert result.return_value == 0


def test_access_to_overdue_attempt_submits_it(exam, staff_a):
    with time_machine.travel(T0, tick=False):
        a = svc.attempt_start(exam=exam, user=staff_a)
    with time_machine.travel(a.deadline + dt.timedelta(minutes=3), tick=False):
        seen = svc.attempt_access(attempt_id=a.pk, user=staff_a)
    assert seen.state == Attempt.State.SUBMITTED and seen.submitted_at == a.deadline


def test_grace_period_overdue_then_submit(bank, staff_a):
    category, _ = bank
    exam = exam_with_sections(
        category,
        opens_at=T0 - dt.timedelta(hours=1),
        closes_at=T0 + dt.timedelta(hours=5),
        overdue_handling=Exam.OverdueHandling.GRACE,
        grace_period_minutes=10,
    )
    with time_machine.travel(T0, tick=False):
        a = svc.attempt_start(exam=exam, user=staff_a)
    late = a.deadline + dt.timedelta(minutes=3)
    with time_machine.travel(late, tick=False):
        assert svc.attempt_sweep() == 0
        a.refresh_from_db()
        assert a.state == Attempt.State.OVERDUE
        with pytest.raises(TooLate):
            svc.answer_save(attempt_id=a.pk, user=staff_a, position=1, response=[0], seq=1)
        done = svc.attempt_submit(attempt_id=a.pk, user=staff_a)
    assert done.state == Attempt.State.SUBMITTED and done.submitted_at == late


def test_submit_twice_finalises_once(exam, staff_a):
    calls = []

    def listener(sender, attempt, **kwargs):
        calls.append(attempt.pk)

    attempt_submitted.connect(listener)
    try:
        with time_machine.travel(T0, tick=False):
            a = svc.attempt_start(exam=exam, user=staff_a)
            first = svc.attempt_submit(attempt_id=a.pk, user=staff_a)
        with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
            second = svc.attempt_submit(attempt_id=a.pk, user=staff_a)
        assert first.submitted_at == second.submitted_at == T0
    finally:
        attempt_submitted.disconnect(listener)


def test_tab_switch_autosubmit(bank, staff_a):
    category, _ = bank
    exam = exam_with_sections(
        category,
        opens_at=T0 - dt.timedelta(hours=1),
        closes_at=T0 + dt.timedelta(hours=5),
        tab_switch_policy=Exam.TabSwitchPolicy.AUTOSUBMIT,
        tab_switch_limit=2,
    )
    with time_machine.travel(T0, tick=False):
        a = svc.attempt_start(exam=exam, user=staff_a)
        assert svc.attempt_tab_switch(attempt_id=a.pk, user=staff_a).state == Attempt.State.IN_PROGRESS
        done = svc.attempt_tab_switch(attempt_id=a.pk, user=staff_a)
    assert done.state == Attempt.State.SUBMITTED and done.finish_reason == Attempt.FinishReason.TAB_SWITCH
    assert done.tab_switches == 2


def test_shuffled_options_keep_correct_answer(bank, staff_a):
    category, _ = bank
    exam = exam_with_sections(category, opens_at=T0 - dt.timedelta(hours=1), closes_at=T0 + dt.timedelta(hours=5))
    import random

    with time_machine.travel(T0, tick=False):
        a = svc.attempt_start(exam=exam, user=staff_a, rng=random.Random(4))
    for aq in a.paper.all():
        q = Question.objects.get(pk=aq.question_id)
        if q.type == "fill":
            continue
        assert [q.options[i] for i in aq.option_order] == aq.snapshot["options"]
        assert {aq.snapshot["options"][i] for i in aq.snapshot["correct"]} == {q.options[i] for i in q.correct_options}


def test_bank_smaller_than_section_draws_what_exists(bank, staff_a):
    category, questions = bank
    exam = exam_with_sections(
        category,
        count=50,
        points=Decimal("2"),
        opens_at=T0 - dt.timedelta(hours=1),
        closes_at=T0 + dt.timedelta(hours=5),
    )
    with time_machine.travel(T0, tick=False):
        a = svc.attempt_start(exam=exam, user=staff_a)
    assert a.paper.count() == len(questions) and a.max_score == Decimal("2") * len(questions)


def test_mock_attempt_does_not_use_up_attempts(exam, staff_a):
    with time_machine.travel(T0, tick=False):
        mock = svc.attempt_start(exam=exam, user=staff_a, mock=True)
        svc.attempt_submit(attempt_id=mock.pk, user=staff_a)
        real = svc.attempt_start(exam=exam, user=staff_a)
    assert mock.is_mock and not real.is_mock and real.number == 1


def test_unpublished_exam_not_open(bank, staff_a):
    category, _ = bank
    exam = ExamFactory(status=Exam.Status.DRAFT)
    assert not exam.is_open(timezone.now())
