"""Changes for campaign reports: asking for an export (the work runs in leaderboard.reports.tasks)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from elearn.org.permissions import is_manager
from leaderboard.reports.export import SHEETS
from leaderboard.reports.models import ReportExport
from leaderboard.reports.selectors import ReportFilterError, ReportFilters
from leaderboard.reports.tasks import build_report_export

KEEP_EXPORTS = dt.timedelta(days=1)


def report_export_request(
    *, viewer, filters: ReportFilters, fmt: str = "xlsx", sheet: str = "", include_mobile: bool = False
) -> ReportExport:
    """Record an export request and queue its task. The filters were already checked against `viewer`'s scope
    (report_selectors.parse_filters); the task builds the file with the same viewer. `include_mobile` (含手机号):
    the people and absent sheets carry mobile numbers (the entry point records the choice in the access log)."""
    if not is_manager(viewer):
        raise PermissionDenied
    if fmt not in ReportExport.Format.values:
        raise ReportFilterError("format", "导出格式须为 xlsx 或 csv。")
    if fmt == ReportExport.Format.CSV and sheet not in SHEETS:
        raise ReportFilterError("sheet", "CSV 导出须指定工作表：" + "、".join(SHEETS))
    ReportExport.objects.filter(requested_by=viewer, created_at__lt=timezone.now() - KEEP_EXPORTS).delete()
    export = ReportExport.objects.create(
        requested_by=viewer,
        params={**filters.as_params(), **({"mobile": True} if include_mobile else {})},
        format=fmt,
        sheet=sheet if fmt == ReportExport.Format.CSV else "",
    )
    build_report_export.enqueue(str(export.pk))
    export.refresh_from_db()
    return export
