"""The hazards pages, admin pages and API: the outbox contract, visibility (bureau-directed reports hidden from the
institution's officer everywhere), photos behind permission, the receipt page and its throttle, the ledger export."""

from __future__ import annotations

import io
import uuid
import zipfile

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from hazards import services
from hazards.models import HazardReport, State
from tests.factories import UserFactory
from tests.hazards.factories import deadline, gps_jpeg, submit, to_verified

pytestmark = pytest.mark.django_db


def _form(inst, **extra):
    data = {
        "client_uuid": str(uuid.uuid4()),
        "institution": inst.pk,
        "category": "electric",
        "location": "住院部",
        "place": "护士站",
        "description": "插线板串接",
        "judgement": "general",
    }
    data.update(extra)
    return data


def test_form_page_has_camera_and_outbox(client_for, staff_a):
    body = client_for(staff_a).get("/hazards/new/").content.decode()
    assert 'capture="environment"' in body and "data-outbox=" in body and 'name="client_uuid"' in body
    assert "data-anonymity-explained" in body and "elearn/outbox.js" in body


def test_named_without_js_redirects_and_is_idempotent(client_for, staff_a, inst_a):
    client = client_for(staff_a)
    data = _form(inst_a, photos=[gps_jpeg()])
    first = client.post("/hazards/new/", data)
    report = HazardReport.objects.get()
    assert first.status_code == 302 and first["Location"] == f"/hazards/{report.pk}/"
    data["photos"] = [gps_jpeg()]
    again = client.post("/hazards/new/", data)
    assert again["Location"] == first["Location"] and HazardReport.objects.count() == 1
    page = client.get(f"/hazards/{report.pk}/").content.decode()
    assert "插线板串接" in page and f"/hazards/photos/{report.photos.get().pk}/" in page
    assert str(report.pk) in client.get("/hazards/mine/").content.decode()


def test_outbox_json_contract(client_for, staff_a, inst_a):
    client = client_for(staff_a)
    ok = client.post("/hazards/new/", _form(inst_a), HTTP_ACCEPT="application/json")
    assert ok.status_code == 200 and ok.json()["ok"] and ok.json()["redirect"].startswith("/hazards/")
    anon = client.post("/hazards/new/", _form(inst_a, anonymous="on"), HTTP_ACCEPT="application/json").json()
    assert anon["ok"] and anon["redirect"].startswith("/hazards/receipt/#")
    code = anon["redirect"].split("#", 1)[1]
    assert code in anon["message"]
    bad = client.post("/hazards/new/", _form(inst_a, description="", category="x"), HTTP_ACCEPT="application/json")
    assert bad.status_code == 400 and not bad.json()["ok"]
    assert {"description", "category"} <= set(bad.json()["errors"])
    pic = client.post(
        "/hazards/new/",
        _form(inst_a, photos=[SimpleUploadedFile("x.jpg", b"GIF89a....", "image/jpeg")]),
        HTTP_ACCEPT="application/json",
    )
    assert pic.status_code == 400 and "photos" in pic.json()["errors"]


def test_receipt_page_never_holds_a_code(client):
    page = client.get("/hazards/receipt/")
    assert page.status_code == 200 and b"data-receipt-code></p>" in page.content


def test_follow_by_receipt_and_throttle(client, staff_a, inst_a, settings):
    cache.clear()
    done = submit(staff_a, inst_a, anonymous=True)
    assert client.get("/hazards/follow/?receipt=" + done.receipt).content.count(done.receipt.encode()) == 0
    page = client.post("/hazards/follow/", {"receipt": done.receipt.lower()})
    assert page.status_code == 200 and "待核实" in page.content.decode()
    settings.HAZARDS_RECEIPT_FAILURES_PER_ADDRESS = 3
    for _ in range(3):
        wrong = client.post("/hazards/follow/", {"receipt": "ABCD-ABCD-ABCD-ABCD-ABCD-ABCD-ABCD"})
        assert wrong.status_code == 200 and "回执码不正确" in wrong.content.decode()
    blocked = client.post("/hazards/follow/", {"receipt": done.receipt})
    assert blocked.status_code == 429
    other = Client(REMOTE_ADDR="198.51.100.9")
    assert other.post("/hazards/follow/", {"receipt": done.receipt}).status_code == 200
    cache.clear()


def test_bureau_report_invisible_to_the_institutions_officer(client_for, staff_a, inst_a, officer_a, district_admin):
    bureau = submit(staff_a, inst_a, bureau=True, description="院领导要求关闭消防报警").report
    own = submit(staff_a, inst_a).report
    client = client_for(officer_a)
    listing = client.get("/admin/hazards/").content.decode()
    assert str(own.pk) in listing and str(bureau.pk) not in listing and "院领导" not in listing
    assert client.get(f"/admin/hazards/{bureau.pk}/").status_code == 404
    assert client.get(f"/hazards/photos/{bureau.photos.get().pk}/").status_code == 404
    ledger = client.get("/admin/hazards/ledger.xlsx")
    assert ledger.status_code == 200
    text = "".join(
        zipfile.ZipFile(io.BytesIO(ledger.content)).read(n).decode(errors="ignore")
        for n in zipfile.ZipFile(io.BytesIO(ledger.content)).namelist()
    )
    assert "院领导" not in text
    api = client.get("/api/v1/hazards/handling/").json()
    assert [r["id"] for r in api["results"]] == [own.pk]
    assert client.get(f"/api/v1/hazards/handling/{bureau.pk}/").status_code == 404
    # the district admin sees it, with the major list at once
    admin = client_for(district_admin)
    assert str(bureau.pk) in admin.get("/admin/hazards/?bureau=1").content.decode()


def test_admin_transitions_and_formula_safe_ledger(client_for, staff_a, inst_a, officer_a, district_admin):
    rid = submit(staff_a, inst_a, description='=HYPERLINK("http://x")').report.pk
    client = client_for(officer_a)
    url = f"/admin/hazards/{rid}/"
    assert (
        client.post(url, {"action": "accept", "deadline": deadline().isoformat(), "severity": "general"}).status_code
        == 302
    )
    client.post(url, {"action": "start", "note": "安排整改"})
    client.post(url, {"action": "rectified", "note": "已清理", "photos": [gps_jpeg((0, 200, 0))]})
    client.post(url, {"action": "verify", "on_board": "on"})
    report = HazardReport.objects.get(pk=rid)
    assert report.state == State.VERIFIED and report.on_board
    page = client.get(url).content.decode()
    assert "已验收" in page and "设置奖励" not in page
    assert "设置奖励" in client_for(district_admin).get(url).content.decode()
    ledger = client.get("/admin/hazards/ledger.xlsx").content
    book = zipfile.ZipFile(io.BytesIO(ledger))
    sheet = "".join(book.read(n).decode(errors="ignore") for n in book.namelist())
    assert "'=HYPERLINK" in sheet and ">=HYPERLINK" not in sheet


def test_board_shows_before_and_after_without_reporter(client_for, staff_a, inst_a, officer_a, staff_b):
    report = submit(staff_a, inst_a, description="配电箱门缺失").report
    to_verified(report.pk, officer_a)
    hidden = submit(staff_a, inst_a, bureau=True, description="直报的隐患").report
    page = client_for(staff_b).get("/hazards/board/").content.decode()
    assert "配电箱门缺失" in page and staff_a.real_name not in page and "直报的隐患" not in page
    photos = list(report.photos.all())
    assert len(photos) == 2
    for photo in photos:
        assert client_for(staff_b).get(f"/hazards/photos/{photo.pk}/").status_code == 200
    assert client_for(staff_b).get(f"/hazards/photos/{hidden.photos.get().pk}/").status_code == 404


def test_photo_permissions(client_for, staff_a, inst_a, officer_a, officer_b, district_admin):
    photo = submit(staff_a, inst_a).report.photos.get()
    url = f"/hazards/photos/{photo.pk}/"
    assert client_for(staff_a).get(url).status_code == 200
    response = client_for(officer_a).get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert client_for(officer_b).get(url).status_code == 404
    assert client_for(UserFactory(institution=inst_a)).get(url).status_code == 404
    assert client_for(district_admin).get(url).status_code == 200


def test_api_submit_follow_and_handle(api_for, staff_a, inst_a, officer_a):
    api = api_for(staff_a)
    created = api.post(
        "/api/v1/hazards/reports/",
        {
            "institution": inst_a.pk,
            "category": "gas",
            "description": "燃气味",
            "anonymous": "true",
            "photos": [gps_jpeg()],
        },
        format="multipart",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["id"] is None and body["receipt"]
    named = api.post(
        "/api/v1/hazards/reports/", {"institution": inst_a.pk, "category": "fire", "description": "x"}, format="json"
    )
    assert named.status_code == 201 and named.json()["id"]
    mine = api.get("/api/v1/hazards/reports/mine/").json()
    assert [r["id"] for r in mine["results"]] == [named.json()["id"]]
    assert api.post("/api/v1/hazards/follow/", {"receipt": "nope"}, format="json").status_code == 404
    followed = api.post("/api/v1/hazards/follow/", {"receipt": body["receipt"]}, format="json")
    assert followed.status_code == 200 and followed.json()["state"] == "pending"
    officer = api_for(officer_a)
    listing = officer.get("/api/v1/hazards/handling/?state=pending").json()
    assert len(listing["results"]) == 2
    rid = named.json()["id"]
    moved = officer.post(
        f"/api/v1/hazards/handling/{rid}/transition/",
        {"action": "accept", "deadline": deadline().isoformat()},
        format="json",
    )
    assert moved.status_code == 200 and moved.json()["state"] == "accepted"
    wrong = officer.post(f"/api/v1/hazards/handling/{rid}/transition/", {"action": "verify"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["error"] == "wrong_state"
    assert api.get("/api/v1/hazards/handling/").status_code == 403


def test_hostile_inputs(client_for, staff_a, inst_a):
    from PIL import Image

    client = client_for(staff_a)
    huge = client.post("/hazards/new/", _form(inst_a, description="隐" * 100_000), HTTP_ACCEPT="application/json")
    assert huge.status_code == 400
    bomb = io.BytesIO()
    Image.new("1", (20000, 20000)).save(bomb, "PNG")
    bombed = client.post(
        "/hazards/new/",
        _form(inst_a, photos=[SimpleUploadedFile("bomb.png", bomb.getvalue(), "image/png")]),
        HTTP_ACCEPT="application/json",
    )
    assert bombed.status_code == 400 and "photos" in bombed.json()["errors"]
    exe = client.post(
        "/hazards/new/",
        _form(inst_a, photos=[SimpleUploadedFile("a.jpg", b"MZ\x90\x00" * 100, "image/jpeg")]),
        HTTP_ACCEPT="application/json",
    )
    assert exe.status_code == 400
    assert client.post("/hazards/follow/", {"receipt": "x" * 10_000}).status_code == 200
    assert not HazardReport.objects.exists()


def test_me_and_home_sections(client_for, staff_a, rf):
    from django.template.loader import render_to_string

    from content.home_sections import home_sections

    client = client_for(staff_a)
    assert "data-me-hazards" in client.get("/me/").content.decode()
    request = rf.get("/")
    request.user = staff_a
    mine = [s for s in home_sections(request) if s["template"] == "hazards/includes/home_hazards.html"]
    assert len(mine) == 1
    assert "/hazards/new/" in render_to_string(mine[0]["template"], {"section": mine[0]}, request=request)


def test_named_reporter_sees_reward_and_answers(client_for, staff_a, inst_a, officer_a, district_admin):
    rid = submit(staff_a, inst_a).report.pk
    services.message_ask(actor=officer_a, report_id=rid, text="几点发现的？")
    client = client_for(staff_a)
    assert client.post(f"/hazards/{rid}/", {"action": "answer", "text": "上午九点"}).status_code == 302
    to_verified(rid, officer_a)
    services.reward_grant(actor=district_admin, report_id=rid, amount="100", kind="通报表扬")
    page = client.get(f"/hazards/{rid}/").content.decode()
    assert "上午九点" in page and "通报表扬" in page and "100" in page
    assert client_for(UserFactory(institution=inst_a)).get(f"/hazards/{rid}/").status_code == 404


def test_the_reporters_forms_are_sent_once(client_for, staff_a, inst_a):
    """A second tap on 发送答复 or 上传 while the next page loads would send the message or the photos twice: the
    forms are `data-once` (elearn/once.js, loaded by every page; its behaviour: tests/e2e/test_submit_once.py)."""
    report = submit(staff_a, inst_a).report
    page = client_for(staff_a).get(f"/hazards/{report.pk}/").content.decode()
    assert "elearn/once.js" in page
    forms = [chunk.split(">", 1)[0] for chunk in page.split("<form")[1:]]
    assert forms and all("data-once" in form for form in forms if 'method="post"' in form)
    assert sum('method="post"' in form for form in forms) == 2
