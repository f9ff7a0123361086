"""The quizzes app: question bank, exams, practice, results and live competitions (one subpackage each)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("题库、考试与竞赛")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Each capability registers its home page section (live competition, open exams, practice).
        from quizzes.competitions import home as competitions_home  # noqa: F401
        from quizzes.exams import home as exams_home  # noqa: F401
        from quizzes.practice import home as practice_home  # noqa: F401

        # Exams feed the wrong-answer book once a submission is committed.
        from quizzes.practice.services import on_attempt_submitted
        from quizzes.signals import attempt_submitted

        attempt_submitted.connect(on_attempt_submitted, dispatch_uid="quizzes.practice.wrongbook_from_exam")

        # A statute imported after the bank links the questions citing it, once (not on every read).
        from courses.signals import statute_imported
        from quizzes.bank.services import on_statute_imported

        statute_imported.connect(on_statute_imported, dispatch_uid="quizzes.bank.relink_sources")
