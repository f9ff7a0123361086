"""API of drills: scoped listing, create/update by the own officer, attendance, check-in by token, my drills."""

from __future__ import annotations

import pytest

from drills import checkin
from drills.models import Attendance, Drill
from tests.drills.factories import DrillFactory

BODY = {
    "kind": "drill",
    "category": "fire",
    "title": "接口演练",
    "date": "2026-06-10",
    "starts_at": "09:00",
    "ends_at": "10:00",
    "duration_minutes": 60,
}


def test_list_is_scoped(api_for, inst_a, inst_b, officer_a, staff_a, district_admin):
    DrillFactory(institution=inst_a, title="甲")
    DrillFactory(institution=inst_b, title="乙")
    titles = [d["title"] for d in api_for(officer_a).get("/api/v1/drills/").json()["results"]]
    assert titles == ["甲"]
    assert len(api_for(district_admin).get("/api/v1/drills/").json()["results"]) == 2
    assert api_for(staff_a).get("/api/v1/drills/").status_code == 403


def test_create_update(api_for, inst_a, inst_b, officer_a):
    api = api_for(officer_a)
    created = api.post("/api/v1/drills/", {**BODY, "institution": inst_a.pk}, format="json")
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert api.post("/api/v1/drills/", {**BODY, "institution": inst_b.pk}, format="json").status_code == 403
    bad = api.post("/api/v1/drills/", {**BODY, "institution": inst_a.pk, "category": "self_rescue"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"] == "invalid"
    assert api.patch(f"/api/v1/drills/{pk}/", {"title": "改名"}, format="json").json()["title"] == "改名"
    moved = api.patch(f"/api/v1/drills/{pk}/", {"institution": inst_b.pk}, format="json")
    assert moved.status_code == 400
    assert Drill.objects.get(pk=pk).institution == inst_a


def test_other_officer_cannot_see_or_change(api_for, inst_a, officer_b):
    drill = DrillFactory(institution=inst_a)
    api = api_for(officer_b)
    assert api.get(f"/api/v1/drills/{drill.pk}/").status_code == 404
    assert api.patch(f"/api/v1/drills/{drill.pk}/", {"title": "x"}, format="json").status_code == 404
    assert api.get(f"/api/v1/drills/{drill.pk}/attendance/").status_code == 404


def test_checkin_and_my_drills(api_for, inst_a, staff_a, staff_b, officer_a):
    drill = DrillFactory(institution=inst_a, title="扫码演练")
    token = checkin.make_token(drill.pk, drill.checkin_secret)
    first = api_for(staff_a).post("/api/v1/drills/checkin/", {"token": token}, format="json")
    assert first.status_code == 201 and first.json()["already"] is False
    again = api_for(staff_a).post("/api/v1/drills/checkin/", {"token": token}, format="json")
    assert again.status_code == 200 and again.json()["already"] is True
    foreign = api_for(staff_b).post("/api/v1/drills/checkin/", {"token": token}, format="json")
    assert foreign.status_code == 403 and foreign.json()["error"] == "foreign"
    assert api_for(staff_a).post("/api/v1/drills/checkin/", {"token": "nope"}, format="json").status_code == 400
    assert Attendance.objects.count() == 1
    mine = api_for(staff_a).get("/api/v1/my-drills/").json()["results"]
    assert [m["title"] for m in mine] == ["扫码演练"]
    rows = api_for(officer_a).get(f"/api/v1/drills/{drill.pk}/attendance/").json()
    assert [r["real_name"] for r in rows] == [staff_a.real_name]


@pytest.mark.parametrize("body", [{}, {"token": None}, {"token": ["a"]}, {"token": "x" * 1000}])
def test_checkin_hostile_bodies(api_for, staff_a, body):
    response = api_for(staff_a).post("/api/v1/drills/checkin/", body, format="json")
    assert response.status_code == 400


def test_create_retried_with_its_client_uuid_records_once(api_for, inst_a, officer_a):
    api = api_for(officer_a)
    body = {**BODY, "institution": inst_a.pk, "client_uuid": "4d9a4a3e-5a8e-4a43-9e0c-2f6f1c0b2a10"}
    first = api.post("/api/v1/drills/", body, format="json")
    retried = api.post("/api/v1/drills/", body, format="json")
    assert (first.status_code, retried.status_code) == (201, 200)
    assert first.json()["id"] == retried.json()["id"] and "client_uuid" not in first.json()
    changed = api.post("/api/v1/drills/", {**body, "title": "改过的演练"}, format="json")
    assert changed.status_code == 409 and changed.json()["error"] == "already_recorded"
    assert Drill.objects.count() == 1
