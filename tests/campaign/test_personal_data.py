"""campaign/personal_data.py: a person's copy holds their submissions, photos and files; anonymising a person who
left keeps each submission's state but drops their text, notes, photos and files (stored files included)."""

from __future__ import annotations

import os

import pytest

from campaign.tasks import services
from campaign.tasks.models import SubmissionFile, SubmissionPhoto, TaskSubmission
from elearn.privacy.selectors import my_data
from elearn.privacy.services import person_anonymise
from tests.campaign.factories import all_yes, jpeg_with_exif, make_task, pdf_file
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_copy_and_anonymise(django_capture_on_commit_callbacks):
    task = make_task(text_label="说明", file_label="附件")
    person, other = UserFactory(), UserFactory()
    answers = {k: {"answer": "no", "note": "我家阳台堆了纸箱"} for k in all_yes(task)}
    sub = services.submission_submit(
        task=task, user=person, answers=answers, text="住在幸福小区3栋", photos=[jpeg_with_exif()], file=pdf_file()
    ).submission
    services.submission_submit(task=task, user=other, answers=all_yes(task), photos=[jpeg_with_exif()])
    copy = {table.key: table for table in my_data(person)}
    assert len(copy["campaign_task_submissions"].rows) == 1
    assert copy["campaign_task_submissions"].rows[0]["text"] == "住在幸福小区3栋"
    assert len(copy["campaign_task_photos"].rows) == 1 and len(copy["campaign_task_files"].rows) == 1
    paths = [sub.photos.get().image.path, sub.files.get().file.path]
    with django_capture_on_commit_callbacks(execute=True):
        person_anonymise(person=person)
    sub.refresh_from_db()
    assert sub.state == TaskSubmission.State.SUBMITTED and sub.text == ""
    assert {v["note"] for v in sub.answers.values()} == {""} and {v["answer"] for v in sub.answers.values()} == {"no"}
    assert not SubmissionPhoto.objects.filter(submission=sub).exists()
    assert not SubmissionFile.objects.filter(submission=sub).exists()
    assert not any(os.path.exists(p) for p in paths)
    assert SubmissionPhoto.objects.filter(submission__user=other).count() == 1
