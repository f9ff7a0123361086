"""Scheduled work for privacy, run daily by a django-tasks worker or cron (`manage.py apply_retention --enqueue`, or
the command itself): retention. An entry point like a view: it calls the service and decides nothing."""

from django_tasks import task

from elearn.privacy.services import retention_apply


@task()
def apply_retention() -> dict:
    """Delete what has expired, anonymise people who left once their period has passed, purge old access-log
    entries. Returns the counts (table key -> rows removed, anonymised people, access-log entries)."""
    result = retention_apply()
    return {
        "removed": result.removed,
        "anonymised": len(result.anonymised),
        "access_log_removed": result.access_log_removed,
    }
