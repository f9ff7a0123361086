"""`seed_demo` step: a few hazard reports of the first institution in several states (named and anonymous)."""

from __future__ import annotations

import datetime as dt
import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from elearn.org.models import User
from hazards import services
from hazards.models import Category, HazardReport, Judgement, Severity

PLAN = [
    # (key, category, place, description, judgement, anonymous, end state)
    (
        "fire-door",
        Category.FIRE,
        "门诊楼三楼东侧",
        "消防通道被杂物堵塞，防火门常开。",
        Judgement.GENERAL,
        False,
        "verified",
    ),
    (
        "socket",
        Category.ELECTRIC,
        "住院部护士站",
        "插线板串接使用，电线老化发热。",
        Judgement.GENERAL,
        False,
        "rectifying",
    ),
    (
        "oxygen",
        Category.MEDICAL_EQUIPMENT,
        "氧气间",
        "氧气瓶未固定，旁边堆放纸箱。",
        Judgement.MAYBE_MAJOR,
        True,
        "accepted",
    ),
    (
        "hot-work",
        Category.HOT_WORK,
        "后勤楼屋面",
        "外包单位动火作业无审批、无看火人。",
        Judgement.MAYBE_MAJOR,
        True,
        "pending",
    ),
]


def _photo(color: str) -> SimpleUploadedFile:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(out, "JPEG")
    return SimpleUploadedFile("demo.jpg", out.getvalue(), "image/jpeg")


def seed_hazards(stdout, options, context) -> None:
    institutions = context.get("institutions") or []
    if not institutions:
        return
    inst = institutions[0]
    officer = User.objects.filter(institution=inst, role=User.Role.OFFICER, is_active=True).first()
    staff = User.objects.filter(institution=inst, role=User.Role.STAFF, is_active=True).order_by("employee_no").first()
    if officer is None or staff is None:
        return
    made = 0
    deadline = timezone.localdate() + dt.timedelta(days=7)
    for key, category, place, text, judgement, anonymous, end in PLAN:
        done = services.report_create(
            reporter=staff,
            institution=inst,
            category=category,
            description=text,
            place=place,
            judgement=judgement,
            anonymous=anonymous,
            photos=[_photo("#b71c1c")],
            client_uuid=uuid.uuid5(uuid.NAMESPACE_URL, f"elearn-demo-hazard-{key}"),
        )
        if not done.created:
            continue
        made += 1
        rid = done.report.pk
        if end == "pending":
            continue
        severity = Severity.MAJOR if judgement == Judgement.MAYBE_MAJOR else Severity.GENERAL
        services.report_accept(actor=officer, report_id=rid, deadline=deadline, severity=severity)
        if end == "accepted":
            continue
        services.report_start_rectification(actor=officer, report_id=rid, note="已安排后勤科整改。")
        if end == "rectifying":
            continue
        services.report_rectified(
            actor=officer, report_id=rid, note="已清理通道，防火门恢复常闭。", photos=[_photo("#2e7d32")]
        )
        services.report_verify(actor=officer, report_id=rid, note="复查合格。", on_board=True)
    stdout.write(f"hazards: {made} demo reports ({HazardReport.objects.count()} in all)\n")
