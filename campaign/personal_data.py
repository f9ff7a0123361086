"""The rows the campaign tasks keep about a person, for elearn.privacy (named in settings.ELEARN_PERSONAL_DATA).

A submission (task, state, checklist answers, text, review) is the campaign's record and stays, so an institution's
completion stays what it was; when a person who left is anonymised, its free text and notes go (they may name people
or places) and the photos and files of their home go with their stored files. A person's copy lists their
submissions and says how many photos and files each holds (the files themselves are on the task page)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from campaign.tasks.models import SubmissionFile, SubmissionPhoto, TaskSubmission
from elearn.privacy.registry import PersonalTable, register

ANSWERS = {"yes": _("是"), "no": _("否"), "na": _("不适用")}


def _submission_row(submission: TaskSubmission) -> dict:
    items = {str(i.key): i.text for i in submission.task.items.all()}
    return {
        "task": submission.task.title,
        "institution": submission.institution.name,
        "state": submission.get_state_display(),
        "submitted_at": submission.submitted_at,
        "answers": {
            items.get(key, key): str(ANSWERS.get(value.get("answer"), ""))
            + (pgettext("括号", "（") + value["note"] + pgettext("括号", "）") if value.get("note") else "")
            for key, value in (submission.answers or {}).items()
            if isinstance(value, dict)
        },
        "text": submission.text,
        "photos": submission.photos.count(),
        "files": submission.files.count(),
        "reviewed_at": submission.reviewed_at,
        "review_comment": submission.review_comment,
    }


def _forget_text(submissions) -> int:
    """Keep the state (the institution's completion), drop what the person wrote and the notes of the answers."""
    count = 0
    for submission in submissions:
        submission.text = ""
        submission.answers = {
            k: {"answer": v.get("answer"), "note": ""}
            for k, v in (submission.answers or {}).items()
            if isinstance(v, dict)
        }
        submission.save(update_fields=["text", "answers"])
        count += 1
    return count


def _delete_with_files(field: str):
    def delete(rows) -> int:
        stored = [getattr(row, field) for row in rows]
        names = [(f.storage, f.name) for f in stored if f]

        def remove():
            for storage, name in names:
                storage.delete(name)

        count, _ = rows.delete()
        transaction.on_commit(remove)
        return count

    return delete


register(
    PersonalTable(
        key="campaign_task_submissions",
        label=_("活动任务提交"),
        labels={
            "task": _("任务"),
            "institution": _("单位"),
            "state": _("状态"),
            "submitted_at": _("提交时间"),
            "answers": _("检查清单"),
            "text": _("文字说明"),
            "photos": _("照片（张）"),
            "files": _("附件（个）"),
            "reviewed_at": _("审核时间"),
            "review_comment": _("审核意见"),
        },
        model="campaign.TaskSubmission",
        owner="user",
        row=_submission_row,
        related=("task", "institution"),
        order_by=("submitted_at", "pk"),
        anonymise=_forget_text,
    )
)
register(
    PersonalTable(
        key="campaign_task_photos",
        label=_("活动任务照片"),
        model="campaign.SubmissionPhoto",
        owner="submission__user",
        fields=("submission__task__title", "created_at", "width", "height"),
        labels={"submission__task__title": _("任务"), "created_at": _("上传时间"), "width": _("宽"), "height": _("高")},
        anonymise=_delete_with_files("image"),
    )
)
register(
    PersonalTable(
        key="campaign_task_files",
        label=_("活动任务附件"),
        model="campaign.SubmissionFile",
        owner="submission__user",
        fields=("submission__task__title", "original_name", "size", "created_at"),
        labels={
            "submission__task__title": _("任务"),
            "original_name": _("文件名"),
            "size": _("大小（字节）"),
            "created_at": _("上传时间"),
        },
        anonymise=_delete_with_files("file"),
    )
)

__all__ = ["SubmissionFile", "SubmissionPhoto"]
