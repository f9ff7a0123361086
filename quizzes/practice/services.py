"""Practice, wrong-answer book, mock exams and certificates: every change lives here.

HTML views, the API and the exam core call these; they decide nothing themselves. Keyword-only, atomic, and the
wrong-answer book row is locked (select_for_update) because practice answers and exam submissions can race.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from quizzes import scoring
from quizzes.bank.models import Question
from quizzes.exams.services import ensure_not_sitting_exam
from quizzes.practice.exceptions import CertificateNotEligible, InvalidResponse, PracticePaused, QuestionUnavailable
from quizzes.practice.models import PracticeAnswer, PracticeMode, PracticeProgress, WrongBookEntry


@dataclass(frozen=True)
class PracticeFeedback:
    """What a person learns after answering one practice question (and only then)."""

    answer: PracticeAnswer
    question: Question
    is_correct: bool
    in_wrongbook: bool
    correct_streak: int

    @property
    def response(self) -> list:
        return self.answer.response


# --- checking an answer -------------------------------------------------------------------------------------------


def clean_response(question: Question, response) -> list:
    """Validate the shape of a response: option indexes (0-based) for choice questions, one text per blank for
    fill-in questions. Raises InvalidResponse with a message naming what is wrong."""
    if response is None or response == "":
        raise InvalidResponse(_("请先作答再提交。"))
    if not isinstance(response, list | tuple):
        response = [response]
    if question.is_choice:
        try:
            indexes = sorted({int(value) for value in response})
        except (TypeError, ValueError) as exc:
            raise InvalidResponse(_("选项无效：请选择题目给出的选项。")) from exc
        if not indexes:
            raise InvalidResponse(_("请先作答再提交。"))
        if any(not 0 <= i < len(question.options) for i in indexes):
            raise InvalidResponse(_("选项无效：请选择题目给出的选项。"))
        if question.type != Question.Type.MULTIPLE and len(indexes) != 1:
            raise InvalidResponse(_("本题只能选择一个答案。"))
        return indexes
    blanks = max(1, len(question.accepted_answers))
    texts = ["" if value is None else str(value)[:200] for value in response][:blanks]
    texts += [""] * (blanks - len(texts))
    if not any(text.strip() for text in texts):
        raise InvalidResponse(_("请先作答再提交。"))
    return texts


def response_is_correct(question: Question, response: list) -> bool:
    """Is a cleaned response fully correct? The exam's scoring rule decides (quizzes.scoring), so practice, the
    wrong-answer book and exams always agree; multiple choice counts as correct only when complete."""
    snapshot = {
        "type": question.type,
        "correct": list(question.correct_options),
        "accepted_answers": [list(a) for a in question.accepted_answers],
    }
    return scoring.is_full_marks(scoring.score_question(snapshot, response, 1), 1)


def self_check(*, user, question_id: int, answer: list) -> dict:
    """Check the answer to a study page's self-check block (随堂自测) and return what the reader learns: whether it
    was right, the right answer, the explanation and its source. The caller has checked that the question sits in a
    self-check block of a live page (quizzes.practice.api); only active questions are checked. Refused
    (ExamInProgress) while the reader sits a counting exam attempt: the answer could be on their paper."""
    from quizzes.bank.selectors import active_question

    ensure_not_sitting_exam(user)
    question = active_question(question_id)
    try:
        correct = response_is_correct(question, clean_response(question, answer))
    except InvalidResponse:
        correct = False
    is_fill = question.type == Question.Type.FILL
    return {
        "correct": correct,
        "correct_options": [] if is_fill else list(question.correct_options),
        "accepted_answers": [" / ".join(a) for a in question.accepted_answers] if is_fill else [],
        "explanation": question.explanation,
        "source": question.source,
    }


# --- wrong-answer book ----------------------------------------------------------------------------------------------


def _result_pairs(results) -> list[tuple[int, bool]]:
    pairs = {}
    for item in results:
        if isinstance(item, tuple | list):
            question_id, correct = item
        elif isinstance(item, dict):
            question_id = item["question_id"]
            correct = item["is_correct"] if "is_correct" in item else item["correct"]
        else:
            question_id = item.question_id
            correct = item.is_correct if hasattr(item, "is_correct") else item.correct
        if question_id is None:
            continue
        pairs[int(question_id)] = bool(correct)
    return sorted(pairs.items())


@transaction.atomic
def wrongbook_record(
    *,
    user,
    results: Iterable,
    source: str = WrongBookEntry.Source.EXAM,
    now: datetime | None = None,
) -> int:
    """Feed the wrong-answer book with the outcome of answered questions (an exam's, usually).

    `results`: (question_id, is_correct) pairs, or dicts/objects with `question_id` and `is_correct` (or
    `correct`). Unanswered questions should be passed as wrong by the caller if they are to enter the book.
    Wrong answers put the question (back) into the book; correct ones count towards leaving it.
    Returns how many questions are in the book after this call among those given.
    """
    now = now or timezone.now()
    outcomes = dict(_result_pairs(results))
    wrong = [q for q, correct in outcomes.items() if not correct]
    right = [q for q, correct in outcomes.items() if correct]
    mine = WrongBookEntry.objects.filter(user_id=user.pk)
    if wrong:  # rows first (a concurrent caller's insert wins and ours is skipped), then one update counts the answer
        WrongBookEntry.objects.bulk_create(
            [
                WrongBookEntry(
                    user_id=user.pk, question_id=q, last_source=source, first_wrong_at=now, last_wrong_at=now
                )
                for q in wrong
            ],
            ignore_conflicts=True,
        )
        mine.filter(question_id__in=wrong).record_wrong(source=source, now=now)
    if right:
        mine.filter(question_id__in=right).record_correct(now=now)
    return mine.active().filter(question_id__in=list(outcomes)).count()


def wrongbook_record_attempt(*, attempt) -> int:
    """Feed the book from a submitted exam attempt (mock ones too): every question of the frozen paper that was
    not fully correct (unanswered included) goes in; fully correct ones count towards leaving the book."""
    from quizzes.exams.models import AttemptAnswer, AttemptQuestion

    if attempt.state != attempt.State.SUBMITTED:
        return 0
    correct = dict(AttemptAnswer.objects.filter(attempt_id=attempt.pk).values_list("attempt_question_id", "is_correct"))
    results = [
        (question_id, bool(correct.get(aq_id)))
        for aq_id, question_id in AttemptQuestion.objects.filter(
            attempt_id=attempt.pk, question__isnull=False
        ).values_list("pk", "question_id")
    ]
    return wrongbook_record(
        user=attempt.user, results=results, source=WrongBookEntry.Source.EXAM, now=attempt.submitted_at
    )


def on_attempt_submitted(sender, attempt, **kwargs) -> None:
    """Receiver of quizzes.signals.attempt_submitted (connected by QuizzesConfig.ready): exams feed the wrong-answer
    book once an attempt's submission is committed (sent on commit, exactly once per attempt). A failure here is
    logged, never turned into a failed submission; the book can be rebuilt from AttemptAnswer rows."""
    try:
        wrongbook_record_attempt(attempt=attempt)
    except Exception:
        logging.getLogger("elearn.quizzes.practice").exception("wrong-answer book update failed for %s", attempt.pk)


# --- practice -------------------------------------------------------------------------------------------------------


@transaction.atomic
def practice_answer(
    *,
    user,
    question_id: int,
    response,
    mode: str = PracticeMode.RANDOM,
    category_id: int | None = None,
    token: str = "",
    now: datetime | None = None,
) -> PracticeFeedback:
    """Check one practice answer on the server, log it, feed the wrong-answer book and (in sequential practice)
    move the person's position. A repeated `token` (a double-tapped or retried submission) returns the first
    outcome and changes nothing, so a retry can never count twice towards leaving the wrong-answer book."""
    now = now or timezone.now()
    if mode not in PracticeMode.values:
        raise InvalidResponse(_("练习方式无效。"))
    token = (token or "")[:40]
    _ensure_not_sitting_exam(user, now)
    if token:
        earlier = PracticeAnswer.objects.filter(user=user, token=token).select_related("question").first()
        if earlier is not None:
            return _feedback(earlier)
    question = Question.objects.active().filter(pk=question_id).first()
    if question is None:
        raise QuestionUnavailable(_("这道题不存在或已停用。"))
    cleaned = clean_response(question, response)
    correct = response_is_correct(question, cleaned)
    try:
        with transaction.atomic():
            answer = PracticeAnswer.objects.create(
                user=user,
                question=question,
                mode=mode,
                response=cleaned,
                is_correct=correct,
                answered_at=now,
                token=token,
            )
    except IntegrityError:  # the same token raced in from another request
        return _feedback(PracticeAnswer.objects.select_related("question").get(user=user, token=token))
    wrongbook_record(user=user, results=[(question.pk, correct)], source=WrongBookEntry.Source.PRACTICE, now=now)
    if mode == PracticeMode.SEQUENTIAL and category_id:
        _progress_advance(user=user, category_id=category_id, question_id=question.pk, correct=correct)
    return _feedback(answer)


def _feedback(answer: PracticeAnswer) -> PracticeFeedback:
    entry = WrongBookEntry.objects.filter(user_id=answer.user_id, question_id=answer.question_id).first()
    return PracticeFeedback(
        answer=answer,
        question=answer.question,
        is_correct=answer.is_correct,
        in_wrongbook=bool(entry and entry.is_active),
        correct_streak=entry.correct_streak if entry else 0,
    )


def practice_feedback(*, user, answer_id: int) -> PracticeFeedback:
    """The feedback of an answer the person gave earlier (the page a form post redirects to). It shows the right
    answer and the explanation, so it is paused like practice while a counting exam attempt is open."""
    _ensure_not_sitting_exam(user, timezone.now())
    answer = PracticeAnswer.objects.select_related("question").filter(pk=answer_id, user=user).first()
    if answer is None:
        raise QuestionUnavailable(_("找不到这条练习记录。"))
    return _feedback(answer)


def _progress_advance(*, user, category_id: int, question_id: int, correct: bool) -> None:
    progress = PracticeProgress.objects.select_for_update().filter(user=user, category_id=category_id).first()
    if progress is None:
        try:
            with transaction.atomic():
                progress = PracticeProgress.objects.create(user=user, category_id=category_id)
        except IntegrityError:
            progress = PracticeProgress.objects.select_for_update().get(user=user, category_id=category_id)
    progress.last_question_id = max(progress.last_question_id, question_id)
    progress.answered += 1
    progress.correct += int(correct)
    progress.save()


@transaction.atomic
def practice_restart(*, user, category_id: int) -> None:
    """Start sequential practice of a category from its first question again."""
    PracticeProgress.objects.filter(user=user, category_id=category_id).delete()


def _ensure_not_sitting_exam(user, now) -> None:
    """Practice reveals answers from the bank that exams draw from: refuse it while a counting attempt is open
    (the exam core's one guard, under practice's own code practice_paused)."""
    ensure_not_sitting_exam(user, now=now, refusal=PracticePaused)


def practice_check_open(*, user, now: datetime | None = None) -> None:
    """Raise PracticePaused while `user` sits a counting exam attempt. The practice screens that only read call it
    before reading: the next question (in redo-my-mistakes it says what is in the book), the wrong-answer book
    (a mock submitted meanwhile feeds it, so it would tell right from wrong) and the practice home page's book
    summary and mock exam list."""
    _ensure_not_sitting_exam(user, now or timezone.now())


# --- mock exams -----------------------------------------------------------------------------------------------------


def mock_start(*, user, exam_id: int, now: datetime | None = None):
    """Start (or resume) a mock attempt (模拟考试) on an exam's rules. The exam core draws, times and scores it
    (exam_services.attempt_start(mock=True)); it never counts towards a grade or a certificate."""
    from quizzes.exams.services import attempt_start
    from quizzes.results.selectors import mock_exams_for

    now = now or timezone.now()
    exam = next((e for e in mock_exams_for(user) if e.pk == exam_id), None)
    if exam is None:
        raise QuestionUnavailable(_("没有可以模拟的这场考试。"))
    _ensure_not_sitting_exam(user, now)
    return attempt_start(exam=exam, user=user, mock=True, now=now)


# --- certificates ---------------------------------------------------------------------------------------------------

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed from paper


def new_certificate_code(rng=None) -> str:
    import secrets

    rng = rng or secrets.SystemRandom()
    raw = "".join(rng.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


@transaction.atomic
def certificate_issue(*, user, exam_id: int, now: datetime | None = None):
    """The certificate of a candidate whose exam grade passes (mock attempts never count). Issued once per
    candidate and exam: the verification code stays; the score follows the grade if a later attempt changes it."""
    from quizzes.exams.models import Exam
    from quizzes.results.models import Certificate
    from quizzes.results.selectors import certificate_grade

    now = now or timezone.now()
    exam = Exam.objects.filter(pk=exam_id).first()
    grade = certificate_grade(exam, user, now) if exam is not None else None
    if grade is None:
        raise CertificateNotEligible()
    # one issue at a time per person (lock the user row; no join, so PostgreSQL accepts FOR UPDATE)
    list(get_user_model().objects.select_for_update().filter(pk=user.pk).order_by().values_list("pk", flat=True))
    certificate = Certificate.objects.filter(user=user, exam=exam).first()
    fields = {
        "attempt": grade.attempt,
        "score": grade.score,
        "max_score": grade.max_score,
        "passed_on": timezone.localdate(grade.passed_at or now),
    }
    if certificate is None:
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    return Certificate.objects.create(
                        code=new_certificate_code(),
                        user=user,
                        exam=exam,
                        holder_name=user.real_name or user.employee_no,
                        institution_name=user.institution.name if user.institution_id else "",
                        exam_title=exam.title,
                        issued_at=now,
                        **fields,
                    )
            except IntegrityError:  # a code collision (1 in 32^12): draw again
                continue
        raise IntegrityError("could not draw a unique certificate code")
    if certificate.score != grade.score:
        for name, value in fields.items():
            setattr(certificate, name, value)
        certificate.save()
    return certificate
