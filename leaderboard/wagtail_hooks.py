"""Wagtail hooks of the leaderboard app, for Wagtail's discovery: the reports' admin pages live in
leaderboard.reports.admin; this module only imports them."""

from leaderboard.reports import admin as reports_admin  # noqa: F401  campaign reports, follow-up lists, exports
