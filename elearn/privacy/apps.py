"""The privacy capability's configuration (app label `privacy`)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "elearn.privacy"
    label = "privacy"
    verbose_name = _("个人信息保护")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from elearn.org.me_sections import register

        register("privacy/includes/me_privacy.html")  # 我的 -> 我的数据
