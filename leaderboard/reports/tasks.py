"""Background work for campaign reports (django-tasks, the configured backend): building an export that
leaderboard.reports.services queued. The work lives here, below the services, and never calls back into them."""

from __future__ import annotations

import logging

from django.utils import timezone
from django_tasks import task

from leaderboard.reports import export as report_export
from leaderboard.reports.models import ReportExport
from leaderboard.reports.selectors import parse_filters

logger = logging.getLogger("elearn.reports")


@task()
def build_report_export(export_id: str) -> str:
    """Build the workbook or CSV of a ReportExport; returns its final status."""
    return report_export_run(export_id=export_id).status


def report_export_run(*, export_id) -> ReportExport:
    """Build the file of one export, storing progress as it goes (the task's work; also called directly by tests and tools)."""
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
            export.requested_by,
            filters,
            fmt=export.format,
            sheet=export.sheet,
            progress=progress,
            include_mobile=export.params.get("mobile") is True,
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
