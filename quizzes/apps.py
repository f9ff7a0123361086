from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("题库、考试与竞赛")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import (
            competition_home,  # noqa: F401  (registers the "live competition" home page section)
            exam_home,  # noqa: F401  (registers the "open exams" home page section)
            practice_home,  # noqa: F401  (registers the practice / wrong-answer book home section)
        )
