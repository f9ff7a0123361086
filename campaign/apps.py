"""The campaign app: the campaign period and its requirements, campaign tasks (五个一, tasks/) and each institution's
scorecard (scorecard/), which reads every other app's figures."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignConfig(AppConfig):
    name = "campaign"
    verbose_name = _("活动任务与单位考核")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Campaign tasks: the home page card and the 我的 → 活动任务 section.
        from campaign.tasks import home as tasks_home  # noqa: F401
        from elearn.org.me_sections import register

        register("campaign/includes/me_tasks.html")
