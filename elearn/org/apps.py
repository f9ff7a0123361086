"""The org app's configuration (app label `org`: the custom User model lives here)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgConfig(AppConfig):
    name = "elearn.org"
    label = "org"
    verbose_name = _("组织与人员")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_save

        from elearn.org.models import User
        from elearn.org.services import account_disabled_broadcast
        from elearn.spreadsheets import neutralise_wagtail_exports

        post_save.connect(account_disabled_broadcast, sender=User, dispatch_uid="org.account_disabled")

        neutralise_wagtail_exports()  # the admin's exports, Wagtail's own included, neutralised like ours
