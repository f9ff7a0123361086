"""seed_demo step: drills and trainings for some demo institutions (the others are left without, so the district's
未完成名单 shows something). Idempotent: found again by institution and title."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from drills.models import Attendance, Drill
from elearn.org.models import User

PLAN = [
    # (institution index, kind, category, title, days ago, start, end, attendees)
    (0, "drill", "fire", "门诊楼消防疏散应急演练", 3, "09:00", "10:00", 12),
    (0, "training", "self_rescue", "心肺复苏与自救互救培训", 2, "14:30", "16:00", 15),
    (1, "drill", "gas", "食堂燃气泄漏应急演练", 1, "10:00", "10:45", 8),
    (2, "training", "self_rescue", "自救互救技能培训（AED）", 4, "15:00", "16:30", 10),
    (2, "training", "special_post", "电焊作业特殊岗位安全技能培训", 5, "09:30", "11:00", 3),
]


def seed_drills(stdout, options, context) -> None:
    institutions = context.get("institutions") or []
    today = timezone.localdate()
    made = 0
    for index, kind, category, title, days_ago, start, end, attendees in PLAN:
        if index >= len(institutions):
            continue
        inst = institutions[index]
        officer = User.objects.filter(institution=inst, role=User.Role.OFFICER).first()
        starts, ends = dt.time.fromisoformat(start), dt.time.fromisoformat(end)
        minutes = (dt.datetime.combine(today, ends) - dt.datetime.combine(today, starts)).seconds // 60
        drill, _ = Drill.objects.update_or_create(
            institution=inst,
            title=title,
            defaults={
                "kind": kind,
                "category": category,
                "date": today - dt.timedelta(days=days_ago),
                "starts_at": starts,
                "ends_at": ends,
                "place": "行政楼一楼" if kind == "training" else "门诊楼",
                "scenario": "模拟火情，按预案报警、初期处置、组织疏散。" if category == "fire" else "",
                "duration_minutes": minutes,
                "planned_participants": attendees + 2,
                "problems": "个别人员不熟悉疏散路线。" if kind == "drill" else "",
                "improvements": "各科室张贴疏散示意图并组织复训。" if kind == "drill" else "",
                "recorded_by": officer,
            },
        )
        people = User.objects.filter(institution=inst, is_active=True).order_by("employee_no")[:attendees]
        Attendance.objects.bulk_create(
            [Attendance(drill=drill, user=u, method=Attendance.Method.ROSTER, recorded_by=officer) for u in people],
            ignore_conflicts=True,
        )
        made += 1
    if stdout:
        stdout.write(f"  drills and trainings: {made} (some institutions left without, for the 未完成名单)")
