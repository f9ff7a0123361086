"""The leaderboard app: live rankings of people and institutions (rankings/) and campaign reports (reports/)."""

from django.apps import AppConfig


class LeaderboardConfig(AppConfig):
    name = "leaderboard"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The quiz app announces committed results; the rankings listen (the quiz app never imports them).
        from leaderboard.rankings.services import on_attempt_submitted, on_game_players_changed
        from quizzes.signals import attempt_submitted, game_players_changed

        attempt_submitted.connect(on_attempt_submitted, dispatch_uid="leaderboard.exam_attempt_record")
        game_players_changed.connect(on_game_players_changed, dispatch_uid="leaderboard.game_board_rebuild")
