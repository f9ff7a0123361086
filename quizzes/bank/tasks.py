"""Background dry runs of bank imports (django-tasks), so a large file shows progress instead of a hung page.

The upload and the job's progress live in the cache (Redis when scaled out, so a worker process sees them);
with the immediate backend the task runs inside the upload request and the page opens already finished.
"""

from __future__ import annotations

import secrets

from django.core.cache import cache
from django_tasks import task

from elearn.spreadsheets import SpreadsheetError
from quizzes.bank.importers import build_plan

JOB_TTL = 60 * 60
REPORT_LIMIT = 1000  # rows listed per kind on the page; counts are always complete


def _job_key(token: str) -> str:
    return f"bank-import-job:{token}"


def _data_key(token: str) -> str:
    return f"bank-import-data:{token}"


def job_start(*, user_id: int, data: bytes, filename: str, fmt: str | None, default_category: list[str] | None) -> str:
    token = secrets.token_urlsafe(16)
    cache.set(_data_key(token), data, JOB_TTL)
    cache.set(
        _job_key(token),
        {
            "user_id": user_id,
            "filename": filename,
            "fmt": fmt,
            "default_category": default_category,
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
        )
    except SpreadsheetError as exc:
        _update(token, state="failed", error=str(exc))
        return "failed"
    _update(token, state="done", report=plan.report(limit=REPORT_LIMIT))
    return "done"
