"""Papers drawn ahead, raced on PostgreSQL with real threads (SQLite serialises writers and ignores
select_for_update, so these are skipped there): two candidates never receive the same prepared paper, a claim never
waits for another, and preparation runs racing each other or the starts stay correct."""

import random
import threading
import time

import pytest
from django.db import connection, transaction

from quizzes.exams import services as svc
from quizzes.exams.models import Attempt, PreparedPaper
from quizzes.exams.papers import paper_rules
from tests.factories import UserFactory
from tests.quizzes.exam_factories import exam_with_sections, make_bank
from tests.quizzes.test_exam_races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def items_key(items):
    return tuple((i["question_id"], tuple(i["option_order"])) for i in items)


def attempt_key(attempt):
    return tuple((aq.question_id, tuple(aq.option_order)) for aq in attempt.paper.order_by("position"))


def assert_each_paper_once(exam, before: dict[int, tuple]):
    """Every claimed paper went to one attempt, and that attempt holds exactly that paper."""
    claimed = list(PreparedPaper.objects.filter(exam=exam, claimed_by__isnull=False))
    assert len({p.claimed_by_id for p in claimed}) == len(claimed)
    for paper in claimed:
        assert attempt_key(paper.claimed_by) == before[paper.pk]
    return claimed


def test_thirty_candidates_starting_at_once_never_share_a_prepared_paper(db):
    category, _ = make_bank(singles=8, multiples=4, truefalse=4, fills=2)
    exam = exam_with_sections(category, count=12)
    users = [UserFactory() for _ in range(30)]
    svc.exam_papers_prepare(exam_id=exam.pk, target=40, rng=random.Random(1))
    before = {p.pk: items_key(p.items) for p in PreparedPaper.objects.filter(exam=exam)}
    results, errors = run_together(30, lambda i: svc.attempt_start(exam=exam, user=users[i]).pk)
    assert errors == []
    assert len(set(results)) == 30
    claimed = assert_each_paper_once(exam, before)
    assert len(claimed) == 30  # everyone got one: nobody had to draw while papers were left
    assert PreparedPaper.objects.unclaimed().filter(exam=exam).count() == 10


def test_when_the_stock_runs_out_mid_rush_the_rest_draw_their_own(db):
    category, _ = make_bank()
    exam = exam_with_sections(category, count=8)
    users = [UserFactory() for _ in range(20)]
    svc.exam_papers_prepare(exam_id=exam.pk, target=8, rng=random.Random(2))
    before = {p.pk: items_key(p.items) for p in PreparedPaper.objects.filter(exam=exam)}
    results, errors = run_together(20, lambda i: svc.attempt_start(exam=exam, user=users[i]).pk)
    assert errors == []
    assert len(set(results)) == 20
    assert len(assert_each_paper_once(exam, before)) == 8
    assert all(a.paper.count() == 8 for a in Attempt.objects.filter(exam=exam))


def test_a_claim_never_waits_for_another_candidates_open_claim(db):
    """Candidate A's start holds its paper's row lock; B's start skips that row (SKIP LOCKED) instead of waiting."""
    category, _ = make_bank()
    exam = exam_with_sections(category, count=6)
    a, b = UserFactory(), UserFactory()
    svc.exam_papers_prepare(exam_id=exam.pk, target=3, rng=random.Random(3))
    held, release = threading.Event(), threading.Event()
    outcome = {}

    def hold_a_claim():
        try:
            with transaction.atomic():
                paper = svc._claim_prepared(exam, paper_rules(exam))
                outcome["held"] = paper.pk
                held.set()
                release.wait(20)
                raise RuntimeError("roll back")  # A gives up: its paper stays unclaimed
        except RuntimeError:
            pass
        finally:
            connection.close()

    holder = threading.Thread(target=hold_a_claim)
    holder.start()
    assert held.wait(20)
    try:
        began = time.monotonic()
        attempt = svc.attempt_start(exam=exam, user=b)
        waited = time.monotonic() - began
    finally:
        release.set()
        holder.join(30)
    assert waited < 5
    paper = PreparedPaper.objects.get(claimed_by=attempt)
    assert paper.pk != outcome["held"]
    assert not PreparedPaper.objects.get(pk=outcome["held"]).claimed_by_id
    assert svc.attempt_start(exam=exam, user=a).prepared_paper.pk == outcome["held"]  # the oldest, free again


def test_preparation_racing_the_starts_hands_out_each_paper_once(db):
    category, _ = make_bank(singles=8, multiples=4, truefalse=4, fills=2)
    exam = exam_with_sections(category, count=10)
    users = [UserFactory() for _ in range(16)]
    svc.exam_papers_prepare(exam_id=exam.pk, target=6, rng=random.Random(4))
    before = {p.pk: items_key(p.items) for p in PreparedPaper.objects.filter(exam=exam)}

    def act(i):
        if i < 2:
            return svc.exam_papers_prepare(exam_id=exam.pk, target=30, batch=5).drawn
        return svc.attempt_start(exam=exam, user=users[i - 2]).pk

    results, errors = run_together(18, act)
    assert errors == []
    before.update({p.pk: items_key(p.items) for p in PreparedPaper.objects.filter(exam=exam, claimed_by__isnull=True)})
    assert len(set(results[2:])) == 16
    claimed = PreparedPaper.objects.filter(exam=exam, claimed_by__isnull=False)
    assert len({p.claimed_by_id for p in claimed}) == claimed.count()
    for paper in claimed:
        if paper.pk in before:
            assert attempt_key(paper.claimed_by) == before[paper.pk]


def test_two_preparation_runs_at_once_fill_the_gap_once(db):
    category, _ = make_bank()
    exam = exam_with_sections(category, count=5)
    results, errors = run_together(3, lambda i: svc.exam_papers_prepare(exam_id=exam.pk, target=25, batch=10).drawn)
    assert errors == []
    assert sum(results) == 25
    assert PreparedPaper.objects.unclaimed().filter(exam=exam).count() == 25
