"""The drills app: emergency drills and self-rescue trainings each institution holds, with attendance."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DrillsConfig(AppConfig):
    name = "drills"
    verbose_name = _("应急演练与培训")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from elearn.org import me_sections

        me_sections.register("drills/includes/me_drills.html")
