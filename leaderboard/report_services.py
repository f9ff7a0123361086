"""Changes for campaign reports: asking for an export (the work runs in leaderboard.report_tasks)."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from elearn.org.permissions import is_manager

from .models import ReportExport
from .report_export import SHEETS
from .report_selectors import ReportFilterError, ReportFilters

logger = logging.getLogger("elearn.reports")
KEEP_EXPORTS = dt.timedelta(days=1)


def report_export_request(*, viewer, filters: ReportFilters, fmt: str = "xlsx", sheet: str = "") -> ReportExport:
    """Record an export request and queue its task. The filters were already checked against `viewer`'s scope
    (report_selectors.parse_filters); the task builds the file with the same viewer."""
    if not is_manager(viewer):
        raise PermissionDenied
    if fmt not in ReportExport.Format.values:
        raise ReportFilterError("format", "导出格式须为 xlsx 或 csv。")
    if fmt == ReportExport.Format.CSV and sheet not in SHEETS:
        raise ReportFilterError("sheet", "CSV 导出须指定工作表：" + "、".join(SHEETS))
    ReportExport.objects.filter(requested_by=viewer, created_at__lt=timezone.now() - KEEP_EXPORTS).delete()
    export = ReportExport.objects.create(
        requested_by=viewer,
        params=filters.as_params(),
        format=fmt,
        sheet=sheet if fmt == ReportExport.Format.CSV else "",
    )
    from .report_tasks import build_report_export

    build_report_export.enqueue(str(export.pk))
    export.refresh_from_db()
    return export


def report_export_run(*, export_id) -> ReportExport:
    """Build the file of one export, storing progress as it goes (called by the task)."""
    from . import report_export
    from .report_selectors import parse_filters

    export = ReportExport.objects.select_related("requested_by").get(pk=export_id)
    if export.is_finished:
        return export

    def progress(percent: int, step: str) -> None:
        ReportExport.objects.filter(pk=export.pk).update(
            status=ReportExport.Status.RUNNING, progress=percent, step=step
        )

    try:
        progress(1, "开始")
        filters = parse_filters(export.requested_by, export.params)
        name, content = report_export.build(
            export.requested_by, filters, fmt=export.format, sheet=export.sheet, progress=progress
        )
    except Exception as exc:  # recorded for the person waiting on the progress page
        logger.exception("report export %s failed", export.pk)
        export.status, export.message = ReportExport.Status.FAILED, f"{type(exc).__name__}: {exc}"[:500]
        export.finished_at = timezone.now()
        export.save(update_fields=["status", "message", "finished_at"])
        return export
    export.status, export.progress, export.step = ReportExport.Status.DONE, 100, "完成"
    export.filename, export.content, export.size = name, content, len(content)
    export.finished_at = timezone.now()
    export.save(update_fields=["status", "progress", "step", "filename", "content", "size", "finished_at"])
    return export
