"""Wagtail hooks of the campaign app, for Wagtail's discovery: each capability keeps its admin (viewsets, menu items,
admin URLs) in its own `admin` module; this module only imports them."""

from campaign.scorecard import admin as scorecard_admin  # noqa: F401  单位考核: district table, institution pages, PDF
from campaign.tasks import admin as tasks_admin  # noqa: F401  tasks, their review queue, 未提交名单, exports
