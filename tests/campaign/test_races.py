"""Submitting races that only a real database with row locks and unique indexes shows: run on PostgreSQL (skipped
on SQLite). The outbox retries a POST whose answer was lost, so identical requests (same client_uuid) may arrive at
the same moment: they must give one submission, both answered with it."""

import uuid

import pytest

from campaign.tasks import services
from campaign.tasks.exceptions import AlreadySubmitted
from campaign.tasks.models import SubmissionPhoto, TaskSubmission
from tests.campaign.factories import all_yes, jpeg_bytes_with_exif, make_task
from tests.factories import OfficerFactory, UserFactory
from tests.quizzes.test_exam_races import run_together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _photo():
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("p.jpg", jpeg_bytes_with_exif(), content_type="image/jpeg")


def test_identical_posts_racing_give_one_submission():
    task = make_task()
    user = UserFactory()
    key = uuid.uuid4()
    answers = all_yes(task)

    def submit(i):
        result = services.submission_submit(task=task, user=user, answers=answers, photos=[_photo()], client_uuid=key)
        return result.submission.pk

    results, errors = run_together(8, submit)
    assert errors == []
    assert len(set(results)) == 1
    assert TaskSubmission.objects.count() == 1
    assert SubmissionPhoto.objects.count() == 1


def test_two_phones_of_one_person_racing_give_one_submission():
    task = make_task()
    user = UserFactory()
    answers = all_yes(task)

    def submit(i):
        return services.submission_submit(
            task=task, user=user, answers=answers, photos=[_photo()], client_uuid=uuid.uuid4()
        ).submission.pk

    results, errors = run_together(6, submit)
    assert TaskSubmission.objects.count() == 1
    assert len([r for r in results if r]) == 1
    assert len(errors) == 5 and all(isinstance(e, AlreadySubmitted) for e in errors)


def test_two_officers_racing_on_an_institution_task_give_one_submission():
    from campaign.tasks.models import CampaignTask

    task = make_task(audience=CampaignTask.Audience.PER_INSTITUTION, items=(), photos_min=0)
    first = OfficerFactory()
    officers = [first, OfficerFactory(institution=first.institution)]

    def submit(i):
        return services.submission_submit(task=task, user=officers[i], client_uuid=uuid.uuid4()).submission.pk

    results, errors = run_together(2, submit)
    assert TaskSubmission.objects.filter(task=task).count() == 1
    assert len(errors) == 1 and isinstance(errors[0], AlreadySubmitted)


def test_bulk_approve_racing_single_approve_approves_once():
    task = make_task(photos_min=0)
    officer = OfficerFactory()
    subs = [
        services.submission_submit(
            task=task, user=UserFactory(institution=officer.institution), answers=all_yes(task)
        ).submission
        for _ in range(5)
    ]
    ids = [s.pk for s in subs]

    def act(i):
        if i == 0:
            return services.submissions_bulk_approve(reviewer=officer, submission_ids=ids)
        return services.submission_approve(submission_id=ids[0], reviewer=officer).pk

    results, errors = run_together(2, act)
    histories = [TaskSubmission.objects.get(pk=pk).history for pk in ids]
    assert all(sum(1 for h in history if h["action"] == "approved") == 1 for history in histories)
    assert set(TaskSubmission.objects.values_list("state", flat=True)) == {"approved"}
