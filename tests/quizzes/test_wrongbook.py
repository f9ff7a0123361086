"""The wrong-answer book: wrong answers (practice or exam) put a question in; two consecutive correct answers take
it out; a wrong answer in between restarts the count."""

import threading

import pytest
from django.db import connection

from quizzes.practice.models import PracticeMode, WrongBookEntry
from quizzes.practice.selectors import practice_next, wrongbook_entries, wrongbook_summary
from quizzes.practice.services import practice_answer, wrongbook_record
from tests.quizzes.practice_factories import QuestionFactory

pytestmark = pytest.mark.django_db

RIGHT, WRONG = [1], [0]


def answer(user, question, response, mode=PracticeMode.WRONGBOOK):
    return practice_answer(user=user, question_id=question.pk, response=response, mode=mode)


def in_book(user, question) -> bool:
    return wrongbook_entries(user).filter(question=question).exists()


def test_wrong_practice_answer_enters_the_book(staff_a):
    question = QuestionFactory()
    assert not in_book(staff_a, question)
    feedback = answer(staff_a, question, WRONG, mode=PracticeMode.RANDOM)
    assert not feedback.is_correct and feedback.in_wrongbook
    entry = WrongBookEntry.objects.get(user=staff_a, question=question)
    assert entry.wrong_count == 1 and entry.last_source == "practice"


def test_correct_answer_to_a_question_not_in_the_book_adds_nothing(staff_a):
    question = QuestionFactory()
    answer(staff_a, question, RIGHT, mode=PracticeMode.RANDOM)
    assert not WrongBookEntry.objects.exists()


def test_two_consecutive_correct_answers_take_it_out(staff_a):
    question = QuestionFactory()
    answer(staff_a, question, WRONG)
    first = answer(staff_a, question, RIGHT)
    assert first.in_wrongbook and first.correct_streak == 1
    assert in_book(staff_a, question)
    second = answer(staff_a, question, RIGHT)
    assert not second.in_wrongbook
    assert not in_book(staff_a, question)
    assert wrongbook_summary(staff_a) == {"active": 0, "cleared": 1}


def test_a_wrong_answer_between_correct_ones_restarts_the_count(staff_a):
    question = QuestionFactory()
    answer(staff_a, question, WRONG)
    answer(staff_a, question, RIGHT)
    answer(staff_a, question, WRONG)
    answer(staff_a, question, RIGHT)
    assert in_book(staff_a, question), "right, wrong, right is not two in a row"
    entry = WrongBookEntry.objects.get(user=staff_a, question=question)
    assert entry.wrong_count == 2 and entry.correct_streak == 1
    answer(staff_a, question, RIGHT)
    assert not in_book(staff_a, question)


def test_a_cleared_question_comes_back_when_answered_wrong_again(staff_a):
    question = QuestionFactory()
    for response in (WRONG, RIGHT, RIGHT):
        answer(staff_a, question, response)
    assert not in_book(staff_a, question)
    answer(staff_a, question, WRONG, mode=PracticeMode.RANDOM)
    assert in_book(staff_a, question)
    assert WrongBookEntry.objects.get(user=staff_a, question=question).correct_streak == 0


def test_a_retried_submission_counts_once(staff_a):
    """A double-tapped or retried post (same token) must not count as two consecutive correct answers."""
    question = QuestionFactory()
    answer(staff_a, question, WRONG)
    practice_answer(user=staff_a, question_id=question.pk, response=RIGHT, mode="wrong", token="t-1")
    again = practice_answer(user=staff_a, question_id=question.pk, response=RIGHT, mode="wrong", token="t-1")
    assert again.in_wrongbook and again.correct_streak == 1
    assert in_book(staff_a, question)


def test_exam_results_feed_the_book_and_count_towards_leaving_it(staff_a):
    q1, q2, q3 = QuestionFactory(), QuestionFactory(), QuestionFactory()
    assert wrongbook_record(user=staff_a, results=[(q1.pk, False), (q2.pk, True), (q3.pk, False)]) == 2
    assert {e.question_id for e in wrongbook_entries(staff_a)} == {q1.pk, q3.pk}
    assert WrongBookEntry.objects.get(user=staff_a, question=q1).last_source == "exam"
    # objects and dicts are accepted too (whatever shape the exam core's results take)
    wrongbook_record(user=staff_a, results=[{"question_id": q1.pk, "is_correct": True}])
    answer(staff_a, q1, RIGHT)
    assert not in_book(staff_a, q1)


def test_the_book_is_personal(staff_a, staff_b):
    question = QuestionFactory()
    answer(staff_a, question, WRONG)
    assert in_book(staff_a, question)
    assert not in_book(staff_b, question)
    assert practice_next(user=staff_b, mode=PracticeMode.WRONGBOOK) is None


def test_redo_walks_through_the_book(staff_a):
    q1, q2 = QuestionFactory(), QuestionFactory()
    answer(staff_a, q1, WRONG, mode=PracticeMode.RANDOM)
    answer(staff_a, q2, WRONG, mode=PracticeMode.RANDOM)
    first = practice_next(user=staff_a, mode=PracticeMode.WRONGBOOK)
    assert first == q1
    answer(staff_a, first, RIGHT)
    assert practice_next(user=staff_a, mode=PracticeMode.WRONGBOOK, exclude_id=q1.pk) == q2


def test_retired_questions_leave_the_visible_book(staff_a):
    question = QuestionFactory()
    answer(staff_a, question, WRONG)
    question.status = question.Status.RETIRED
    question.save()
    assert not in_book(staff_a, question)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_answers_make_one_entry(staff_a):
    question = QuestionFactory()
    errors = []
    barrier = threading.Barrier(8)

    def hit():
        try:
            barrier.wait()
            wrongbook_record(user=staff_a, results=[(question.pk, False)])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    entry = WrongBookEntry.objects.get(user=staff_a, question=question)
    assert entry.wrong_count == 8


def _answer_paper(attempt, *, right: set[int]):
    """Answer every question of the frozen paper: correctly for bank ids in `right`, wrongly otherwise."""
    from quizzes.exams.services import answer_save

    for seq, aq in enumerate(attempt.paper.order_by("position"), start=1):
        snap = aq.snapshot
        if snap["type"] == "fill":
            response = [snap["accepted_answers"][0][0]] if aq.question_id in right else ["不知道"]
        elif aq.question_id in right:
            response = snap["correct"]
        else:
            response = [next(i for i in range(len(snap["options"])) if i not in snap["correct"])]
        answer_save(attempt_id=attempt.pk, user=attempt.user, position=aq.position, response=response, seq=seq)


def test_submitted_exam_feeds_the_book(staff_a, django_capture_on_commit_callbacks):
    from quizzes.exams.services import attempt_start, attempt_submit
    from tests.quizzes.exam_factories import exam_with_sections, make_bank

    category, questions = make_bank(singles=3, multiples=1, truefalse=1, fills=1)
    exam = exam_with_sections(category)
    attempt = attempt_start(exam=exam, user=staff_a)
    right = {questions[0].pk, questions[3].pk}
    _answer_paper(attempt, right=right)
    # leave one question unanswered: it counts as wrong
    attempt.answers.filter(attempt_question__question=questions[1]).delete()
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt_id=attempt.pk, user=staff_a)
    book = {e.question_id: e for e in WrongBookEntry.objects.filter(user=staff_a)}
    assert set(book) == {q.pk for q in questions} - right
    assert all(e.last_source == "exam" and e.is_active for e in book.values())


def test_exam_correct_answers_count_towards_leaving_the_book(staff_a, django_capture_on_commit_callbacks):
    from quizzes.exams.services import attempt_start, attempt_submit
    from tests.quizzes.exam_factories import exam_with_sections, make_bank

    category, questions = make_bank(singles=2, multiples=0, truefalse=0, fills=0)
    target = questions[0]
    answer(staff_a, target, WRONG)
    answer(staff_a, target, RIGHT)  # streak 1
    exam = exam_with_sections(category)
    attempt = attempt_start(exam=exam, user=staff_a)
    _answer_paper(attempt, right={q.pk for q in questions})
    with django_capture_on_commit_callbacks(execute=True):
        attempt_submit(attempt_id=attempt.pk, user=staff_a)
    assert not in_book(staff_a, target), "practice right + exam right = two in a row"


def test_a_failing_book_update_never_fails_the_submission(staff_a, django_capture_on_commit_callbacks, monkeypatch):
    from quizzes.exams.services import attempt_start, attempt_submit
    from quizzes.practice import services as practice_services
    from tests.quizzes.exam_factories import exam_with_sections, make_bank

    def boom(**kwargs):
        raise RuntimeError("book unavailable")

    monkeypatch.setattr(practice_services, "wrongbook_record_attempt", boom)
    category, _questions = make_bank(singles=2, multiples=0, truefalse=0, fills=0)
    attempt = attempt_start(exam=exam_with_sections(category), user=staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        submitted = attempt_submit(attempt_id=attempt.pk, user=staff_a)
    assert submitted.state == "submitted"
