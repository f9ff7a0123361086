"""Hostile input to the drill screens and API: bombs and fakes as photos, odd text, odd ids. Refused with a reason,
nothing written half-way, no server error."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from drills.models import Drill, DrillPhoto
from tests.drills.factories import DrillFactory, jpeg_with_gps


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width x height pixels (a decompression bomb's header) with a tiny body."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 10)) + chunk(b"IEND", b"")
    )


def _truncated_jpeg() -> bytes:
    return jpeg_with_gps().read()[:400]


HOSTILE_PHOTOS = {
    "bomb": ("bomb.png", _png_header_only(60_000, 60_000), "image/png"),
    "truncated": ("cut.jpg", _truncated_jpeg(), "image/jpeg"),
    "svg": ("x.jpg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "image/jpeg"),
    "html": ("photo.jpg", b"<html><script>alert(1)</script></html>", "image/jpeg"),
    "empty": ("empty.jpg", b"", "image/jpeg"),
    "pdf": ("doc.jpg", b"%PDF-1.4\n1 0 obj\n", "image/jpeg"),
    "zip": ("z.jpg", b"PK\x03\x04" + b"\x00" * 100, "image/jpeg"),
}


@pytest.fixture
def officer_client(officer_a):
    client = Client(raise_request_exception=False)
    client.force_login(officer_a)
    return client


@pytest.mark.parametrize("case", sorted(HOSTILE_PHOTOS))
def test_hostile_photo_refused_on_edit(officer_client, inst_a, case):
    drill = DrillFactory(institution=inst_a, title="原名")
    name, body, content_type = HOSTILE_PHOTOS[case]
    form = {
        "kind": "drill",
        "category": "fire",
        "title": "原名",
        "date": drill.date.isoformat(),
        "starts_at": drill.starts_at.strftime("%H:%M"),
        "ends_at": drill.ends_at.strftime("%H:%M"),
        "duration_minutes": "60",
        "planned_participants": "0",
        "photos": [jpeg_with_gps("good.jpg"), SimpleUploadedFile(name, body, content_type)],
    }
    response = officer_client.post(f"/admin/drills/{drill.pk}/", form)
    assert response.status_code == 400, response.status_code
    assert not DrillPhoto.objects.exists()  # the good one is not kept either: all or nothing
    assert "<script>" not in response.content.decode().split("</head>")[-1].replace("&lt;script&gt;", "")


@pytest.mark.parametrize(
    ("title", "ok"),
    [
        ("x" * 10_000, False),
        ("\u0000nul", False),
        ("\u202e演练\u200d", True),
        ("<img src=x onerror=alert(1)>", True),
        ("=cmd|' /C calc'!A0", True),
        ("👩🏽‍⚕️ 演练", True),
    ],
)
def test_odd_titles(officer_client, inst_a, title, ok):
    form = {
        "institution": inst_a.pk,
        "kind": "drill",
        "category": "fire",
        "title": title,
        "date": "2026-06-10",
        "starts_at": "09:00",
        "ends_at": "10:00",
        "duration_minutes": "60",
        "planned_participants": "0",
    }
    response = officer_client.post("/admin/drills/new/", form)
    if ok:
        assert response.status_code == 302
        drill = Drill.objects.get()
        assert drill.title == title  # stored exactly as written
        page = officer_client.get(f"/admin/drills/{drill.pk}/").content.decode()
        assert "<img src=x onerror" not in page
    else:
        assert response.status_code == 200
        assert not Drill.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/drills/99999999999999999999/",
        "/admin/drills/0/qr/",
        "/admin/drills/-1/",
        "/drills/photos/99999999999999999999/",
        "/admin/drills/?institution=abc&kind=%00",
        "/admin/drills/missing/?start=not-a-date&end=9999-99-99",
        "/api/v1/drills/?limit=-1",
        "/api/v1/drills/abc/",
    ],
)
def test_odd_urls_do_not_break(officer_client, district_admin, url):
    response = officer_client.get(url)
    assert response.status_code < 500
    admin = Client(raise_request_exception=False)
    admin.force_login(district_admin)
    assert admin.get(url).status_code < 500


@pytest.mark.parametrize(
    "body",
    [
        {"user": ["abc"], "shown": ["1"]},
        {"user": ["99999999999999999999"]},
        {"user": ["-1"]},
    ],
)
def test_odd_roster_bodies(officer_client, inst_a, body):
    drill = DrillFactory(institution=inst_a)
    response = officer_client.post(f"/admin/drills/{drill.pk}/roster/", body)
    assert response.status_code == 400
    assert not drill.attendances.exists()


def test_bomb_is_refused_before_decoding(inst_a, officer_a):
    from drills import services
    from drills.exceptions import DrillError

    drill = DrillFactory(institution=inst_a)
    upload = SimpleUploadedFile("bomb.png", io.BytesIO(_png_header_only(60_000, 60_000)).read(), "image/png")
    with pytest.raises(DrillError) as exc:
        services.drill_photos_add(actor=officer_a, drill=drill, uploads=[upload])
    assert exc.value.code == "bad_photo"
