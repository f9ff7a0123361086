"""Background work for campaign reports (django-tasks, the configured backend): building an export."""

from django_tasks import task


@task()
def build_report_export(export_id: str) -> str:
    """Build the workbook or CSV of a ReportExport; returns its final status."""
    from .report_services import report_export_run

    return report_export_run(export_id=export_id).status
