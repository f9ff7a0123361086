"""Attendance rows are part of the person's own copy (我的数据), with nobody else's, and do not expire."""

from __future__ import annotations

import json

from django.urls import reverse

from drills.models import Attendance
from elearn.privacy.registry import tables
from tests.drills.factories import DrillFactory
from tests.factories import UserFactory


def test_attendance_is_in_the_persons_copy_only(inst_a, staff_a, client_for):
    drill = DrillFactory(institution=inst_a, title="心肺复苏培训", kind="training", category="self_rescue")
    mate = UserFactory(institution=inst_a, real_name="同事甲")
    Attendance.objects.create(drill=drill, user=staff_a, method="qr")
    Attendance.objects.create(drill=drill, user=mate, method="roster")
    table = next(t for t in tables() if t.key == "drill_attendance")
    assert table.kind is None  # a training record: no retention period
    response = client_for(staff_a).get(reverse("privacy:my_data_download", args=["json"]))
    text = response.content.decode()
    copies = {t["key"]: t for t in json.loads(text)["tables"]}
    rows = copies["drill_attendance"]["rows"]
    assert len(rows) == 1 and rows[0]["drill__title"] == "心肺复苏培训"
    assert "同事甲" not in text and mate.employee_no not in text
