"""Changes to campaign-task submissions: submit (and resubmit after a return), approve, return, bulk approve.

Every entry point (the phone form, the API, the admin review screens) calls these. Submitting is idempotent on the
client's `client_uuid` (the outbox retries a POST whose answer it did not see): the same uuid gives back the same
submission, also when two identical requests race (the unique constraints decide, IntegrityError is caught). Photos
and files are cleaned (elearn.evidence) before the transaction and stored only as cleaned; what a replaced
submission held is deleted from storage once the change is committed.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from campaign.tasks.exceptions import (
    AlreadySubmitted,
    CommentRequired,
    EvidenceIncomplete,
    NotInAudience,
    NotReviewable,
    NotYourInstitution,
    TaskClosed,
    TaskError,
)
from campaign.tasks.models import Answer, CampaignTask, SubmissionFile, SubmissionPhoto, TaskSubmission
from elearn.evidence import CleanFile, EvidenceRejected, clean_document, clean_image
from elearn.org.permissions import can_manage_institution, scope_queryset

MAX_TEXT = 2000
MAX_NOTE = 300
MAX_COMMENT = 500


@dataclass(frozen=True)
class SubmitResult:
    submission: TaskSubmission
    duplicate: bool = False  # the same client_uuid was seen before: nothing changed


def item_field(key) -> str:
    """The form field (and error key) of a checklist item's answer; its note is `<field>-note`."""
    return f"item-{key}"


def plain_text(value: str) -> str:
    """Text as stored: line breaks as LF (a browser sends a textarea's as CRLF, but its maxlength counted each once)
    and no NUL (PostgreSQL refuses it in text and jsonb)."""
    return value.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def validate_answers(task: CampaignTask, answers) -> tuple[dict, dict]:
    """(clean answers keyed by item key, errors keyed by item field). Every item must be answered 是/否/不适用;
    notes are optional and trimmed; answers to items the task does not have are dropped."""
    if not isinstance(answers, dict):
        answers = {}
    clean, errors = {}, {}
    allowed = {choice.value for choice in Answer}
    for item in task.items.all():
        key = str(item.key)
        given = answers.get(key)
        if isinstance(given, str):
            given = {"answer": given}
        if not isinstance(given, dict) or given.get("answer") not in allowed:
            errors[item_field(key)] = [_("请回答：%(item)s") % {"item": item.text}]
            continue
        note = given.get("note") or ""
        note = plain_text(note).strip()[:MAX_NOTE] if isinstance(note, str) else ""
        clean[key] = {"answer": given["answer"], "note": note}
    return clean, errors


def _clean_uploads(task: CampaignTask, photos: Sequence, file) -> tuple[list[CleanFile], CleanFile | None, dict]:
    errors: dict[str, list[str]] = {}
    cleaned: list[CleanFile] = []
    photos = [p for p in photos or [] if p]
    if photos and not task.asks_photos:
        photos = []
    if len(photos) > task.photos_max:
        errors["photos"] = [_("最多上传 %(n)d 张照片。") % {"n": task.photos_max}]
        photos = []
    for upload in photos:
        try:
            cleaned.append(clean_image(upload))
        except EvidenceRejected as exc:
            errors.setdefault("photos", []).append(str(exc))
    clean_file = None
    if file and task.asks_file:
        try:
            clean_file = clean_document(file)
        except EvidenceRejected as exc:
            errors["file"] = [str(exc)]
    return cleaned, clean_file, errors


def _entry(action: str, user, at: dt.datetime, **extra) -> dict:
    return {"action": action, "at": at.isoformat(), "by": user.pk, "by_name": user.real_name, **extra}


def _delete_files_on_commit(field_files: Iterable) -> None:
    stored = [(f.storage, f.name) for f in field_files if f]

    def delete():
        for storage, name in stored:
            try:
                storage.delete(name)
            except OSError:
                pass

    transaction.on_commit(delete)


def _store(submission: TaskSubmission, photos: list[CleanFile], file: CleanFile | None, *, replace: bool) -> None:
    if photos:
        if replace:
            old = list(submission.photos.all())
            _delete_files_on_commit(p.image for p in old)
            submission.photos.all().delete()
        for clean in photos:
            photo = SubmissionPhoto(
                submission=submission, content_type=clean.content_type, width=clean.width, height=clean.height
            )
            photo.image.save(clean.content.name, clean.content, save=False)
            photo.save()
    if file is not None:
        if replace:
            old = list(submission.files.all())
            _delete_files_on_commit(f.file for f in old)
            submission.files.all().delete()
        stored = SubmissionFile(
            submission=submission,
            content_type=file.content_type,
            original_name=file.original_name,
            size=file.content.size,
        )
        stored.file.save(file.content.name, file.content, save=False)
        stored.save()


def _existing(task: CampaignTask, user):
    rows = TaskSubmission.objects.filter(task=task)
    if task.per_institution:
        return rows.filter(per_institution=True, institution_id=user.institution_id)
    return rows.filter(per_institution=False, user=user)


def _by_uuid(client_uuid, user, task: CampaignTask) -> TaskSubmission | None:
    if client_uuid is None:
        return None
    found = TaskSubmission.objects.filter(client_uuid=client_uuid).first()
    if found is not None and (found.user_id != user.pk or found.task_id != task.pk):
        raise TaskError(_("提交编号无效，请刷新页面后重试。"))
    return found


def submission_submit(
    *,
    task: CampaignTask,
    user,
    answers: dict | None = None,
    text: str = "",
    photos: Sequence = (),
    file=None,
    client_uuid: uuid.UUID | str | None = None,
    now: dt.datetime | None = None,
) -> SubmitResult:
    """Hand in the evidence for `task` (or hand it in again after it was returned).

    Refused: not in the task's audience (NotInAudience), outside its window for a first submission (TaskClosed),
    a submission waiting for review or approved (AlreadySubmitted), incomplete or invalid evidence
    (EvidenceIncomplete, with field errors: every checklist item answered, at least `photos_min` photos, text and
    file when required). On a resubmission, photos (or a file) sent replace the earlier ones; none sent keeps them.
    """
    now = now or timezone.now()
    if client_uuid is not None and not isinstance(client_uuid, uuid.UUID):
        try:
            client_uuid = uuid.UUID(str(client_uuid))
        except ValueError:
            client_uuid = None
    seen = _by_uuid(client_uuid, user, task)
    if seen is not None:
        return SubmitResult(seen, duplicate=True)
    if not task.is_for(user):
        raise NotInAudience()
    clean_answers, errors = validate_answers(task, answers or {})
    text = plain_text(text if isinstance(text, str) else "").strip()
    if len(text) > MAX_TEXT:
        errors["text"] = [_("文字说明最多 %(n)d 字。") % {"n": MAX_TEXT}]
    if task.asks_text and task.text_required and not text:
        errors["text"] = [_("请填写：%(label)s") % {"label": task.text_label}]
    if not task.asks_text:
        text = ""
    clean_photos, clean_file, upload_errors = _clean_uploads(task, photos, file)
    errors.update(upload_errors)
    if errors:
        raise EvidenceIncomplete(fields=errors)

    with transaction.atomic():
        existing = _existing(task, user).select_for_update().first()
        if existing is not None:
            if client_uuid is not None and existing.client_uuid == client_uuid:
                return SubmitResult(existing, duplicate=True)
            if existing.state != TaskSubmission.State.RETURNED:
                raise AlreadySubmitted()
            photo_count = len(clean_photos) or existing.photos.count()
            has_file = clean_file is not None or existing.files.exists()
        else:
            if not task.is_open(now):
                raise TaskClosed()
            photo_count, has_file = len(clean_photos), clean_file is not None
        missing = {}
        if photo_count < task.photos_min:
            missing["photos"] = [_("请至少上传 %(n)d 张照片。") % {"n": task.photos_min}]
        if task.asks_file and task.file_required and not has_file:
            missing["file"] = [_("请上传：%(label)s") % {"label": task.file_label}]
        if missing:
            raise EvidenceIncomplete(fields=missing)

        if existing is not None:
            existing.state = TaskSubmission.State.SUBMITTED
            existing.answers = clean_answers
            existing.text = text
            existing.user = user
            existing.client_uuid = client_uuid
            existing.submitted_at = now
            existing.history = [*existing.history, _entry("resubmitted", user, now)]
            existing.save()
            _store(existing, clean_photos, clean_file, replace=True)
            return SubmitResult(existing)

        try:
            with transaction.atomic():
                submission = TaskSubmission.objects.create(
                    task=task,
                    user=user,
                    institution_id=user.institution_id,
                    per_institution=task.per_institution,
                    answers=clean_answers,
                    text=text,
                    client_uuid=client_uuid,
                    submitted_at=now,
                    history=[_entry("submitted", user, now)],
                )
        except IntegrityError:
            # A twin request (same client_uuid) or another phone of the same person won the race.
            twin = _by_uuid(client_uuid, user, task)
            if twin is not None:
                return SubmitResult(twin, duplicate=True)
            raise AlreadySubmitted() from None
        _store(submission, clean_photos, clean_file, replace=False)
        return SubmitResult(submission)


def _locked_for_review(submission_id: int, reviewer) -> TaskSubmission:
    submission = TaskSubmission.objects.select_for_update().select_related("task").filter(pk=submission_id).first()
    if submission is None or not can_manage_institution(reviewer, submission.institution_id):
        raise NotYourInstitution()
    if submission.user_id == reviewer.pk:
        raise NotYourInstitution(_("不能审核自己的提交。"))
    if submission.state != TaskSubmission.State.SUBMITTED:
        raise NotReviewable()
    return submission


@transaction.atomic
def submission_approve(*, submission_id: int, reviewer, comment: str = "", now: dt.datetime | None = None):
    """Approve a submitted task (an officer of its institution or the district admin; never one's own)."""
    now = now or timezone.now()
    submission = _locked_for_review(submission_id, reviewer)
    comment = plain_text(comment or "").strip()[:MAX_COMMENT]
    submission.state = TaskSubmission.State.APPROVED
    submission.reviewed_by = reviewer
    submission.reviewed_at = now
    submission.review_comment = comment
    submission.history = [*submission.history, _entry("approved", reviewer, now, comment=comment)]
    submission.save()
    return submission


@transaction.atomic
def submission_return(*, submission_id: int, reviewer, comment: str, now: dt.datetime | None = None):
    """Return a submitted task to its author with a comment (required): they fix it and submit again."""
    now = now or timezone.now()
    comment = plain_text(comment or "").strip()[:MAX_COMMENT]
    if not comment:
        raise CommentRequired(fields={"comment": [str(CommentRequired.default_message)]})
    submission = _locked_for_review(submission_id, reviewer)
    submission.state = TaskSubmission.State.RETURNED
    submission.reviewed_by = reviewer
    submission.reviewed_at = now
    submission.review_comment = comment
    submission.history = [*submission.history, _entry("returned", reviewer, now, comment=comment)]
    submission.save()
    return submission


@transaction.atomic
def submissions_bulk_approve(*, reviewer, submission_ids: Iterable[int], now: dt.datetime | None = None) -> int:
    """Approve every submitted one of `submission_ids` that `reviewer` manages (not their own); others are
    skipped. Returns how many were approved."""
    now = now or timezone.now()
    ids = [int(i) for i in submission_ids if str(i).isdigit()]
    rows = (
        scope_queryset(TaskSubmission.objects.all(), reviewer)
        .filter(pk__in=ids, state=TaskSubmission.State.SUBMITTED)
        .exclude(user_id=reviewer.pk)
        .select_for_update()
        .order_by("pk")
    )
    approved = 0
    for submission in rows:
        submission.state = TaskSubmission.State.APPROVED
        submission.reviewed_by = reviewer
        submission.reviewed_at = now
        submission.review_comment = ""
        submission.history = [*submission.history, _entry("approved", reviewer, now, bulk=True)]
        submission.save()
        approved += 1
    return approved
