"""Reads about drills and trainings: the scorecard's counts per institution, who has not held them yet, what a
manager may list, who attended, what a person attended."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from drills.models import Attendance, Drill, DrillPhoto
from elearn.org.models import Institution, User
from elearn.org.permissions import can_manage_institution, scope_queryset

SELF_RESCUE = Drill.Category.SELF_RESCUE
SPECIAL_POST = Drill.Category.SPECIAL_POST


@dataclass(frozen=True)
class DrillCounts:
    drills: int = 0  # 应急演练 held
    trainings: int = 0  # 自救互救培训 held
    special_trainings: int = 0  # 特殊岗位安全技能培训 held
    attendances: int = 0  # distinct people who attended any of them


def held_by_institution(start: dt.date, end: dt.date) -> dict[int, DrillCounts]:
    """Per institution id (only those that held something): what it held from `start` to `end` (dates inclusive,
    never counting a drill dated after today)."""
    held = Drill.objects.held(start, end)
    counts = held.values("institution_id").annotate(
        drills=Count("pk", filter=Q(kind=Drill.Kind.DRILL)),
        trainings=Count("pk", filter=Q(kind=Drill.Kind.TRAINING, category=SELF_RESCUE)),
        special=Count("pk", filter=Q(kind=Drill.Kind.TRAINING, category=SPECIAL_POST)),
    )
    people = (
        Attendance.objects.filter(drill__in=held.values("pk"))
        .values("drill__institution_id")
        .annotate(n=Count("user_id", distinct=True))
    )
    attended = {row["drill__institution_id"]: row["n"] for row in people}
    return {
        row["institution_id"]: DrillCounts(
            drills=row["drills"],
            trainings=row["trainings"],
            special_trainings=row["special"],
            attendances=attended.get(row["institution_id"], 0),
        )
        for row in counts
    }


@dataclass(frozen=True)
class MissingRow:
    institution: Institution
    counts: DrillCounts
    drills_missing: int
    trainings_missing: int


def institutions_missing(
    start: dt.date, end: dt.date, required_drills: int = 1, required_trainings: int = 1
) -> list[MissingRow]:
    """Institutions that have not yet held `required_drills` 应急演练 and `required_trainings` 自救互救培训 in the
    period, in the institutions' order, with how many of each they still owe."""
    held = held_by_institution(start, end)
    rows = []
    for inst in Institution.objects.all():
        counts = held.get(inst.pk, DrillCounts())
        drills_missing = max(0, required_drills - counts.drills)
        trainings_missing = max(0, required_trainings - counts.trainings)
        if drills_missing or trainings_missing:
            rows.append(MissingRow(inst, counts, drills_missing, trainings_missing))
    return rows


def drills_for(user) -> QuerySet[Drill]:
    """The drills a manager may see: an officer their institution's, a district admin all."""
    return (
        scope_queryset(Drill.objects.all(), user)
        .select_related("institution", "recorded_by")
        .annotate(attended=Count("attendances", distinct=True), photo_count=Count("photos", distinct=True))
    )


def drill_for(user, pk: int) -> Drill | None:
    return scope_queryset(Drill.objects.select_related("institution"), user).filter(pk=pk).first()


def may_see_photo(user, photo: DrillPhoto) -> bool:
    """A drill's photos: its institution's officer, a district admin, and those of that institution who attended."""
    if can_manage_institution(user, photo.drill.institution_id):
        return True
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.institution_id == photo.drill.institution_id
        and Attendance.objects.filter(drill_id=photo.drill_id, user=user).exists()
    )


def checked_in_count(drill: Drill) -> int:
    return Attendance.objects.filter(drill=drill).count()


def attendance_of(drill: Drill) -> QuerySet[Attendance]:
    return Attendance.objects.filter(drill=drill).select_related("user").order_by("checked_in_at", "pk")


def roster(drill: Drill, q: str = "") -> QuerySet[User]:
    """The institution's active accounts, optionally filtered by name, 工号 or department."""
    users = User.objects.filter(institution_id=drill.institution_id, is_active=True).order_by(
        "department", "employee_no"
    )
    q = (q or "").strip()[:50]
    if q:
        users = users.filter(Q(real_name__icontains=q) | Q(employee_no__icontains=q) | Q(department__icontains=q))
    return users


def attended_ids(drill: Drill) -> set[int]:
    return set(Attendance.objects.filter(drill=drill).values_list("user_id", flat=True))


def my_attendance(user) -> QuerySet[Attendance]:
    """What `user` attended, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Attendance.objects.none()
    return (
        Attendance.objects.filter(user=user)
        .select_related("drill", "drill__institution")
        .order_by("-drill__date", "-drill__starts_at", "-pk")
    )
