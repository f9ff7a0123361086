"""Retention: each kind of personal data is removed exactly when its period has passed (a day either side of every
cutoff is seeded), people who left are anonymised once theirs has, the access log is purged, aggregate statistics
stay what they were; the dry run (service and command) lists the same and changes nothing. Run on both backends."""

import datetime as dt
import io
import secrets

import pytest
from django.core.management import call_command
from django.utils import timezone

from courses.models import LessonHeartbeat, LessonProgress
from elearn.privacy import services
from elearn.privacy.models import AccessLog, Departure, RetentionSettings
from leaderboard.reports.models import ReportExport
from quizzes.competitions.models import GameQuestion, Player, PlayerAnswer
from quizzes.exams.models import Attempt, AttemptAnswer, AttemptQuestion
from quizzes.exams.services import attempt_start
from quizzes.practice import services as practice_services
from quizzes.practice.models import PracticeAnswer, PracticeProgress, WrongBookEntry
from quizzes.results.models import Certificate
from quizzes.results.selectors import exam_summary
from tests.leaderboard.report_factories import build_campaign
from tests.reliability.access_matrix import db_fingerprint, fingerprint_diff

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
EXPECTED = {
    "lesson_heartbeats": 1,
    "exam_attempts": 1,  # the mock attempt
    "exam_answers": 3,  # a1's answers to a three-question paper
    "exam_papers": 3,
    "certificates": 1,
    "practice_progress": 1,
    "practice_answers": 1,
    "wrongbook": 1,
    "game_answers": 1,
    "report_exports": 1,
}


@pytest.fixture
def world(inst_a, inst_b, officer_a, officer_b, district_admin):
    """Rows a day either side of each default cutoff (the older one expired, the newer one not)."""
    c = build_campaign(inst_a, inst_b, officer_a, officer_b)
    r = RetentionSettings.current()
    now = timezone.now()
    a1, a2, a3, b1 = c["a1"], c["a2"], c["a3"], c["b1"]
    old = {kind: now - dt.timedelta(days=r.days(kind)) - DAY for kind in ("exam", "study", "game", "exports")}
    new = {kind: now - dt.timedelta(days=r.days(kind)) + DAY for kind in ("exam", "study", "game", "exports")}
    kept = {}

    progress = LessonProgress.objects.filter(user=a1).first()
    LessonHeartbeat.objects.create(progress=progress, session="s", seq=1, credited_seconds=30, received_at=old["study"])
    kept["heartbeat"] = LessonHeartbeat.objects.create(
        progress=progress, session="s", seq=2, credited_seconds=30, received_at=new["study"]
    ).pk
    question = c["questions"][0]
    for when in (old["study"], new["study"]):
        PracticeAnswer.objects.create(
            user=a1, question=question, mode="random", response=[1], is_correct=True, answered_at=when
        )
    kept["practice_answer"] = PracticeAnswer.objects.get(answered_at=new["study"]).pk
    for user, when in ((a1, old["study"]), (a2, new["study"])):
        PracticeProgress.objects.create(user=user, category=question.category, last_question_id=question.pk)
        PracticeProgress.objects.filter(user=user).update(updated_at=when)
    WrongBookEntry.objects.create(user=a1, question=question, last_source="practice", cleared_at=old["study"])
    WrongBookEntry.objects.create(user=a2, question=question, last_source="practice", cleared_at=new["study"])
    WrongBookEntry.objects.create(user=a3, question=question, last_source="practice", last_wrong_at=old["study"])

    Attempt.objects.filter(user=a1, is_mock=False).update(submitted_at=old["exam"], started_at=old["exam"] - DAY)
    Attempt.objects.filter(user=a2, is_mock=False).update(submitted_at=new["exam"], started_at=new["exam"] - DAY)
    mock = attempt_start(exam=c["exam"], user=a3, mock=True)
    Attempt.objects.filter(pk=mock.pk).update(started_at=old["exam"])
    recent_mock = attempt_start(exam=c["exam"], user=a2, mock=True)
    kept["mock"] = recent_mock.pk
    for user, when in ((a1, old["exam"]), (a2, new["exam"])):
        practice_services.certificate_issue(user=user, exam_id=c["exam"].pk)
        Certificate.objects.filter(user=user).update(issued_at=when)

    game_question = GameQuestion.objects.create(
        game=c["game"], index=0, type="single", stem="竞赛题", options=["甲", "乙"], correct_options=[1], seconds=20,
        closed_at=now,
    )  # fmt: skip
    for user, when in ((a1, old["game"]), (b1, new["game"])):
        player = Player.objects.get(game=c["game"], user=user)
        PlayerAnswer.objects.create(
            player=player, game_question=game_question, choice=[1], received_at=when, elapsed_ms=1
        )
    for when in (old["exports"], new["exports"]):
        export = ReportExport.objects.create(requested_by=officer_a, filename=secrets.token_hex(4), content=b"x")
        ReportExport.objects.filter(pk=export.pk).update(created_at=when)

    AccessLog.objects.create(
        at=now - dt.timedelta(days=r.access_log_days) - DAY, actor_label="x", action="view", what="旧"
    )
    kept["log"] = AccessLog.objects.create(
        at=now - dt.timedelta(days=r.access_log_days) + DAY, actor_label="x", action="view", what="新"
    ).pk

    services.person_mark_left(
        actor=officer_b, person=b1, left_on=timezone.localdate() - dt.timedelta(days=r.left_days + 1)
    )
    services.person_mark_left(
        actor=officer_a, person=a3, left_on=timezone.localdate() - dt.timedelta(days=r.left_days - 1)
    )
    return {**c, "now": now, "kept": kept, "district_admin": district_admin}


def _figures(world):
    exam = world["exam"]
    return [
        (s.institution.pk, s.audience, s.sat, s.passed, s.average) for s in exam_summary(exam, world["district_admin"])
    ]


def test_the_dry_run_lists_exactly_what_expired_and_changes_nothing(world):
    before = db_fingerprint()
    result = services.retention_apply(now=world["now"], dry_run=True)
    assert {k: v for k, v in result.removed.items() if v} == EXPECTED
    assert result.anonymised == [world["b1"].pk]
    assert result.access_log_removed == 1
    assert fingerprint_diff(before, db_fingerprint()) == []


def test_applying_removes_exactly_what_expired_and_keeps_the_statistics(world):
    a1, a2, b1, a3 = world["a1"], world["a2"], world["b1"], world["a3"]
    figures = _figures(world)
    scores = dict(Attempt.objects.filter(is_mock=False).values_list("user_id", "score"))
    result = services.retention_apply(now=world["now"])
    assert {k: v for k, v in result.removed.items() if v} == EXPECTED
    assert result.anonymised == [b1.pk] and result.access_log_removed == 1
    kept = world["kept"]
    assert list(LessonHeartbeat.objects.values_list("pk", flat=True)) == [kept["heartbeat"]]
    assert list(PracticeAnswer.objects.values_list("pk", flat=True)) == [kept["practice_answer"]]
    assert list(PracticeProgress.objects.values_list("user_id", flat=True)) == [a2.pk]
    assert sorted(WrongBookEntry.objects.values_list("user_id", flat=True)) == sorted([a2.pk, a3.pk])
    assert not AttemptAnswer.objects.filter(attempt__user=a1).exists()
    assert not AttemptQuestion.objects.filter(attempt__user=a1).exists()
    assert AttemptAnswer.objects.filter(attempt__user=a2, attempt__is_mock=False).count() == 3
    assert list(Attempt.objects.filter(is_mock=True).values_list("pk", flat=True)) == [kept["mock"]]
    assert list(Certificate.objects.values_list("user_id", flat=True)) == [a2.pk]
    assert list(PlayerAnswer.objects.values_list("player__user_id", flat=True)) == [b1.pk]
    assert ReportExport.objects.count() == 1
    assert list(AccessLog.objects.filter(what__in=["旧", "新"]).values_list("pk", flat=True)) == [kept["log"]]
    # The result of every counting attempt stays (the training record), so every figure computed from it does.
    assert dict(Attempt.objects.filter(is_mock=False).values_list("user_id", "score")) == scores
    assert _figures(world) == figures
    b1.refresh_from_db()
    a3.refresh_from_db()
    assert b1.real_name.startswith("已匿名") and a3.real_name == "甲三"
    assert Departure.objects.filter(anonymised_at__isnull=False).get().user_id == b1.pk
    # Run again: nothing more has expired.
    again = services.retention_apply(now=world["now"])
    assert not any(again.removed.values()) and again.anonymised == [] and again.access_log_removed == 0


def test_the_periods_are_settings(world):
    r = RetentionSettings.current()
    r.game_days = 10000
    r.study_days = 10000
    r.save()
    result = services.retention_apply(now=world["now"], dry_run=True)
    assert result.removed["game_answers"] == 0 and result.removed["lesson_heartbeats"] == 0
    assert result.removed["certificates"] == 1


def test_the_command_dry_run_and_the_daily_task(world):
    before = db_fingerprint()
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "dry run" in text and "would remove       3" in text and "would anonymise   1 people" in text
    assert "lesson_heartbeats" in text and "privacy.AccessLog" in text and "would remove       1" in text
    assert fingerprint_diff(before, db_fingerprint()) == []
    out = io.StringIO()
    call_command("apply_retention", "--enqueue", stdout=out)  # the immediate backend runs it at once
    assert "enqueued retention task" in out.getvalue()
    assert not PlayerAnswer.objects.filter(player__user=world["a1"]).exists()
    assert Departure.objects.get(user=world["b1"]).anonymised_at is not None
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert "applied" in out.getvalue() and "removed       0" in out.getvalue()
