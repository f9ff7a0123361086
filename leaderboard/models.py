"""The leaderboard app's models, for Django: reports own theirs (leaderboard.reports.models); rankings keep theirs in
the ranking store, not the database. This module only imports them under the app label "leaderboard"."""

from leaderboard.reports.models import ReportExport  # noqa: F401
