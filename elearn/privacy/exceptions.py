"""Refusals of the privacy capability: a reason for people, a code for programs."""

from django.utils.translation import gettext_lazy as _


class PrivacyError(Exception):
    code = "privacy_error"
    default_message = _("操作未完成。")

    def __init__(self, message=None):
        self.message = str(message or self.default_message)
        super().__init__(self.message)


class NotAllowed(PrivacyError):
    code = "permission_denied"
    default_message = _("你无权查看或处理此人的信息。")


class NothingToReveal(PrivacyError):
    code = "no_mobile"
    default_message = _("此人没有登记手机号。")


class StaleNotice(PrivacyError):
    code = "stale_notice"
    default_message = _("告知内容已更新，请重新阅读后再确认。")


class DepartureRefused(PrivacyError):
    code = "departure_refused"


class AppendOnly(PrivacyError):
    """The access log is never changed or deleted through the application (only retention removes expired rows)."""

    code = "append_only"
    default_message = _("访问记录只能追加，不能修改或删除。")
