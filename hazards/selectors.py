"""Reads of hazard reports for the screens, the API and the campaign scorecard."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from hazards import receipts
from hazards.models import DONE_STATES, OVERDUE_STATES, Category, HazardReport, Judgement, Severity, State


@dataclass
class HazardCounts:
    reported: int = 0
    rectified: int = 0  # 已整改 + 已验收
    overdue: int = 0
    major: int = 0


def _counted(start: datetime.date, end: datetime.date, include_bureau: bool) -> QuerySet:
    reports = HazardReport.objects.created_between(start, end)
    return reports if include_bureau else reports.filter(directed_to_bureau=False)


def counts_by_institution(
    start: datetime.date, end: datetime.date, *, include_bureau: bool = False
) -> dict[int, HazardCounts]:
    """Reports concerning each institution created in [start, end] (local dates, both included), by institution id.

    Reports sent straight to the bureau (直报区卫健局) are left out unless `include_bureau`: an institution's officer
    must not learn from a count that someone reported their management. Only the district admin's views pass True."""
    today = timezone.localdate()
    rows = (
        _counted(start, end, include_bureau)
        .values("institution_id")
        .annotate(
            reported=Count("pk"),
            rectified=Count("pk", filter=Q(state__in=DONE_STATES)),
            overdue=Count("pk", filter=Q(state__in=OVERDUE_STATES, deadline__lt=today)),
            major=Count("pk", filter=Q(judgement=Judgement.MAYBE_MAJOR) | Q(severity=Severity.MAJOR)),
        )
    )
    return {
        row["institution_id"]: HazardCounts(row["reported"], row["rectified"], row["overdue"], row["major"])
        for row in rows
    }


def counts_by_category(start: datetime.date, end: datetime.date, *, include_bureau: bool = False) -> dict[str, int]:
    """Reports created in [start, end] by category value ("fire", ...), every category present (0 when none)."""
    found = dict(
        _counted(start, end, include_bureau)
        .values_list("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    return {value: found.get(value, 0) for value in Category.values}


def find_by_receipt(code: str) -> HazardReport | None:
    digest = receipts.receipt_hash(code)
    if not digest:
        return None
    return HazardReport.objects.select_related("institution").filter(receipt_hash=digest).first()


def my_reports(user) -> QuerySet:
    """A signed-in reporter's named reports (anonymous ones are linked to nobody)."""
    if not getattr(user, "is_authenticated", False):
        return HazardReport.objects.none()
    return HazardReport.objects.filter(reporter=user, anonymous=False).select_related("institution")


def handling_list(user, params=None) -> tuple[QuerySet, dict]:
    """The reports `user` handles, filtered by `params` (state, category, overdue, major, institution, q)."""
    params = params or {}
    reports = HazardReport.objects.handled_by(user).select_related("institution", "handler")
    chosen = {}
    state = params.get("state") or ""
    if state in State.values:
        reports, chosen["state"] = reports.filter(state=state), state
    elif state == "open":
        reports, chosen["state"] = reports.filter(state__in=(State.PENDING, *OVERDUE_STATES)), state
    category = params.get("category") or ""
    if category in Category.values:
        reports, chosen["category"] = reports.filter(category=category), category
    if params.get("overdue"):
        reports, chosen["overdue"] = reports.overdue(), "1"
    if params.get("major"):
        reports, chosen["major"] = reports.major(), "1"
    if params.get("bureau") and getattr(user, "is_district_admin", False):
        reports, chosen["bureau"] = reports.filter(directed_to_bureau=True), "1"
    institution = str(params.get("institution") or "")
    if institution.isdigit() and getattr(user, "is_district_admin", False):
        reports, chosen["institution"] = reports.filter(institution_id=int(institution)), institution
    return reports, chosen


def major_open(user) -> QuerySet:
    """重大隐患 not yet closed, for the district admin's list (at once: on submission, by the reporter's judgement)."""
    if not getattr(user, "is_district_admin", False):
        return HazardReport.objects.none()
    return (
        HazardReport.objects.major()
        .filter(state__in=(State.PENDING, *OVERDUE_STATES, State.RECTIFIED))
        .select_related("institution")
    )


def board(limit: int = 50) -> QuerySet:
    """The 警示教育 board: verified reports the handler chose to show, never bureau-directed, without reporters."""
    return (
        HazardReport.objects.filter(state=State.VERIFIED, on_board=True, directed_to_bureau=False)
        .select_related("institution")
        .prefetch_related("photos")
        .defer("reporter", "client_uuid", "receipt_hash")[:limit]
    )


def ledger_rows(user) -> QuerySet:
    return (
        HazardReport.objects.handled_by(user)
        .select_related("institution", "handler", "reporter")
        .prefetch_related("rewards")
        .order_by("created_at")
    )
