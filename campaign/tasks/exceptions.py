"""Refusals of the campaign-task services; views and API views turn them into a message (HTML) or
{"error": code, "detail": message, "fields": {...}} (JSON) with `status`."""

from django.utils.translation import gettext_lazy as _


class TaskError(Exception):
    code = "task_error"
    status = 400
    default_message = _("操作失败。")

    def __init__(self, message=None, *, fields: dict | None = None):
        self.message = message or self.default_message
        self.fields = fields or {}
        super().__init__(str(self.message))


class EvidenceIncomplete(TaskError):
    """The evidence does not meet what the task asks for; `fields` says which part (answers, photos, text, file)."""

    code = "evidence_incomplete"
    default_message = _("提交的材料不完整。")


class TaskClosed(TaskError):
    code = "task_closed"
    status = 409
    default_message = _("任务不在开放时间内。")


class NotInAudience(TaskError):
    code = "not_in_audience"
    status = 403
    default_message = _("这项任务不需要你完成。")


class AlreadySubmitted(TaskError):
    code = "already_submitted"
    status = 409
    default_message = _("已经提交过了：等待审核或已通过的提交不能再修改。")


class NotReviewable(TaskError):
    code = "not_reviewable"
    status = 409
    default_message = _("只有“已提交”的任务可以审核。")


class NotYourInstitution(TaskError):
    code = "permission_denied"
    status = 403
    default_message = _("你不能审核这份提交。")


class CommentRequired(TaskError):
    code = "comment_required"
    default_message = _("退回时请写明原因。")
