"""Adversarial review of drills and trainings (issue 16, part 4): check-in by QR code from outside, late or replayed,
another institution's officer via the admin screens and the API, careless input, uploads."""

from __future__ import annotations

import datetime as dt
import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from drills import checkin, services
from drills.models import Attendance, Drill, DrillPhoto
from elearn.org.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _drill(inst, *, open_now=True, **kw) -> Drill:
    fields = {
        "institution": inst,
        "kind": Drill.Kind.DRILL,
        "category": Drill.Category.FIRE,
        "title": "消防疏散演练",
        "date": timezone.localdate(),
        "starts_at": dt.time(8, 0),
        "ends_at": dt.time(9, 0),
        "checkin_opened_at": timezone.now() if open_now else None,
    }
    fields.update(kw)
    return Drill.objects.create(**fields)


def _url(drill: Drill, **kw) -> str:
    return reverse("drills:checkin", kwargs={"token": checkin.make_token(drill.pk, drill.checkin_secret, **kw)})


def _jpeg(size=(64, 48), exif: bool = False) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, (200, 30, 30))
    if exif:
        data = Image.Exif()
        data[0x010F] = "SpyCam"  # Make
        data[0x8825] = {2: (31.0, 14.0, 0.0), 1: "N"}  # GPS IFD
        image.save(out, "JPEG", exif=data)
    else:
        image.save(out, "JPEG")
    return out.getvalue()


# --- the QR code from outside, late, replayed ----------------------------------------------------------------------


def test_forwarded_link_refused_to_another_institutions_staff(client_for, inst_a, staff_b):
    drill = _drill(inst_a)
    response = client_for(staff_b).post(_url(drill))
    assert response.status_code == 403
    assert not Attendance.objects.exists()
    assert drill.title not in response.content.decode()


def test_photographed_code_refused_hours_later(client_for, inst_a, staff_a):
    drill = _drill(inst_a)
    url = _url(drill, now=time.time() - 3 * 3600)
    response = client_for(staff_a).post(url)
    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_token_replay_after_close_refused(client_for, inst_a, officer_a, staff_a):
    drill = _drill(inst_a)
    url = _url(drill)
    services.drill_checkin_close(actor=officer_a, drill=drill)
    services.drill_checkin_open(actor=officer_a, drill=Drill.objects.get(pk=drill.pk))  # reopened: old code still dead
    response = client_for(staff_a).post(url)
    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_post_with_another_user_id_checks_in_only_the_caller(client_for, api_for, inst_a, staff_a):
    other = UserFactory(institution=inst_a)
    drill = _drill(inst_a)
    client_for(staff_a).post(_url(drill), {"user": other.pk, "user_id": other.pk})
    api_for(staff_a).post(
        "/api/v1/drills/checkin/", {"token": checkin.make_token(drill.pk, drill.checkin_secret), "user": other.pk}
    )
    assert list(Attendance.objects.values_list("user_id", flat=True)) == [staff_a.pk]


def test_disabled_account_cannot_check_in(client, inst_a, staff_a):
    drill = _drill(inst_a)
    client.force_login(staff_a)
    User.objects.filter(pk=staff_a.pk).update(is_active=False)
    response = client.post(_url(drill))
    assert response.status_code in (302, 403)
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda u: u + "?from=singlemessage&isappinstalled=0",
        lambda u: u + "?utm_source=wechat&spm=a2c6h.12873639",
        lambda u: u.upper().replace("/DRILLS/CHECKIN/", "/drills/checkin/"),  # scanner upper-cases the token
        lambda u: u.rstrip("/") + "%20/",  # a space copied along from a chat message
    ],
    ids=["wechat-params", "utm", "uppercased-token", "trailing-space"],
)
def test_check_in_survives_what_phones_do_to_the_url(client_for, inst_a, staff_a, mangle):
    drill = _drill(inst_a)
    response = client_for(staff_a).post(mangle(_url(drill)), follow=True)
    assert response.status_code == 200, response.content.decode()[:500]
    assert Attendance.objects.filter(drill=drill, user=staff_a).exists()


# --- another institution's officer: admin screens and API -----------------------------------------------------------


@pytest.mark.parametrize(
    "name,method",
    [
        ("drills_admin_edit", "get"),
        ("drills_admin_edit", "post"),
        ("drills_admin_qr", "get"),
        ("drills_admin_qr_svg", "get"),
        ("drills_admin_live", "get"),
        ("drills_admin_roster", "get"),
        ("drills_admin_roster", "post"),
        ("drills_admin_export", "get"),
        ("drills_admin_checkin", "post"),
    ],
)
def test_officer_b_gets_nothing_of_a(client_for, inst_a, officer_b, staff_a, name, method):
    drill = _drill(inst_a)
    Attendance.objects.create(drill=drill, user=staff_a, method="qr")
    client = client_for(officer_b)
    url = reverse(name, kwargs={"pk": drill.pk})
    data = {"user": [staff_a.pk], "shown": [staff_a.pk], "action": "close", "title": "hijacked"}
    response = getattr(client, method)(url, data) if method == "post" else client.get(url)
    assert response.status_code in (403, 404)
    drill.refresh_from_db()
    assert drill.title == "消防疏散演练" and drill.checkin_closed_at is None
    assert Attendance.objects.filter(drill=drill).count() == 1


def test_officer_b_cannot_put_a_staff_on_b_roster(client_for, inst_a, inst_b, officer_b, staff_a):
    drill = _drill(inst_b)
    response = client_for(officer_b).post(
        reverse("drills_admin_roster", kwargs={"pk": drill.pk}), {"user": [staff_a.pk], "shown": [staff_a.pk]}
    )
    assert response.status_code == 400
    assert not Attendance.objects.exists()


def test_officer_b_cannot_see_a_photos_by_guessed_id(client_for, inst_a, officer_a, officer_b, staff_b):
    drill = _drill(inst_a)
    [photo] = services.drill_photos_add(
        actor=officer_a, drill=drill, uploads=[SimpleUploadedFile("a.jpg", _jpeg(), "image/jpeg")]
    )
    for user in (officer_b, staff_b):
        assert client_for(user).get(reverse("drills:photo", args=[photo.pk])).status_code == 404


def test_officer_b_api_cannot_read_edit_or_export_a(api_for, inst_a, officer_b, staff_a):
    drill = _drill(inst_a)
    Attendance.objects.create(drill=drill, user=staff_a, method="qr")
    api = api_for(officer_b)
    assert api.get(f"/api/v1/drills/{drill.pk}/").status_code == 404
    assert api.get(f"/api/v1/drills/{drill.pk}/attendance/").status_code == 404
    assert api.patch(f"/api/v1/drills/{drill.pk}/", {"title": "x"}, format="json").status_code == 404
    assert all(row["id"] != drill.pk for row in api.get("/api/v1/drills/").json().get("results", []))
    body = {
        "institution": inst_a.pk,
        "kind": "drill",
        "category": "fire",
        "title": "x",
        "date": "2026-03-01",
        "starts_at": "09:00",
        "ends_at": "10:00",
    }
    assert api.post("/api/v1/drills/", body, format="json").status_code == 403


def test_demoted_officer_loses_admin_pages_at_once(client_for, inst_a, officer_a):
    drill = _drill(inst_a)
    client = client_for(officer_a)
    assert client.get(reverse("drills_admin_edit", kwargs={"pk": drill.pk})).status_code == 200
    officer_a.role = User.Role.STAFF
    officer_a.save()
    for name in ("drills_admin_edit", "drills_admin_export", "drills_admin_roster"):
        assert client.get(reverse(name, kwargs={"pk": drill.pk})).status_code in (302, 403, 404)


# --- a careless admin ----------------------------------------------------------------------------------------------


def _body(inst, **kw):
    body = {
        "institution": inst.pk,
        "kind": "drill",
        "category": "fire",
        "title": "消防演练",
        "date": "2026-03-01",
        "starts_at": "09:00",
        "ends_at": "10:30",
        "duration_minutes": 90,
    }
    body.update(kw)
    return body


@pytest.mark.parametrize("minutes", [0, 100000])
def test_absurd_duration_refused(api_for, inst_a, officer_a, minutes):
    response = api_for(officer_a).post("/api/v1/drills/", _body(inst_a, duration_minutes=minutes), format="json")
    assert response.status_code == 400, response.json()
    assert not Drill.objects.exists()


def test_duration_longer_than_start_to_end_refused(api_for, inst_a, officer_a):
    response = api_for(officer_a).post("/api/v1/drills/", _body(inst_a, duration_minutes=600), format="json")
    assert response.status_code == 400, response.json()


def test_end_before_start_and_kind_category_mismatch_are_400(api_for, inst_a, officer_a):
    api = api_for(officer_a)
    assert api.post("/api/v1/drills/", _body(inst_a, ends_at="08:00"), format="json").status_code == 400
    assert api.post("/api/v1/drills/", _body(inst_a, kind="training"), format="json").status_code == 400
    assert api.post("/api/v1/drills/", _body(inst_a, category="self_rescue"), format="json").status_code == 400
    assert not Drill.objects.exists()


def test_future_drill_not_counted_as_held(inst_a):
    from drills.selectors import held_by_institution

    today = timezone.localdate()
    _drill(inst_a, date=today + dt.timedelta(days=3), open_now=False)
    assert inst_a.pk not in held_by_institution(today.replace(day=1), today + dt.timedelta(days=30))


def test_messy_scenario_text_and_emoji_kept(api_for, inst_a, officer_a):
    text = "情景：3楼配电室冒烟🔥，“立即疏散”；\r\n" * 100
    response = api_for(officer_a).post(
        "/api/v1/drills/", _body(inst_a, scenario=text[:4000], title="🚒 消防演练（第1次）"), format="json"
    )
    assert response.status_code == 201, response.json()
    assert Drill.objects.get().title == "🚒 消防演练（第1次）"


# --- uploads -------------------------------------------------------------------------------------------------------


def test_uploaded_photo_stored_without_exif(client_for, inst_a, officer_a):
    drill = _drill(inst_a)
    [photo] = services.drill_photos_add(
        actor=officer_a, drill=drill, uploads=[SimpleUploadedFile("a.jpg", _jpeg(exif=True), "image/jpeg")]
    )
    body = b"".join(client_for(officer_a).get(reverse("drills:photo", args=[photo.pk])).streaming_content)
    assert b"SpyCam" not in body and b"Exif" not in body
    assert not Image.open(io.BytesIO(body)).getexif()


@pytest.mark.parametrize(
    "name,data",
    [
        ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("x.jpg", b"<html><script>alert(1)</script></html>"),
        ("x.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100),
    ],
    ids=["svg", "html-as-jpg", "truncated-jpeg"],
)
def test_bad_photos_refused(inst_a, officer_a, name, data):
    from drills.exceptions import DrillError

    drill = _drill(inst_a)
    with pytest.raises(DrillError):
        services.drill_photos_add(actor=officer_a, drill=drill, uploads=[SimpleUploadedFile(name, data, "image/jpeg")])
    assert not DrillPhoto.objects.exists()


def test_photo_bomb_refused(inst_a, officer_a):
    from drills.exceptions import DrillError

    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")  # 400 megapixels, a few KB
    with pytest.raises(DrillError):
        services.drill_photos_add(
            actor=officer_a, drill=_drill(inst_a), uploads=[SimpleUploadedFile("b.png", out.getvalue(), "image/png")]
        )


def test_too_many_photos_refused_before_any_is_decoded(inst_a, officer_a, monkeypatch):
    from drills.exceptions import DrillError

    decoded = []
    monkeypatch.setattr(services, "clean_image", lambda upload: decoded.append(upload))
    uploads = [SimpleUploadedFile(f"{i}.jpg", _jpeg(), "image/jpeg") for i in range(31)]
    with pytest.raises(DrillError):
        services.drill_photos_add(actor=officer_a, drill=_drill(inst_a), uploads=uploads)
    assert decoded == []  # 31 photos of 15 MB each are not decoded only to be refused


def test_recording_with_31_photos_says_why_and_records_nothing(client_for, inst_a, officer_a):
    body = {
        "institution": inst_a.pk,
        "kind": "drill",
        "category": "fire",
        "title": "消防演练",
        "date": "2026-03-01",
        "starts_at": "09:00",
        "ends_at": "10:00",
        "duration_minutes": 60,
        "planned_participants": 0,
        "photos": [SimpleUploadedFile(f"{i}.jpg", _jpeg(), "image/jpeg") for i in range(31)],
    }
    response = client_for(officer_a).post(reverse("drills_admin_create"), body)
    assert not Drill.objects.exists()
    assert "30" in response.content.decode()


def test_multi_picture_jpeg_from_a_phone_is_accepted(inst_a, officer_a):
    """Android's Ultra HDR photos (and many cameras' MPO files) are JPEGs with extra pictures (MPF): Pillow calls
    them MPO. They are ordinary photos to the person taking them and must be stored (first picture), not a 500."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "MPO", save_all=True, append_images=[Image.new("RGB", (64, 48))])
    [photo] = services.drill_photos_add(
        actor=officer_a, drill=_drill(inst_a), uploads=[SimpleUploadedFile("PXL_1.jpg", out.getvalue(), "image/jpeg")]
    )
    assert photo.content_type == "image/jpeg" and photo.image.name.endswith(".jpg")
    with photo.image.open("rb") as handle:
        stored = Image.open(handle)
        assert stored.format == "JPEG" and stored.getpixel((10, 10))[0] > 200


@pytest.mark.parametrize("days", [-90, 30])
def test_check_in_cannot_be_opened_on_a_drill_not_dated_today(client_for, inst_a, officer_a, staff_a, days):
    """A drill typed with the wrong date (03-02 for 12-02) and opened by 立即开始签到 would take check-ins today for a
    drill the scorecard counts on another day (or never, if in the future). Opening is refused, with the reason."""
    drill = _drill(inst_a, open_now=False, date=timezone.localdate() + dt.timedelta(days=days))
    response = client_for(officer_a).post(
        reverse("drills_admin_checkin", kwargs={"pk": drill.pk}), {"action": "open"}, follow=True
    )
    drill.refresh_from_db()
    assert drill.checkin_opened_at is None
    assert "今天" in response.content.decode()
    assert client_for(staff_a).post(_url(drill)).status_code == 403


def test_officer_b_cannot_record_a_drill_for_a_via_the_form(client_for, inst_a, officer_b):
    body = {
        "institution": inst_a.pk,
        "kind": "drill",
        "category": "fire",
        "title": "x",
        "date": "2026-03-01",
        "starts_at": "09:00",
        "ends_at": "10:00",
        "duration_minutes": 60,
        "planned_participants": 0,
    }
    client_for(officer_b).post(reverse("drills_admin_create"), body)
    assert not Drill.objects.exists()
