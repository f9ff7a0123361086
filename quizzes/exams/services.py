"""Exam services: every change to attempts goes through here (HTML views, API views, the sweeper task and the
management command call these; they decide nothing themselves).

Concurrency: each service runs in one transaction and locks the row that requests race on with
select_for_update (the candidate's user row for starts, the attempt row for saves/submits/sweeps). On SQLite the
transactions are IMMEDIATE, so writers are serialised by the database lock instead. Time is always the server's
`timezone.now()`, read after the lock is taken.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from elearn.realtime.broadcast import broadcast
from elearn.realtime.groups import account_group
from quizzes import scoring, timing
from quizzes.bank.models import Question
from quizzes.exams.exceptions import (
    AttemptClosed,
    EmptyPaper,
    ExamInProgress,
    ExamNotOpen,
    InvalidAnswer,
    NoAttemptsLeft,
    NoSuchQuestion,
    NotInAudience,
    NotYourAttempt,
    TooLate,
)
from quizzes.exams.models import Attempt, AttemptAnswer, AttemptQuestion, Exam
from quizzes.exams.selectors import is_sitting_exam
from quizzes.exams.tasks import announce_attempt_submitted

logger = logging.getLogger("elearn.quizzes.exams")

MAX_FILL_LENGTH = 200
MAX_SEQ = 2**62


# --------------------------------------------------------------------------- paper


SNAPSHOT_FIELDS = (
    "id", "type", "stem", "image_id", "options", "correct_options", "accepted_answers", "explanation",
    "source_law", "source_article", "source_url",
)  # fmt: skip


def _image_url(image_id: int | None) -> str:
    if not image_id:
        return ""
    try:
        from wagtail.images import get_image_model

        return get_image_model().objects.get(pk=image_id).get_rendition("max-800x800").url
    except Exception:  # a missing image file must not stop an exam
        logger.warning("image %s: rendition failed", image_id, exc_info=True)
        return ""


def question_snapshot(question, *, shuffle_options: bool, rng: random.Random) -> tuple[dict, list[int]]:
    """A frozen copy of a bank question (a Question, or a dict of SNAPSHOT_FIELDS) with its options in the order
    this candidate sees them. Returns (snapshot, option_order): option_order[i] is the bank index of displayed
    option i, and the snapshot's "correct" indexes refer to the displayed order."""
    q = question if isinstance(question, dict) else {f: getattr(question, f) for f in SNAPSHOT_FIELDS}
    options = list(q["options"] or [])
    order = list(range(len(options)))
    if shuffle_options and q["type"] in (Question.Type.SINGLE, Question.Type.MULTIPLE):
        rng.shuffle(order)
    position_of = {bank_index: shown for shown, bank_index in enumerate(order)}
    snapshot = {
        "type": q["type"],
        "stem": q["stem"],
        "image_url": _image_url(q["image_id"]),
        "options": [options[i] for i in order],
        "correct": sorted(position_of[i] for i in q["correct_options"] or [] if i in position_of),
        "accepted_answers": [list(b) for b in q["accepted_answers"] or []] if q["type"] == "fill" else [],
        "explanation": q["explanation"],
        "source": " ".join(p for p in (q["source_law"], q["source_article"]) if p),
        "source_url": q["source_url"],
        "question_id": q["id"],
    }
    return snapshot, order


def draw_paper(exam: Exam, *, rng: random.Random) -> list[tuple[dict, object, str]]:
    """Questions for a new paper: [(question as a dict of SNAPSHOT_FIELDS, points, section title)], sections in
    order, each drawing up to `count` active questions (fewer when the bank has fewer), never one twice.
    Ids are chosen first (cheap id-only queries); the chosen rows are then read in one query."""
    chosen: set[int] = set()
    plan = []
    descendants: dict[int, list[int]] = {}
    for section in exam.sections.all().select_related("category"):
        fixed = section.fixed_ids
        if fixed:
            ids = [i for i in dict.fromkeys(fixed) if i not in chosen]
        else:
            qs = Question.objects.active()
            if section.question_type:
                qs = qs.filter(type=section.question_type)
            if section.category_id:
                if section.category_id not in descendants:
                    descendants[section.category_id] = section.category.descendant_ids()
                qs = qs.filter(category_id__in=descendants[section.category_id])
            if section.difficulty:
                qs = qs.filter(difficulty=section.difficulty)
            pool = [i for i in qs.order_by().values_list("pk", flat=True) if i not in chosen]
            ids = rng.sample(pool, min(section.count, len(pool)))
            if not exam.shuffle_questions:
                ids.sort()
        chosen.update(ids)
        plan.append((section, ids))
    rows = {r["id"]: r for r in Question.objects.filter(pk__in=chosen).order_by().values(*SNAPSHOT_FIELDS)}
    paper = []
    for section, ids in plan:
        picked = [rows[i] for i in ids if i in rows]
        if exam.shuffle_questions:
            rng.shuffle(picked)
        title = section.title or section.get_question_type_display()
        paper.extend((q, section.points, title) for q in picked)
    return paper


# --------------------------------------------------------------------------- sitting an exam


def ensure_not_sitting_exam(user, *, now: dt.datetime | None = None, refusal: type[Exception] = ExamInProgress) -> None:
    """The one guard for exam integrity: raise `refusal` (ExamInProgress, code exam_in_progress, unless a capability
    names its own subclass, e.g. practice's PracticePaused) while `user` has a counting attempt open
    (quizzes.exams.selectors.is_sitting_exam).

    Every entry point that could tell a candidate whether an answer is right goes through it, by its capability's
    service: starting (or resuming) a mock exam by any route (attempt_start(mock=True)); practice (answering, the
    next question, an earlier answer's feedback, the wrong-answer book); self-check blocks; live games (joining,
    connecting, answering; hosts other than bank managers). Reviews of other attempts are withheld rather than
    refused (quizzes.exams.selectors.review_options). A refusal changes nothing."""
    if is_sitting_exam(user, now):
        raise refusal()


# --------------------------------------------------------------------------- start


def _lock_user(user) -> None:
    list(get_user_model().objects.select_for_update(of=("self",)).filter(pk=user.pk).order_by().values_list("pk"))


def attempt_start(
    *, exam: Exam, user, mock: bool = False, now: dt.datetime | None = None, rng: random.Random | None = None
) -> Attempt:
    """Start an attempt, or return the candidate's open one (resume on reload or another device).

    An open attempt whose time ran out is submitted first (finish time = deadline) and returned as it is.
    Mock attempts (模拟考试) ignore the window and the attempt limit and never count; while the candidate sits a
    counting attempt they are refused (ExamInProgress), resuming an open one included: each mock submission shows
    right and wrong, so repeated mocks would reveal the real paper.
    """
    try:
        return _attempt_start(exam=exam, user=user, mock=mock, now=now, rng=rng)
    except IntegrityError:
        # Another request won the race past the lock (the constraint allows one open attempt): resume that one.
        existing = Attempt.objects.filter(exam=exam, user=user, is_mock=mock, state__in=Attempt.OPEN_STATES).first()
        if existing is None:
            raise
        existing.resumed = True
        return existing


@transaction.atomic
def _attempt_start(*, exam, user, mock, now, rng) -> Attempt:
    _lock_user(user)  # a real start and a mock start of the same person are serialised here
    now = now or timezone.now()
    if mock:
        ensure_not_sitting_exam(user, now=now)
    mine = list(Attempt.objects.select_for_update(of=("self",)).filter(exam=exam, user=user, is_mock=mock))
    open_attempt = next((a for a in mine if a.is_open), None)
    if open_attempt is not None:
        open_attempt.exam = exam
        _touch(open_attempt, now)
        open_attempt.resumed = True
        return open_attempt
    if not exam.is_for(user):
        raise NotInAudience()
    if not mock:
        if not exam.is_open(now):
            raise ExamNotOpen()
        if not exam.unlimited_attempts and len(mine) >= exam.attempts_allowed:
            raise NoAttemptsLeft()
    rng = rng or random.SystemRandom()
    paper = draw_paper(exam, rng=rng)
    if not paper:
        raise EmptyPaper()
    number = max((a.number for a in mine), default=0) + 1
    # A mock attempt is not cut short by the exam's close time (it does not count); a real one is.
    closes_at = None if mock else exam.closes_at
    grace = exam.grace_period
    if not mock:
        # A live game must stop showing this person answers at once: their connected phone or console is closed.
        group = account_group(user.pk)
        transaction.on_commit(lambda: broadcast(group, {"type": "account.exam_started"}))
    attempt = Attempt.objects.create(
        exam=exam,
        user=user,
        number=number,
        is_mock=mock,
        state=Attempt.State.IN_PROGRESS,
        started_at=now,
        deadline=timing.attempt_deadline(now, exam.time_limit, closes_at),
        max_score=scoring.total(points for _, points, _ in paper),
        grace_period_seconds=None if grace is None else int(grace.total_seconds()),
    )
    rows = []
    for position, (question, points, section_title) in enumerate(paper, start=1):
        snapshot, order = question_snapshot(question, shuffle_options=exam.shuffle_options, rng=rng)
        rows.append(
            AttemptQuestion(
                attempt=attempt,
                position=position,
                question_id=question["id"],
                section_title=str(section_title)[:60],
                points=points,
                option_order=order,
                snapshot=snapshot,
            )
        )
    AttemptQuestion.objects.bulk_create(rows)
    # The new paper is already in memory: payloads built right after the start need not read it back.
    # (what prefetch_related stores: querysets whose results are already there)
    paper_qs, answers_qs = AttemptQuestion.objects.filter(attempt=attempt), AttemptAnswer.objects.none()
    paper_qs._result_cache, paper_qs._prefetch_done = rows, True
    answers_qs._result_cache, answers_qs._prefetch_done = [], True
    attempt._prefetched_objects_cache = {"paper": paper_qs, "answers": answers_qs}
    attempt.resumed = False
    return attempt


# --------------------------------------------------------------------------- access, save


def _locked_attempt(attempt_id: int, user=None) -> Attempt:
    try:
        attempt = Attempt.objects.select_for_update(of=("self",)).select_related("exam").get(pk=attempt_id)
    except (Attempt.DoesNotExist, ValueError, TypeError):
        raise NotYourAttempt() from None
    if user is not None and attempt.user_id != user.pk:
        raise NotYourAttempt()
    return attempt


def _touch(attempt: Attempt, now: dt.datetime) -> timing.Phase | None:
    """Apply the time rules to a locked open attempt: submit it when expired, mark it overdue in the grace period.
    Returns the phase (None when the attempt is already submitted)."""
    if not attempt.is_open:
        return None
    phase = attempt.phase(now)
    if phase == timing.Phase.EXPIRED:
        _finalise(attempt, finished_at=attempt.deadline, reason=Attempt.FinishReason.TIME_UP)
    elif phase == timing.Phase.GRACE and attempt.state == Attempt.State.IN_PROGRESS:
        attempt.state = Attempt.State.OVERDUE
        attempt.save(update_fields=["state"])
    return phase


def attempt_access(*, attempt_id: int, user=None, now: dt.datetime | None = None) -> Attempt:
    """Fetch an attempt for its candidate, applying the time rules first (an expired attempt is submitted now)."""
    try:
        attempt = Attempt.objects.select_related("exam").get(pk=attempt_id)
    except (Attempt.DoesNotExist, ValueError, TypeError):
        raise NotYourAttempt() from None
    if user is not None and attempt.user_id != user.pk:
        raise NotYourAttempt()
    check = now or timezone.now()
    if attempt.is_open and attempt.phase(check) not in (timing.Phase.OPEN, timing.Phase.NETWORK_GRACE):
        with transaction.atomic():
            attempt = _locked_attempt(attempt_id, user)
            _touch(attempt, now or timezone.now())
    return attempt


@dataclass(frozen=True)
class SaveResult:
    position: int
    seq: int
    response: list
    flagged: bool
    stored: bool  # False: an older or repeated save, nothing was written (the stored answer is returned)
    saved_at: dt.datetime
    seconds_remaining: int | None


def clean_response(aq: AttemptQuestion, response) -> list:
    """Validate a response against the frozen question; raise InvalidAnswer naming what is wrong."""
    if response is None:
        return []
    if not isinstance(response, list):
        raise InvalidAnswer("答案必须是列表。")
    qtype = aq.qtype
    if qtype == "fill":
        blanks = aq.blanks
        if len(response) > blanks:
            raise InvalidAnswer(f"第 {aq.position} 题只有 {blanks} 个空。")
        if any(not isinstance(r, str) for r in response):
            raise InvalidAnswer("填空题答案必须是文字。")
        if any(len(r) > MAX_FILL_LENGTH for r in response):
            raise InvalidAnswer(f"每空答案不能超过 {MAX_FILL_LENGTH} 个字。")
        return list(response)
    n = len(aq.snapshot.get("options") or [])
    if any(isinstance(r, bool) or not isinstance(r, int) or not 0 <= r < n for r in response):
        raise InvalidAnswer(f"第 {aq.position} 题的选项序号必须在 0 到 {n - 1} 之间。")
    cleaned = sorted(set(response))
    if qtype in ("single", "truefalse") and len(cleaned) > 1:
        raise InvalidAnswer(f"第 {aq.position} 题只能选一项。")
    return cleaned


def answer_save(
    *,
    attempt_id: int,
    user,
    position: int,
    response,
    seq: int,
    flagged: bool | None = None,
    now: dt.datetime | None = None,
) -> SaveResult:
    """Store one answer at once. Idempotent: a save whose `seq` is not newer than the stored one writes nothing
    and returns what is stored. Refused (TooLate, nothing stored) after deadline + 60 s network grace."""
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 < seq < MAX_SEQ:
        raise InvalidAnswer("序号必须是正整数。")
    late_error = None
    with transaction.atomic():
        attempt = _locked_attempt(attempt_id, user)
        now = now or timezone.now()
        if not attempt.is_open:
            raise AttemptClosed()
        phase = _touch(attempt, now)
        if phase in (timing.Phase.GRACE, timing.Phase.EXPIRED):
            late_error = TooLate()
        else:
            try:
                aq = AttemptQuestion.objects.get(attempt_id=attempt.pk, position=position)
            except (AttemptQuestion.DoesNotExist, ValueError, TypeError):
                raise NoSuchQuestion() from None
            cleaned = clean_response(aq, response)
            answer = AttemptAnswer.objects.filter(attempt_question=aq).first()
            remaining = attempt.seconds_remaining(now)
            if answer is not None and seq <= answer.seq:
                return SaveResult(
                    position, answer.seq, answer.response, answer.flagged, False, answer.saved_at, remaining
                )
            if answer is None:
                answer = AttemptAnswer(attempt=attempt, attempt_question=aq)
            answer.response = cleaned
            answer.seq = seq
            if flagged is not None:
                answer.flagged = bool(flagged)
            answer.saved_at = now
            answer.save()
            return SaveResult(position, seq, cleaned, answer.flagged, True, now, remaining)
    # Outside the transaction: the overdue/expired state change above is committed, the answer is not stored.
    raise late_error


# --------------------------------------------------------------------------- submit, sweep, tab switches


def _finalise(attempt: Attempt, *, finished_at: dt.datetime, reason: str) -> None:
    """Score and submit a locked open attempt (exactly once: callers hold the row lock and checked the state)."""
    mode = attempt.exam.multiple_scoring
    paper = list(AttemptQuestion.objects.filter(attempt_id=attempt.pk).order_by("position"))
    answers = {a.attempt_question_id: a for a in AttemptAnswer.objects.filter(attempt_id=attempt.pk)}
    scores = []
    changed = []
    for aq in paper:
        answer = answers.get(aq.pk)
        score = scoring.score_question(aq.snapshot, answer.response if answer else [], aq.points, mode)
        scores.append(score)
        if answer is not None:
            answer.score = score
            answer.is_correct = scoring.is_full_marks(score, aq.points)
            changed.append(answer)
    if changed:
        AttemptAnswer.objects.bulk_update(changed, ["score", "is_correct"])
    attempt.score = scoring.total(scores)
    attempt.max_score = scoring.total(aq.points for aq in paper)
    attempt.passed = scoring.is_pass(attempt.score, attempt.max_score, attempt.exam.pass_mark)
    attempt.state = Attempt.State.SUBMITTED
    attempt.submitted_at = finished_at
    attempt.finish_reason = reason
    attempt.save(update_fields=["score", "max_score", "passed", "state", "submitted_at", "finish_reason"])
    attempt_pk = attempt.pk
    # After commit, tell the other areas (wrong-answer book, leaderboards, certificates) through a django-tasks
    # task: run at once by the immediate backend (the default), by a worker with the database backend, so that
    # their work can leave the request that submits.
    transaction.on_commit(lambda: _announce_submitted(attempt_pk))


def _announce_submitted(attempt_pk: int) -> None:
    announce_attempt_submitted.enqueue(attempt_pk)


def attempt_submit(*, attempt_id: int, user=None, now: dt.datetime | None = None) -> Attempt:
    """The candidate submits (or the client auto-submits when the countdown ends). Submitting twice, or racing the
    sweeper, finalises once: the second caller gets the submitted attempt back."""
    with transaction.atomic():
        attempt = _locked_attempt(attempt_id, user)
        if not attempt.is_open:
            return attempt
        now = now or timezone.now()
        phase = attempt.phase(now)
        if phase == timing.Phase.EXPIRED:
            _finalise(attempt, finished_at=attempt.deadline, reason=Attempt.FinishReason.TIME_UP)
        else:
            finished = timing.finish_time(attempt.deadline, now, attempt.grace_period)
            reason = Attempt.FinishReason.MANUAL if phase == timing.Phase.OPEN else Attempt.FinishReason.TIME_UP
            _finalise(attempt, finished_at=finished, reason=reason)
        return attempt


def attempt_tab_switch(*, attempt_id: int, user, now: dt.datetime | None = None) -> Attempt:
    """Count one switch away from the exam page; with the auto-submit policy, submit at the limit."""
    with transaction.atomic():
        attempt = _locked_attempt(attempt_id, user)
        now = now or timezone.now()
        if not attempt.is_open or _touch(attempt, now) in (timing.Phase.EXPIRED,):
            return attempt
        attempt.tab_switches += 1
        attempt.save(update_fields=["tab_switches"])
        exam = attempt.exam
        if (
            exam.tab_switch_policy == Exam.TabSwitchPolicy.AUTOSUBMIT
            and attempt.tab_switches >= exam.tab_switch_limit
            and attempt.is_open
        ):
            _finalise(
                attempt,
                finished_at=timing.finish_time(attempt.deadline, now, attempt.grace_period),
                reason=Attempt.FinishReason.TAB_SWITCH,
            )
        return attempt


def attempt_sweep(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Submit every expired open attempt with finish time = its deadline; mark grace-period ones overdue.
    Safe to run twice at once: each attempt is locked (skipping rows another sweeper or a request holds) and its
    state re-checked under the lock. Returns how many attempts this call submitted."""
    now = now or timezone.now()
    candidates = list(
        Attempt.objects.filter(state__in=Attempt.OPEN_STATES, deadline__lt=now - timing.NETWORK_GRACE)
        .order_by("deadline")
        .values_list("pk", flat=True)[: max(1, batch) * 20]
    )
    submitted = 0
    for pk in candidates:
        with transaction.atomic():
            attempt = (
                Attempt.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("exam")
                .filter(pk=pk, state__in=Attempt.OPEN_STATES)
                .first()
            )
            if attempt is None:
                continue
            phase = attempt.phase(now)
            if phase == timing.Phase.EXPIRED:
                _finalise(attempt, finished_at=attempt.deadline, reason=Attempt.FinishReason.SWEPT)
                submitted += 1
            elif phase == timing.Phase.GRACE and attempt.state == Attempt.State.IN_PROGRESS:
                attempt.state = Attempt.State.OVERDUE
                attempt.save(update_fields=["state"])
    if submitted:
        logger.info("sweeper submitted %s overdue attempt(s)", submitted)
    return submitted
