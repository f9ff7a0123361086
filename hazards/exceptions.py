"""Refusals of the hazards app: a reason for people, a code for programs."""

from django.utils.translation import gettext_lazy as _


class HazardError(Exception):
    code = "hazard_error"
    default_message = _("操作未完成。")

    def __init__(self, message=None, *, errors: dict | None = None):
        self.message = str(message or self.default_message)
        self.errors = errors or {}
        super().__init__(self.message)


class NotAllowed(HazardError):
    code = "permission_denied"
    default_message = _("你无权处理这条隐患报告。")


class WrongState(HazardError):
    code = "wrong_state"
    default_message = _("这条报告当前的状态不允许这项操作。")


class Invalid(HazardError):
    code = "invalid"
    default_message = _("请检查填写的内容。")


class UnknownReceipt(HazardError):
    code = "unknown_receipt"
    default_message = _("回执码不正确。请核对后重新输入。")


class TooManyTries(HazardError):
    code = "throttled"
    default_message = _("尝试次数过多，请 15 分钟后再试。")
