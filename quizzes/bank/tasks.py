"""Background dry runs of bank imports (django-tasks), so a large file shows progress instead of a hung page.

The upload and the job's progress live in the cache (Redis when scaled out, so a worker process sees them);
with the immediate backend the task runs inside the upload request and the page opens already finished.
A job remembers the options it was started with (a column mapping chosen by hand, "empty cells clear"); the
preview can run it again with a new mapping (`job_rerun`), and `job_parse_options` gives the commit exactly the
reading the last dry run showed (the mapping it applied, remembered ones included).
"""

from __future__ import annotations

import secrets

from django.core.cache import cache
from django_tasks import task

from elearn.spreadsheets import SpreadsheetError
from quizzes.bank.importers import build_plan
from quizzes.bank.models import BankColumnMapping

JOB_TTL = 60 * 60
REPORT_LIMIT = 1000  # rows listed per kind on the page; counts are always complete


def _job_key(token: str) -> str:
    return f"bank-import-job:{token}"


def _data_key(token: str) -> str:
    return f"bank-import-data:{token}"


def job_start(
    *,
    user_id: int,
    data: bytes,
    filename: str,
    fmt: str | None,
    default_category: list[str] | None,
    column_map: dict[str, str] | None = None,
    clear_empty: bool = False,
) -> str:
    token = secrets.token_urlsafe(16)
    cache.set(_data_key(token), data, JOB_TTL)
    cache.set(
        _job_key(token),
        {
            "user_id": user_id,
            "filename": filename,
            "fmt": fmt,
            "default_category": default_category,
            "column_map": column_map or None,
            "clear_empty": bool(clear_empty),
            "revision": 1,
            "state": "queued",
            "done": 0,
            "total": 0,
            "report": None,
            "error": "",
        },
        JOB_TTL,
    )
    bank_import_dry_run.enqueue(token)
    return token


def job_rerun(token: str, *, user_id: int, column_map: dict[str, str] | None, clear_empty: bool) -> bool:
    """Run the dry run of an existing job again with another column mapping; False if the job has expired."""
    job = job_get(token, user_id=user_id)
    if job is None or job_data(token) is None:
        return False
    job.update(
        column_map=column_map or None,
        clear_empty=bool(clear_empty),
        revision=job.get("revision", 1) + 1,  # a page showing an earlier preview can no longer confirm
        state="queued",
        done=0,
        total=0,
        report=None,
        error="",
    )
    cache.set(_job_key(token), job, JOB_TTL)
    cache.touch(_data_key(token), JOB_TTL)  # the file lives as long as the preview that needs it
    bank_import_dry_run.enqueue(token)
    return True


def job_parse_options(job: dict) -> dict:
    """parse_upload's options for committing what this job's dry run showed."""
    header = (job.get("report") or {}).get("header") or {}
    column_map = job.get("column_map")
    if not column_map and header.get("source") == "remembered":
        column_map = header.get("column_map")  # the remembered mapping as it was applied, not as it may be now
    return {"column_map": column_map or None, "clear_empty": bool(job.get("clear_empty"))}


def job_confirmable(job: dict, revision: str | None) -> bool:
    """May a page confirm this job? Only once its dry run is finished, and only the page showing the latest one: a
    `revision` from an earlier preview (the browser's Back button after the columns were mapped again) may not.
    A request without a revision (the API, scripts) confirms the latest."""
    if job.get("state") in ("queued", "running"):
        return False
    return revision is None or str(revision) == str(job.get("revision", 1))


def job_get(token: str, *, user_id: int) -> dict | None:
    job = cache.get(_job_key(token))
    if not job or job["user_id"] != user_id:
        return None
    return job


def job_data(token: str) -> bytes | None:
    return cache.get(_data_key(token))


def job_finish(token: str) -> None:
    cache.delete_many([_job_key(token), _data_key(token)])


def _update(token: str, **changes) -> None:
    job = cache.get(_job_key(token))
    if job:
        job.update(changes)
        cache.set(_job_key(token), job, JOB_TTL)


@task()
def bank_import_dry_run(token: str) -> str:
    job = cache.get(_job_key(token))
    data = cache.get(_data_key(token))
    if not job or data is None:
        return "expired"
    _update(token, state="running")
    try:
        plan = build_plan(
            data=data,
            filename=job["filename"],
            fmt=job["fmt"],
            default_category=job["default_category"],
            progress=lambda done, total: _update(token, done=done, total=total),
            column_map=job.get("column_map"),
            clear_empty=bool(job.get("clear_empty")),
            saved_mappings=BankColumnMapping.for_fingerprints,
        )
    except SpreadsheetError as exc:
        _update(token, state="failed", error=str(exc))
        return "failed"
    _update(token, state="done", report=plan.report(limit=REPORT_LIMIT))
    return "done"
