"""Campaign-task services: evidence completeness, states, review scope, idempotency on client_uuid; the stored photos
carry no EXIF."""

from __future__ import annotations

import datetime as dt
import io
import uuid

import pytest
from django.utils import timezone

from campaign.tasks import selectors, services
from campaign.tasks.exceptions import (
    AlreadySubmitted,
    CommentRequired,
    EvidenceIncomplete,
    NotInAudience,
    NotReviewable,
    NotYourInstitution,
    TaskClosed,
)
from campaign.tasks.models import CampaignTask, SubmissionPhoto, TaskSubmission
from tests.campaign.factories import all_yes, jpeg_with_exif, make_task, pdf_file
from tests.factories import AdminFactory, InstitutionFactory, OfficerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    a, b = InstitutionFactory(name="甲院"), InstitutionFactory(name="乙院")
    return {
        "a": a,
        "b": b,
        "staff": UserFactory(institution=a),
        "mate": UserFactory(institution=a),
        "officer": OfficerFactory(institution=a),
        "officer_b": OfficerFactory(institution=b),
        "staff_b": UserFactory(institution=b),
        "admin": AdminFactory(institution=None),
    }


def submit(task, user, **kw):
    kw.setdefault("answers", all_yes(task))
    kw.setdefault("photos", [jpeg_with_exif()])
    return services.submission_submit(task=task, user=user, **kw)


def test_checklist_every_item_must_be_answered(people):
    task = make_task()
    answers = all_yes(task)
    first, second = list(answers)
    answers[second] = {"answer": "maybe"}
    with pytest.raises(EvidenceIncomplete) as caught:
        submit(task, people["staff"], answers=answers)
    assert set(caught.value.fields) == {services.item_field(second)}
    answers.pop(second)
    with pytest.raises(EvidenceIncomplete):
        submit(task, people["staff"], answers=answers)
    assert not TaskSubmission.objects.exists()


def test_checklist_answers_kept_by_stable_key_with_notes_and_unknown_keys_dropped(people):
    task = make_task()
    answers = {k: {"answer": "no", "note": "  软管老化  "} for k in all_yes(task)}
    answers["not-an-item"] = {"answer": "yes"}
    first = next(iter(answers))
    answers[first] = "na"  # the bare answer is accepted too
    result = submit(task, people["staff"], answers=answers)
    stored = result.submission.answers
    assert set(stored) == {str(i.key) for i in task.items.all()}
    assert stored[first] == {"answer": "na", "note": ""}
    assert {v["note"] for k, v in stored.items() if k != first} == {"软管老化"}


def test_photos_required_text_required_file_required(people):
    task = make_task(photos_min=2, text_label="书名", text_required=True, file_label="签到表", file_required=True)
    with pytest.raises(EvidenceIncomplete) as caught:
        submit(task, people["staff"], photos=[jpeg_with_exif()])
    assert set(caught.value.fields) == {"text"}
    with pytest.raises(EvidenceIncomplete) as caught:
        submit(task, people["staff"], photos=[jpeg_with_exif()], text="读了《应急自救》")
    assert set(caught.value.fields) == {"photos", "file"}
    result = submit(
        task, people["staff"], photos=[jpeg_with_exif(), jpeg_with_exif()], text="读了《应急自救》", file=pdf_file()
    )
    assert result.submission.photos.count() == 2
    assert result.submission.files.get().original_name == "签到表.pdf"


def test_not_an_image_is_refused_by_content(people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    task = make_task()
    fake = SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>", content_type="image/jpeg")
    with pytest.raises(EvidenceIncomplete) as caught:
        submit(task, people["staff"], photos=[fake])
    assert "photos" in caught.value.fields
    assert not TaskSubmission.objects.exists()


def test_stored_photo_has_no_exif_and_is_not_the_upload(people):
    from PIL import Image

    task = make_task()
    upload = jpeg_with_exif()
    original = upload.read()
    upload.seek(0)
    assert b"ElearnTestCam" in original
    result = submit(task, people["staff"], photos=[upload])
    photo = result.submission.photos.get()
    with photo.image.open("rb") as handle:
        stored = handle.read()
    assert stored != original
    assert b"ElearnTestCam" not in stored and b"Exif" not in stored
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif()
    assert "evidence" in photo.image.path
    assert photo.image.name.endswith(".jpg") and "home" not in photo.image.name


def test_window_and_audience(people):
    task = make_task(opens_at=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(TaskClosed):
        submit(task, people["staff"])
    late = make_task(title="已截止", due_on=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(TaskClosed):
        submit(late, people["staff"])
    only_b = make_task(title="乙院任务", audience=CampaignTask.Audience.INSTITUTIONS, institutions=[people["b"]])
    with pytest.raises(NotInAudience):
        submit(only_b, people["staff"])
    assert submit(only_b, people["staff_b"]).submission.institution == people["b"]
    officers = make_task(title="安全员任务", audience=CampaignTask.Audience.ROLES, roles=["officer"])
    with pytest.raises(NotInAudience):
        submit(officers, people["staff"])
    submit(officers, people["officer"])


def test_states_submit_return_resubmit_approve(people):
    task = make_task()
    staff, officer = people["staff"], people["officer"]
    first = submit(task, staff).submission
    assert first.state == TaskSubmission.State.SUBMITTED and not first.is_done
    with pytest.raises(AlreadySubmitted):
        submit(task, staff)  # waiting for review: cannot change
    with pytest.raises(CommentRequired):
        services.submission_return(submission_id=first.pk, reviewer=officer, comment="  ")
    services.submission_return(submission_id=first.pk, reviewer=officer, comment="照片看不清燃气阀门")
    first.refresh_from_db()
    assert first.state == TaskSubmission.State.RETURNED
    assert selectors.my_tasks(staff)[0].state == "returned"
    with pytest.raises(NotReviewable):
        services.submission_approve(submission_id=first.pk, reviewer=officer)
    # Resubmitted without new photos: the earlier ones stay; with new ones they are replaced.
    again = submit(task, staff, photos=[]).submission
    assert again.pk == first.pk and again.state == TaskSubmission.State.SUBMITTED
    assert again.photos.count() == 1
    services.submission_approve(submission_id=first.pk, reviewer=officer, comment="好")
    first.refresh_from_db()
    assert first.state == TaskSubmission.State.APPROVED and first.is_done and first.reviewed_by == officer
    assert [h["action"] for h in first.history] == ["submitted", "returned", "resubmitted", "approved"]
    with pytest.raises(AlreadySubmitted):
        submit(task, staff)
    assert TaskSubmission.objects.count() == 1


def test_returned_resubmission_with_new_photos_replaces_and_deletes_old_files(
    people, django_capture_on_commit_callbacks
):
    task = make_task()
    staff = people["staff"]
    first = submit(task, staff).submission
    old = first.photos.get()
    old_path = old.image.path
    services.submission_return(submission_id=first.pk, reviewer=people["officer"], comment="重拍")
    with django_capture_on_commit_callbacks(execute=True):
        submit(task, staff, photos=[jpeg_with_exif(), jpeg_with_exif()])
    assert first.photos.count() == 2
    assert not SubmissionPhoto.objects.filter(pk=old.pk).exists()
    import os

    assert not os.path.exists(old_path)


def test_task_without_review_is_done_on_submit(people):
    task = make_task(needs_review=False, photos_min=0)
    result = submit(task, people["staff"], photos=[])
    assert result.submission.state == TaskSubmission.State.SUBMITTED and result.submission.is_done
    completion = selectors.completion_by_institution(task.campaign)[people["a"].pk]
    assert completion.done == 1 and completion.submitted == 0


def test_review_scope_other_institution_and_own(people):
    task = make_task()
    sub = submit(task, people["staff"]).submission
    for reviewer in (people["officer_b"], people["staff"], people["mate"]):
        with pytest.raises(NotYourInstitution):
            services.submission_approve(submission_id=sub.pk, reviewer=reviewer)
        with pytest.raises(NotYourInstitution):
            services.submission_return(submission_id=sub.pk, reviewer=reviewer, comment="不行")
    sub.refresh_from_db()
    assert sub.state == TaskSubmission.State.SUBMITTED
    services.submission_approve(submission_id=sub.pk, reviewer=people["admin"])


def test_per_institution_task_one_per_institution_by_its_officer(people):
    task = make_task(audience=CampaignTask.Audience.PER_INSTITUTION, items=(), photos_min=0)
    with pytest.raises(NotInAudience):
        submit(task, people["staff"], photos=[])
    sub = submit(task, people["officer"], photos=[]).submission
    assert sub.per_institution and sub.institution == people["a"]
    second_officer = OfficerFactory(institution=people["a"])
    with pytest.raises(AlreadySubmitted):
        submit(task, second_officer, photos=[])
    assert selectors.my_tasks(second_officer)[0].submission == sub  # the institution's, whoever handed it in
    with pytest.raises(NotYourInstitution):  # nobody approves their own
        services.submission_approve(submission_id=sub.pk, reviewer=people["officer"])
    services.submission_approve(submission_id=sub.pk, reviewer=second_officer)
    submit(task, people["officer_b"], photos=[])
    assert TaskSubmission.objects.filter(task=task).count() == 2


def test_bulk_approve_only_within_scope(people):
    task = make_task()
    mine = [submit(task, u).submission for u in (people["staff"], people["mate"])]
    theirs = submit(task, people["staff_b"]).submission
    own = submit(make_task(title="安全员也做"), people["officer"]).submission
    approved = services.submissions_bulk_approve(
        reviewer=people["officer"], submission_ids=[*(s.pk for s in mine), theirs.pk, own.pk, "x"]
    )
    assert approved == 2
    states = dict(TaskSubmission.objects.values_list("pk", "state"))
    assert states[theirs.pk] == states[own.pk] == TaskSubmission.State.SUBMITTED
    assert {states[s.pk] for s in mine} == {TaskSubmission.State.APPROVED}
    assert services.submissions_bulk_approve(reviewer=people["staff"], submission_ids=[theirs.pk, own.pk]) == 0
    assert services.submissions_bulk_approve(reviewer=people["admin"], submission_ids=[theirs.pk, own.pk]) == 2


def test_idempotent_on_client_uuid(people):
    task = make_task()
    key = uuid.uuid4()
    first = submit(task, people["staff"], client_uuid=key)
    again = submit(task, people["staff"], client_uuid=str(key), photos=[])
    assert again.duplicate and again.submission.pk == first.submission.pk
    assert TaskSubmission.objects.count() == 1 and SubmissionPhoto.objects.count() == 1
    # Someone else's uuid is not theirs to replay.
    with pytest.raises(services.TaskError):
        submit(task, people["mate"], client_uuid=key)


def test_completion_by_institution(people):
    everyone = make_task(title="全员")
    per_inst = make_task(
        everyone.campaign, title="单位", audience=CampaignTask.Audience.PER_INSTITUTION, items=(), photos_min=0
    )
    UserFactory(institution=people["a"], is_active=False)  # not expected
    submit(everyone, people["staff"])
    returned = submit(everyone, people["mate"]).submission
    services.submission_return(submission_id=returned.pk, reviewer=people["officer"], comment="补拍")
    approved = submit(per_inst, people["officer"], photos=[]).submission
    services.submission_approve(submission_id=approved.pk, reviewer=people["admin"])
    result = selectors.completion_by_institution(everyone.campaign)
    a = result[people["a"].pk]
    # A: staff, mate, officer (3 people) for the person task + 1 institution task.
    assert (a.expected, a.done, a.submitted, a.returned) == (4, 1, 1, 1)
    b = result[people["b"].pk]
    assert (b.expected, b.done, b.submitted, b.returned) == (3, 0, 0, 0)  # staff_b, officer_b + 1 institution task


def test_not_submitted_list(people):
    task = make_task()
    submit(task, people["staff"])
    names = {u.pk for u in selectors.not_submitted(task, people["officer"])}
    assert names == {people["mate"].pk, people["officer"].pk}
    assert not selectors.not_submitted(task, people["officer"], people["b"].pk).exists()
    assert people["staff_b"].pk in {u.pk for u in selectors.not_submitted(task, people["admin"])}
