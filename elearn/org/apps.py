"""The org app's configuration (app label `org`: the custom User model lives here)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "elearn.org"
    label = "org"
    verbose_name = _("组织与人员")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from elearn.spreadsheets import neutralise_wagtail_exports

        neutralise_wagtail_exports()  # the admin's exports, Wagtail's own included, neutralised like ours
