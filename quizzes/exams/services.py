"""Exam services: every change to attempts goes through here (HTML views, API views, the sweeper task and the
management command call these; they decide nothing themselves).

Concurrency: each service runs in one transaction and locks the row that requests race on with
select_for_update (the candidate's user row for starts, the attempt row for saves/submits/sweeps). On SQLite the
transactions are IMMEDIATE, so writers are serialised by the database lock instead. Time is always the server's
`timezone.now()`, read after the lock is taken.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import random
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

from elearn.realtime.broadcast import broadcast
from elearn.realtime.groups import account_group
from quizzes import scoring, timing
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
from quizzes.exams.models import Attempt, AttemptAnswer, AttemptQuestion, Exam, PreparedPaper
from quizzes.exams.papers import (  # noqa: F401  (draw_paper, question_snapshot: the drawing rules' public names)
    PaperRules,
    Pools,
    draw_paper,
    draw_papers,
    freeze,
    holds_picture,
    paper_pictures,
    paper_rules,
    paper_versions,
    question_snapshot,
    section_pools,
    stale_count_sql,
)
from quizzes.exams.selectors import expected_candidates, is_sitting_exam
from quizzes.exams.tasks import announce_attempt_submitted

logger = logging.getLogger("elearn.quizzes.exams")

MAX_FILL_LENGTH = 200
MAX_SEQ = 2**62


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
    *,
    exam: Exam,
    user,
    mock: bool = False,
    now: dt.datetime | None = None,
    rng: random.Random | None = None,
    with_paper: bool = True,
) -> Attempt:
    """Start an attempt, or return the candidate's open one (resume on reload or another device).

    An open attempt whose time ran out is submitted first (finish time = deadline) and returned as it is.
    Mock attempts (模拟考试) ignore the window and the attempt limit and never count; while the candidate sits a
    counting attempt they are refused (ExamInProgress), resuming an open one included: each mock submission shows
    right and wrong, so repeated mocks would reveal the real paper.

    A counting attempt takes a paper drawn ahead (PreparedPaper) when a current one is left, else draws one here by
    the same rules (quizzes.exams.papers); mock attempts always draw their own, leaving the stock to the real
    opening. The attempt starts (started_at, and so its deadline) when the paper is handed out: time spent waiting
    for the server before that (the admission queue) is not the candidate's.

    `with_paper`: the caller answers with the paper (the API), so the new attempt holds its paper's rows in memory.
    False (the page's start, whose answer is a link to the attempt page): a prepared paper is copied without reading
    its 50 rows back.
    """
    try:
        return _attempt_start(
            exam=exam, user=user, mock=mock, now=now, rng=rng, use_prepared=not mock, with_paper=with_paper
        )
    except _PaperTaken:
        # Never expected (the paper's row lock, or SQLite's one writer, keeps a claimed paper from being claimed
        # again): the whole start was rolled back; draw a fresh paper instead.
        logger.warning("exam %s: a prepared paper was claimed twice; drawing instead", exam.pk)
        return _attempt_start(exam=exam, user=user, mock=mock, now=now, rng=rng, use_prepared=False, with_paper=True)
    except IntegrityError:
        # Another request won the race past the lock (the constraint allows one open attempt): resume that one.
        existing = Attempt.objects.filter(exam=exam, user=user, is_mock=mock, state__in=Attempt.OPEN_STATES).first()
        if existing is None:
            raise
        existing.resumed = True
        return existing


class _PaperTaken(Exception):
    """Raised inside the start's transaction when the prepared paper it claimed was claimed by someone else."""


# A handed-out paper is checked against the bank; a stale one is discarded and the next tried, this many times,
# before the start draws its own (the background refresh removes stale papers in bulk).
CLAIM_TRIES = 3


# The claim in one query: the oldest unclaimed paper of the exam drawn under the current rules, locked (PostgreSQL:
# FOR UPDATE SKIP LOCKED, so concurrent starts each get a different one without waiting; SQLite: one writer at a
# time), with the count of its questions changed in the bank since (papers.stale_count_sql): no row of the bank comes
# back to Python.
_CLAIM_SQL = {
    "postgresql": """
        SELECT p.id, p.max_score, {stale} AS stale FROM {pp} p
        WHERE p.exam_id = %s AND p.rules_key = %s AND p.claimed_by_id IS NULL
        ORDER BY p.id LIMIT 1 FOR UPDATE OF p SKIP LOCKED""",
    "sqlite": """
        SELECT p.id, p.max_score, {stale} AS stale FROM {pp} p
        WHERE p.exam_id = %s AND p.rules_key = %s AND p.claimed_by_id IS NULL
        ORDER BY p.id LIMIT 1""",
}


def _claim_prepared(exam: Exam, rules: PaperRules) -> PreparedPaper | None:
    """The oldest current unclaimed paper of this exam, locked. Papers drawn under other rules are never looked at;
    one holding a question changed in the bank since it was drawn is deleted here and the next one tried."""
    sql = (
        _CLAIM_SQL[connection.vendor]
        .strip()
        .format(pp=connection.ops.quote_name(PreparedPaper._meta.db_table), stale=stale_count_sql("p.versions"))
    )
    for _ in range(CLAIM_TRIES):
        paper = next(iter(PreparedPaper.objects.raw(sql, [exam.pk, rules.key])), None)
        if paper is None:
            return None
        if not paper.stale:
            return paper
        paper.delete()
    return None


@transaction.atomic
def _attempt_start(*, exam, user, mock, now, rng, use_prepared, with_paper) -> Attempt:
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
    rules = paper_rules(exam)
    prepared = _claim_prepared(exam, rules) if use_prepared else None
    rows = None
    if prepared is not None:
        max_score = prepared.max_score
    else:
        rng = rng or random.SystemRandom()
        paper = draw_paper(exam, rng=rng, rules=rules)
        if not paper:
            raise EmptyPaper()
        rows = [
            AttemptQuestion(
                position=position,
                question_id=item["question_id"],
                section_title=item["section_title"],
                points=Decimal(item["points"]),
                option_order=item["option_order"],
                snapshot=item["snapshot"],
            )
            for position, item in enumerate(freeze(exam, paper, rng=rng), start=1)
        ]
        max_score = scoring.total(row.points for row in rows)
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
        max_score=max_score,
        grace_period_seconds=None if grace is None else int(grace.total_seconds()),
    )
    answers_qs = AttemptAnswer.objects.none()
    answers_qs._result_cache, answers_qs._prefetch_done = [], True  # a new attempt has none
    attempt._prefetched_objects_cache = {"answers": answers_qs}
    if prepared is not None:
        rows = _copy_prepared_paper(attempt, prepared.pk, returning=with_paper)
        taken = PreparedPaper.objects.filter(pk=prepared.pk, claimed_by__isnull=True).update(
            claimed_by=attempt, claimed_at=now, items=[], versions={}
        )
        if taken != 1:
            raise _PaperTaken()
    else:
        for row in rows:
            row.attempt = attempt
        _insert_paper(attempt, rows)
    if rows is not None:
        # The new paper is already in memory: payloads built right after the start need not read it back.
        # (what prefetch_related stores: querysets whose results are already there)
        paper_qs = AttemptQuestion.objects.filter(attempt=attempt)
        paper_qs._result_cache, paper_qs._prefetch_done = rows, True
        attempt._prefetched_objects_cache["paper"] = paper_qs
    attempt.resumed = False
    return attempt


PAPER_COLUMNS = ("attempt", "position", "question", "section_title", "points", "option_order", "snapshot")


def _insert_paper(attempt: Attempt, rows: list[AttemptQuestion]) -> None:
    """The attempt's paper in one INSERT of plain values, the JSON columns as text (PostgreSQL casts an untyped text
    parameter to jsonb; SQLite stores the text). It is the start's biggest write: measured on PostgreSQL for a
    50-question paper, 0.9 ms of CPU against 2.6 ms for bulk_create (Django's work per field and value) and 12 ms for
    Django 5.2's default UNNEST form (whose jsonb[] literal psycopg escapes one quote at a time). Portable SQL, every
    value a parameter, like the bank's tag links (quizzes.bank.services); the rows get their ids back."""
    if not rows:
        return
    fields = [AttemptQuestion._meta.get_field(name) for name in PAPER_COLUMNS]
    points = AttemptQuestion._meta.get_field("points")
    table = connection.ops.quote_name(AttemptQuestion._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(rows))
    params = []
    for row in rows:
        params += [
            attempt.pk,
            row.position,
            row.question_id,
            row.section_title,
            points.get_db_prep_save(row.points, connection),
            json.dumps(row.option_order, ensure_ascii=False),
            json.dumps(row.snapshot, ensure_ascii=False),
        ]
    pk, position = (connection.ops.quote_name(AttemptQuestion._meta.get_field(f).column) for f in ("id", "position"))
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING {pk}, {position}", params)
        ids = {p: i for i, p in cursor.fetchall()}
    for row in rows:  # saved rows, as bulk_create leaves them (RETURNING: PostgreSQL, SQLite 3.35+)
        row.pk = ids[row.position]
        row._state.adding, row._state.db = False, connection.alias


# A prepared paper's items copied into the attempt's paper by the database, one row per item in order: no JSON is
# parsed or written in Python (measured: a third of a start's CPU went into reading the items and writing them back).
_COPY_PAPER_SQL = {
    "postgresql": """
        INSERT INTO {aq} ({columns})
        SELECT %s, t.position, (t.item->>'question_id')::bigint, t.item->>'section_title',
               (t.item->>'points')::numeric, t.item->'option_order', t.item->'snapshot'
        FROM {pp} p CROSS JOIN LATERAL jsonb_array_elements(p.items) WITH ORDINALITY AS t(item, position)
        WHERE p.id = %s""",
    "sqlite": """
        INSERT INTO {aq} ({columns})
        SELECT %s, t.key + 1, json_extract(t.value, '$.question_id'), json_extract(t.value, '$.section_title'),
               json_extract(t.value, '$.points'), json_extract(t.value, '$.option_order'),
               json_extract(t.value, '$.snapshot')
        FROM {pp} p, json_each(p.items) t
        WHERE p.id = %s""",
}


def _copy_prepared_paper(attempt: Attempt, paper_pk: int, *, returning: bool) -> list[AttemptQuestion] | None:
    """The claimed paper's items become the attempt's AttemptQuestion rows (position = the item's place, from 1),
    in one INSERT ... SELECT inside the start's transaction. With `returning`, the inserted rows come back from its
    RETURNING clause (through the ORM's raw query, which converts the values as a SELECT would), so the start's
    answer does not read the paper again; without, nothing comes back (None)."""
    quote = connection.ops.quote_name
    columns = ", ".join(quote(AttemptQuestion._meta.get_field(name).column) for name in PAPER_COLUMNS)
    returned = ", ".join(quote(field.column) for field in AttemptQuestion._meta.concrete_fields)
    sql = (
        _COPY_PAPER_SQL[connection.vendor]
        .strip()
        .format(aq=quote(AttemptQuestion._meta.db_table), pp=quote(PreparedPaper._meta.db_table), columns=columns)
    )
    if not returning:
        with connection.cursor() as cursor:
            cursor.execute(sql, [attempt.pk, paper_pk])
        return None
    rows = list(AttemptQuestion.objects.raw(f"{sql} RETURNING {returned}", [attempt.pk, paper_pk]))
    for row in rows:
        row.attempt = attempt
    return sorted(rows, key=lambda row: row.position)


def _bulk_create_plain(model, rows: list, json_field: str, batch_size: int | None = None) -> None:
    """bulk_create as plain multi-row INSERTs. Django 5.2 sends a batch to PostgreSQL as UNNEST over one array per
    column, and psycopg then writes a jsonb[] array as text, escaping every quote inside every JSON document one
    regular-expression match at a time: measured 12 ms of CPU for a 50-question paper's snapshots, half of a start.
    One value given as an expression keeps Django on its VALUES list (SQLInsertCompiler: a value with as_sql cannot
    go into an array); the stored JSON is the same."""
    if not rows:
        return
    field = model._meta.get_field(json_field)
    for start in range(0, len(rows), batch_size or len(rows)):
        first = rows[start]
        value = getattr(first, json_field)
        setattr(first, json_field, Value(value, output_field=field))
        try:
            model.objects.bulk_create(rows[start : start + (batch_size or len(rows))])
        finally:
            setattr(first, json_field, value)


# --------------------------------------------------------------------------- papers drawn ahead (预生成试卷)


def _setting(name: str, default):
    return getattr(settings, name, default)


def paper_target(expected: int) -> int:
    """How many unclaimed papers to keep for `expected` first-time candidates: one each plus a margin
    (ELEARN_EXAM_PAPERS_MARGIN, a fraction, default 5 %, at least ELEARN_EXAM_PAPERS_MARGIN_MIN, default 10, papers),
    never more than ELEARN_EXAM_PAPERS_MAX (default 20,000). Nobody left to start: none."""
    if expected <= 0:
        return 0
    margin = max(math.ceil(expected * float(_setting("ELEARN_EXAM_PAPERS_MARGIN", 0.05))),
                 int(_setting("ELEARN_EXAM_PAPERS_MARGIN_MIN", 10)))  # fmt: skip
    return min(expected + margin, int(_setting("ELEARN_EXAM_PAPERS_MAX", 20_000)))


@dataclass(frozen=True)
class PrepareResult:
    exam_id: int
    target: int  # unclaimed current papers wanted
    stock: int  # unclaimed current papers after this run
    drawn: int  # papers drawn by this run
    discarded: int  # unclaimed papers deleted by this run (other rules, changed questions, an older pool)
    pictures_failed: tuple[int, ...] = ()  # library pictures that did not render: no paper showing them stored


def _discard(queryset) -> int:
    """Delete unclaimed papers (a paper claimed meanwhile is not touched: the filter is re-checked under its lock)."""
    return queryset.filter(claimed_by__isnull=True).delete()[0]


def _discard_stale(exam: Exam, rules: PaperRules) -> int:
    """Delete the unclaimed papers drawn under other rules, and those holding a question changed in the bank (the
    claim's own check, papers.stale_count_sql, over the exam's stock in one statement)."""
    discarded = _discard(PreparedPaper.objects.filter(exam_id=exam.pk).exclude(rules_key=rules.key))
    quote = connection.ops.quote_name
    versions = f"{quote(PreparedPaper._meta.db_table)}.{quote(PreparedPaper._meta.get_field('versions').column)}"
    changed = PreparedPaper.objects.filter(exam_id=exam.pk).alias(stale=RawSQL(stale_count_sql(versions), ()))
    return discarded + _discard(changed.filter(stale__gt=0))


def _current_stock(exam: Exam, rules: PaperRules, pools: Pools):
    return PreparedPaper.objects.unclaimed().filter(exam_id=exam.pk, rules_key=rules.key, pool_key=pools.key)


def _note_pictures_failed(exam: Exam, pictures_failed: tuple[int, ...]) -> None:
    """Keep on the exam, for the admin's exam list, the pictures that stopped this run (written only when changed)."""
    if list(pictures_failed) != list(exam.papers_pictures_failed or []):
        Exam.objects.filter(pk=exam.pk).update(papers_pictures_failed=list(pictures_failed))


def exam_papers_prepare(
    *,
    exam_id: int,
    target: int | None = None,
    batch: int | None = None,
    now: dt.datetime | None = None,
    rng: random.Random | None = None,
) -> PrepareResult:
    """Bring an exam's stock of papers drawn ahead (预生成试卷) to its target, in batches.

    Published exams that have not closed keep one unclaimed paper per expected first-time candidate plus a margin
    (selectors.expected_candidates, paper_target; `target` overrides). First the stale papers go: unclaimed ones
    drawn under other rules (sections, shuffles, the category tree below the sections) or holding a question changed
    in the bank since. Then batches of `batch` papers (ELEARN_EXAM_PAPERS_BATCH, default 100) are drawn outside any
    transaction (reads only: nothing waits for the drawing) by the same code as a start draws with, and each batch
    is stored in one short transaction that locks the exam's row (two runs never both fill the same gap) and checks
    that the rules did not change meanwhile (if they did the run stops: the change's own run draws under the new
    rules). A paper showing a library picture that does not render (papers.picture_urls) is not stored, so that no
    paper outlives the failure with the picture missing; the others are, and the run stops when a batch has none
    (PrepareResult.pictures_failed, kept on the exam for its admin list; the next run tries the picture again).
    Papers drawn from an older pool of questions (a question added to or removed from a section's pool) are
    valid draws but are replaced: they count as stock only until the new ones are stored. A draft or closed exam
    keeps no unclaimed papers. Safe to run twice at once; idempotent when nothing changed.
    """
    now = now or timezone.now()
    exam = Exam.objects.filter(pk=exam_id).first()
    if exam is None:
        return PrepareResult(exam_id, 0, 0, 0, 0)
    if exam.status != Exam.Status.PUBLISHED or exam.is_closed(now):
        _note_pictures_failed(exam, ())
        return PrepareResult(exam_id, 0, 0, 0, _discard(PreparedPaper.objects.filter(exam_id=exam.pk)))
    rules = paper_rules(exam)
    discarded = _discard_stale(exam, rules)
    target = paper_target(expected_candidates(exam)) if target is None else max(0, target)
    batch = max(1, batch or int(_setting("ELEARN_EXAM_PAPERS_BATCH", 100)))
    rng = rng or random.SystemRandom()
    pools = section_pools(exam, rules)
    drawn = 0
    failed_pictures: set[int] = set()
    while True:
        missing = target - _current_stock(exam, rules, pools).count()
        if missing <= 0:
            break
        papers = [paper for paper in draw_papers(exam, min(batch, missing), rng=rng, rules=rules, pools=pools) if paper]
        if not papers:
            break  # the rules draw nothing (an empty bank): starts will say so (EmptyPaper)
        papers = [paper for paper in papers if not holds_picture(paper, failed_pictures)]
        pictures, failed = paper_pictures(papers, check_files=True)
        if failed:
            failed_pictures |= failed
            logger.warning("exam %s: papers showing picture(s) %s are not drawn ahead: they did not render", exam.pk,
                           ", ".join(map(str, sorted(failed))))  # fmt: skip
            papers = [paper for paper in papers if not holds_picture(paper, failed)]
        if not papers:
            break  # every paper drawn shows a picture that does not render (a fixed question, a small pool)
        built = [
            PreparedPaper(
                exam_id=exam.pk,
                rules_key=rules.key,
                pool_key=pools.key,
                items=freeze(exam, paper, rng=rng, pictures=pictures),
                versions=paper_versions(paper),
                max_score=scoring.total(points for _q, points, _t in paper),
                created_at=now,
            )
            for paper in papers
        ]
        with transaction.atomic():
            locked = Exam.objects.select_for_update().filter(pk=exam.pk).first()
            if locked is None or locked.status != Exam.Status.PUBLISHED or paper_rules(locked).key != rules.key:
                break
            room = target - _current_stock(exam, rules, pools).count()
            _bulk_create_plain(PreparedPaper, built[: max(0, room)], "items", batch_size=50)
        drawn += max(0, min(room, len(built)))
    stock = _current_stock(exam, rules, pools).count()
    if stock >= target:
        older_pool = PreparedPaper.objects.filter(exam_id=exam.pk, rules_key=rules.key).exclude(pool_key=pools.key)
        discarded += _discard(older_pool)
    pictures_failed = tuple(sorted(failed_pictures))
    _note_pictures_failed(exam, pictures_failed)
    if drawn or discarded:
        logger.info("exam %s: %s paper(s) drawn ahead, %s discarded, %s in stock", exam.pk, drawn, discarded, stock)
    return PrepareResult(exam.pk, target, stock, drawn, discarded, pictures_failed)


def exams_needing_papers(now: dt.datetime | None = None) -> list[int]:
    """Published exams that have not closed: the ones whose stock the periodic refresh looks after."""
    now = now or timezone.now()
    return list(Exam.objects.published().filter(closes_at__gt=now).order_by("opens_at").values_list("pk", flat=True))


def exam_papers_refresh(*, now: dt.datetime | None = None) -> list[PrepareResult]:
    """exam_papers_prepare for every published exam that has not closed, and nothing left for the others."""
    now = now or timezone.now()
    results = [exam_papers_prepare(exam_id=pk, now=now) for pk in exams_needing_papers(now)]
    leftover = PreparedPaper.objects.unclaimed().exclude(exam_id__in=[r.exam_id for r in results])
    gone = _discard(leftover)
    if gone:
        logger.info("discarded %s paper(s) drawn ahead for exams that closed or were unpublished", gone)
    return results


# --------------------------------------------------------------------------- access, save


def _locked_attempt(attempt_id: int, user=None, *, with_exam: bool = True) -> Attempt:
    """The attempt, locked, for its candidate. `with_exam=False` leaves the exam's row unread (an answer save needs it
    only when the time has run out and the attempt is submitted: then `attempt.exam` reads it)."""
    queryset = Attempt.objects.select_for_update(of=("self",))
    try:
        attempt = (queryset.select_related("exam") if with_exam else queryset).get(pk=attempt_id)
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
        # The most frequent write of an exam: the exam's row (two dozen columns) is not read for it.
        attempt = _locked_attempt(attempt_id, user, with_exam=False)
        now = now or timezone.now()
        if not attempt.is_open:
            raise AttemptClosed()
        phase = _touch(attempt, now)
        if phase in (timing.Phase.GRACE, timing.Phase.EXPIRED):
            late_error = TooLate()
        else:
            try:  # the question and its stored answer, if any, in one read
                aq = AttemptQuestion.objects.select_related("answer").get(attempt_id=attempt.pk, position=position)
            except (AttemptQuestion.DoesNotExist, ValueError, TypeError):
                raise NoSuchQuestion() from None
            cleaned = clean_response(aq, response)
            answer = getattr(aq, "answer", None)
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
