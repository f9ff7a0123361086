"""Errors raised by courses.services; views and API views turn them into messages / HTTP 400s."""

from django.utils.translation import gettext as _


class StudyError(Exception):
    code = "study_error"

    def __init__(self, message: str | None = None):
        super().__init__(message or self.default_message())

    def default_message(self) -> str:
        return _("操作未完成。")


class LessonNotAvailable(StudyError):
    code = "lesson_not_available"

    def default_message(self) -> str:
        return _("该课时未发布或已下线。")


class InvalidHeartbeat(StudyError):
    code = "invalid_heartbeat"

    def default_message(self) -> str:
        return _("学习记录格式不正确。")


class TooEarlyToComplete(StudyError):
    code = "too_early"

    def __init__(self, remaining_seconds: int):
        self.remaining_seconds = remaining_seconds
        super().__init__(_("还需认真学习 %(s)s 秒后才能标记为学完。") % {"s": remaining_seconds})


class LawImportError(StudyError):
    code = "law_import_error"
