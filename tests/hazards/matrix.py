"""The hazards app's part of the access matrix's world (tests/reliability/access_matrix.build_world): on each side a
named report by the side's staff member (with a photo) and an anonymous one (its receipt code); on side A a report
sent straight to the bureau. B's named report's description is a marker A's people must never see."""

from __future__ import annotations

import uuid

from hazards import services
from tests.hazards.factories import gps_jpeg


def add_hazards(world) -> None:
    for side, label in (("A", "甲"), ("B", "乙")):
        s = getattr(world, side)
        s.hazard = services.report_create(
            reporter=s.staff,
            institution=s.inst,
            category="fire",
            description=f"矩阵{label}院实名隐患",
            photos=[gps_jpeg()],
            client_uuid=uuid.uuid4(),
        ).report
        s.hazard_photo = s.hazard.photos.get()
        s.hazard_receipt = services.report_create(
            reporter=s.staff,
            institution=s.inst,
            category="gas",
            description="矩阵匿名隐患",
            anonymous=True,
            client_uuid=uuid.uuid4(),
        ).receipt
    world.bureau_hazard = services.report_create(
        reporter=world.A.staff,
        institution=world.A.inst,
        category="other",
        description="矩阵直报隐患",
        anonymous=True,
        directed_to_bureau=True,
        photos=[gps_jpeg()],
        client_uuid=uuid.uuid4(),
    ).report
    world.bureau_photo = world.bureau_hazard.photos.get()
    world.markers["hazard_b"] = "矩阵乙院实名隐患"
    world.markers["hazard_bureau"] = "矩阵直报隐患"


def report_form(w) -> dict:
    return {
        "client_uuid": str(uuid.uuid4()),
        "institution": w.A.inst.pk,
        "category": "electric",
        "description": "矩阵新上报",
        "judgement": "general",
    }
