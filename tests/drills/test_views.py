"""Drill screens: who may open the admin pages, the QR page, photos and attendance; the check-in page's answers."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client
from django.urls import reverse

from drills import checkin, services
from drills.models import Attendance, Drill
from tests.drills.factories import DrillFactory, jpeg_with_gps
from tests.factories import UserFactory


@pytest.fixture
def drill_a(inst_a, officer_a):
    return DrillFactory(institution=inst_a, title="甲院消防演练", recorded_by=officer_a)


@pytest.fixture
def photo_a(drill_a, officer_a):
    return services.drill_photos_add(actor=officer_a, drill=drill_a, uploads=[jpeg_with_gps()])[0]


def login(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def admin_urls(drill) -> list[str]:
    pk = drill.pk
    return [
        f"/admin/drills/{pk}/",
        f"/admin/drills/{pk}/qr/",
        f"/admin/drills/{pk}/qr.svg",
        f"/admin/drills/{pk}/live.json",
        f"/admin/drills/{pk}/roster/",
        f"/admin/drills/{pk}/attendance.xlsx",
    ]


def test_own_officer_and_admin_open_every_drill_page(drill_a, officer_a, district_admin):
    for user in (officer_a, district_admin):
        client = login(user)
        for url in admin_urls(drill_a):
            assert client.get(url).status_code == 200, (user, url)


def test_other_officer_staff_and_anonymous_refused(drill_a, officer_b, staff_a):
    for user, refused in ((officer_b, {404}), (staff_a, {302, 403}), (None, {302})):
        client = login(user)
        for url in admin_urls(drill_a):
            response = client.get(url)
            assert response.status_code in refused, (user, url, response.status_code)
            assert "甲院消防演练".encode() not in response.content
        response = client.post(f"/admin/drills/{drill_a.pk}/checkin/", {"action": "close"})
        assert response.status_code in refused | {403}
    assert Drill.objects.get(pk=drill_a.pk).checkin_closed_at is None


def test_listing_is_scoped(drill_a, inst_b, officer_b, district_admin):
    DrillFactory(institution=inst_b, title="乙院燃气演练")
    body = login(officer_b).get("/admin/drills/").content.decode()
    assert "乙院燃气演练" in body and "甲院消防演练" not in body
    body = login(district_admin).get("/admin/drills/").content.decode()
    assert "乙院燃气演练" in body and "甲院消防演练" in body


def test_missing_list_is_for_the_district_admin(drill_a, officer_a, district_admin, inst_b):
    assert login(officer_a).get("/admin/drills/missing/").status_code in (302, 403)
    response = login(district_admin).get("/admin/drills/missing/?start=2000-01-01&end=2100-01-01")
    assert response.status_code == 200
    body = response.content.decode()
    assert inst_b.name in body  # held nothing
    assert "自救互救培训 1 次" in body  # 甲院 held a drill but no training


def test_photo_permissions(photo_a, drill_a, officer_a, officer_b, staff_a, staff_b, district_admin):
    url = reverse("drills:photo", args=[photo_a.pk])
    for user in (officer_a, district_admin):
        response = login(user).get(url)
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
        assert b"SecretCam" not in b"".join(response.streaming_content)
    assert login(None).get(url).status_code == 302
    for user in (officer_b, staff_b, staff_a):  # staff_a has not attended yet
        assert login(user).get(url).status_code == 404
    Attendance.objects.create(drill=drill_a, user=staff_a, method="qr")
    assert login(staff_a).get(url).status_code == 200
    moved = UserFactory(institution=staff_b.institution)
    Attendance.objects.create(drill=drill_a, user=moved, method="roster")  # attended, but of another institution now
    assert login(moved).get(url).status_code == 404


def test_photo_is_not_under_media(photo_a):
    assert login(None).get(f"/media/evidence/{photo_a.image.name}").status_code == 404


def _token(drill) -> str:
    return checkin.make_token(drill.pk, drill.checkin_secret)


def test_checkin_page_requires_login_and_comes_back(drill_a):
    url = reverse("drills:checkin", args=[_token(drill_a)])
    response = login(None).get(url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] and "next=" in response["Location"]


def test_checkin_flow(drill_a, staff_a):
    client = login(staff_a)
    url = reverse("drills:checkin", args=[_token(drill_a)])
    page = client.get(url)
    assert page.status_code == 200 and "确认签到" in page.content.decode()
    assert not Attendance.objects.exists()  # a GET checks nobody in
    done = client.post(url)
    assert "签到成功" in done.content.decode() and "甲院消防演练" in done.content.decode()
    again = client.post(url)
    assert "已签到" in again.content.decode()
    assert Attendance.objects.filter(drill=drill_a, user=staff_a).count() == 1
    assert "已签到" in client.get(url).content.decode()
    mine = client.get("/drills/mine/").content.decode()
    assert "甲院消防演练" in mine


def test_checkin_foreign_refused_without_the_title(drill_a, staff_b):
    client = login(staff_b)
    url = reverse("drills:checkin", args=[_token(drill_a)])
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 403
        body = response.content.decode()
        assert "不是本单位的演练" in body and "甲院消防演练" not in body
    assert not Attendance.objects.exists()


def test_checkin_outside_window_refused(inst_a, staff_a):
    import datetime as dt

    drill = DrillFactory(institution=inst_a, date=dt.date(2020, 1, 1))
    response = login(staff_a).post(reverse("drills:checkin", args=[_token(drill)]))
    assert response.status_code == 403 and "不在签到时间内" in response.content.decode()


@pytest.mark.parametrize("token", ["x", "1-1-zz", "%00", "a" * 300, "<script>"])
def test_checkin_hostile_tokens(staff_a, token):
    from urllib.parse import quote

    response = login(staff_a).post(f"/drills/checkin/{quote(token, safe='')}/")
    assert response.status_code in (403, 404)
    assert b"<script>" not in response.content


def test_live_json_counts(drill_a, officer_a, staff_a):
    services.attendance_check_in_by_qr(user=staff_a, token=_token(drill_a))
    live = login(officer_a).get(f"/admin/drills/{drill_a.pk}/live.json").json()
    assert live["count"] == 1 and live["open"] is True
    assert live["qr"].startswith(f"/admin/drills/{drill_a.pk}/qr.svg")
    svg = login(officer_a).get(live["qr"])
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content


def test_create_edit_with_photo_and_roster_and_export(inst_a, officer_a, staff_a):
    from openpyxl import load_workbook

    client = login(officer_a)
    form = {
        "institution": inst_a.pk,
        "kind": "training",
        "category": "self_rescue",
        "title": '=HYPERLINK("http://evil")',
        "date": "2026-06-10",
        "starts_at": "14:00",
        "ends_at": "15:30",
        "place": "会议室",
        "scenario": "心肺复苏",
        "duration_minutes": "90",
        "planned_participants": "30",
        "problems": "",
        "improvements": "",
        "photos": [jpeg_with_gps("a.jpg"), jpeg_with_gps("b.jpg")],
    }
    response = client.post("/admin/drills/new/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    drill = Drill.objects.get()
    assert drill.photos.count() == 2 and drill.recorded_by == officer_a
    edit = client.get(f"/admin/drills/{drill.pk}/").content.decode()
    assert 'value="2026-06-10"' in edit and 'value="14:00"' in edit  # the browser's date and time inputs read them
    bad = client.post(f"/admin/drills/{drill.pk}/", {**form, "photos": [], "category": "fire"})
    assert bad.status_code == 400  # 消防 is not a training category
    roster = client.post(f"/admin/drills/{drill.pk}/roster/", {"user": [staff_a.pk], "shown": [staff_a.pk]})
    assert roster.status_code == 302
    xlsx = client.get(f"/admin/drills/{drill.pk}/attendance.xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    values = [c.value for row in book.active.iter_rows() for c in row]
    assert staff_a.real_name in values


def test_create_for_another_institution_refused(inst_b, officer_a):
    form = {
        "institution": inst_b.pk,
        "kind": "drill",
        "category": "fire",
        "title": "越权",
        "date": "2026-06-10",
        "starts_at": "09:00",
        "ends_at": "10:00",
        "duration_minutes": "60",
        "planned_participants": "0",
    }
    response = login(officer_a).post("/admin/drills/new/", form)
    assert response.status_code == 200  # the form again: that institution is not a choice
    assert not Drill.objects.exists()


def test_roster_foreign_user_refused(drill_a, officer_a, staff_b):
    response = login(officer_a).post(
        f"/admin/drills/{drill_a.pk}/roster/", {"user": [staff_b.pk], "shown": [staff_b.pk]}
    )
    assert response.status_code == 400
    assert not Attendance.objects.exists()


def test_export_is_formula_safe(drill_a, officer_a, inst_a):
    from openpyxl import load_workbook

    evil = UserFactory(institution=inst_a, real_name="=1+1", department="@SUM(A1)")
    services.attendance_set_from_roster(actor=officer_a, drill=drill_a, user_ids=[evil.pk])
    book = load_workbook(io.BytesIO(login(officer_a).get(f"/admin/drills/{drill_a.pk}/attendance.xlsx").content))
    values = [c.value for row in book.active.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any(v.startswith(("=", "@")) for v in values)


def test_me_page_links_my_drills(staff_a):
    assert "我参加的演练与培训" in login(staff_a).get("/me/").content.decode()


def _recording_form(inst, **extra) -> dict:
    return {
        "institution": inst.pk,
        "kind": "drill",
        "category": "fire",
        "title": "门诊楼消防疏散演练",
        "date": "2026-06-10",
        "starts_at": "09:00",
        "ends_at": "10:00",
        "duration_minutes": "60",
        "planned_participants": "0",
        **extra,
    }


def test_double_submitted_form_records_one_drill_with_its_photos_once(inst_a, officer_a):
    client = login(officer_a)
    page = client.get("/admin/drills/new/").content.decode()
    key = re.search(r'name="client_uuid" value="([0-9a-f-]{36})"', page).group(1)
    first = client.post("/admin/drills/new/", _recording_form(inst_a, client_uuid=key, photos=[jpeg_with_gps()]))
    second = client.post("/admin/drills/new/", _recording_form(inst_a, client_uuid=key, photos=[jpeg_with_gps()]))
    drill = Drill.objects.get()
    assert first["Location"] == second["Location"] == f"/admin/drills/{drill.pk}/"
    assert drill.photos.count() == 1
    again = client.get("/admin/drills/new/").content.decode()
    assert key not in again  # every rendering of the form is a new submission


def test_form_brought_back_and_changed_is_refused_then_records_on_the_next_click(inst_a, officer_a):
    client = login(officer_a)
    key = "6f1c7a9e-3c1b-4c55-9a55-3d2f0d4b1e77"
    client.post("/admin/drills/new/", _recording_form(inst_a, client_uuid=key))
    changed = client.post("/admin/drills/new/", _recording_form(inst_a, client_uuid=key, title="燃气泄漏演练"))
    assert changed.status_code == 200
    body = changed.content.decode()
    assert "已经保存过" in body and key not in body
    fresh = re.search(r'name="client_uuid" value="([0-9a-f-]{36})"', body).group(1)
    assert (
        client.post("/admin/drills/new/", _recording_form(inst_a, client_uuid=fresh, title="燃气泄漏演练")).status_code
        == 302
    )
    assert sorted(Drill.objects.values_list("title", flat=True)) == ["燃气泄漏演练", "门诊楼消防疏散演练"]


def test_same_key_from_another_officer_is_not_their_drill(inst_a, officer_a, district_admin):
    key = "0b7e2f0e-94a4-4f40-8d7c-7a3c55d0b001"
    login(officer_a).post("/admin/drills/new/", _recording_form(inst_a, client_uuid=key))
    other = login(district_admin).post("/admin/drills/new/", _recording_form(inst_a, client_uuid=key))
    assert other.status_code == 200 and Drill.objects.count() == 1
