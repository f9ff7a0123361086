"""The hazards app: hazard reports (隐患随手拍), anonymous whistleblowing (吹哨人) and rectification to the end."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HazardsConfig(AppConfig):
    name = "hazards"
    verbose_name = _("隐患随手拍与吹哨人")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from elearn.org.me_sections import register
        from hazards import home  # noqa: F401  (registers the home page section)

        register("hazards/includes/me_hazards.html")  # 我的 -> 隐患随手拍
