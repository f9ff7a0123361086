from django.apps import AppConfig


class LeaderboardConfig(AppConfig):
    name = "leaderboard"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Exam ranking: every submitted attempt (signal sent after the submission committed).
        from quizzes.signals import attempt_submitted

        from .services import on_attempt_submitted

        attempt_submitted.connect(on_attempt_submitted, dispatch_uid="leaderboard.exam_attempt_record")
