from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("学习")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from elearn.org.me_sections import register

        from . import home  # noqa: F401  (registers the home page section)

        register("courses/includes/me_study.html")
