"""Hostile evidence uploads to a campaign task, through the phone form (JSON and no-JS) and the API: each is refused
with a message for the person, nothing is stored (no row, no file under MEDIA_ROOT/evidence/), never a 5xx."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from campaign.tasks import services
from campaign.tasks.models import SubmissionFile, SubmissionPhoto, TaskSubmission
from tests.campaign.factories import all_yes, jpeg_bytes_with_exif, make_task
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _png_bomb() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG")  # 144 megapixels in a few kilobytes
    return out.getvalue()


def _zip_bomb_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "0" * 250_000_000)
    return out.getvalue()


PHOTOS = {
    "html-named-jpg": ("photo.jpg", b"<html><script>alert(1)</script></html>"),
    "svg": ("photo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    "truncated-jpeg": ("cut.jpg", jpeg_bytes_with_exif()[:600]),
    "decompression-bomb": ("bomb.png", None),
    "empty": ("empty.jpg", b""),
    "gif": ("anim.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
}
FILES = {
    "exe-named-pdf": ("签到表.pdf", b"MZ\x90\x00" + b"\x00" * 200),
    "zip-bomb-docx": ("课件.docx", None),
    "html-named-docx": ("课件.docx", b"<html>hi</html>"),
}


def _data(kind, name, body):
    if body is None:
        body = _png_bomb() if kind == "decompression-bomb" else _zip_bomb_docx()
    return SimpleUploadedFile(name, body)


def _nothing_stored():
    evidence = Path(settings.MEDIA_ROOT) / "evidence"
    files = [p for p in evidence.rglob("*") if p.is_file()] if evidence.exists() else []
    return (
        TaskSubmission.objects.count() == 0
        and SubmissionPhoto.objects.count() == 0
        and SubmissionFile.objects.count() == 0,
        len(files),
    )


@pytest.mark.parametrize("kind", sorted(PHOTOS) + sorted(FILES))
@pytest.mark.parametrize("way", ["form-json", "form-plain", "api"])
def test_hostile_evidence_is_refused_and_nothing_is_stored(kind, way):
    task = make_task(photos_min=0, file_label="附件")
    user = UserFactory()
    client = Client()
    client.force_login(user)
    name, body = PHOTOS.get(kind) or FILES[kind]
    field = "photos" if kind in PHOTOS else "file"
    _, files_before = _nothing_stored()
    upload = _data(kind, name, body)
    if way == "api":
        data = {"answers": json.dumps(all_yes(task)), field: upload}
        response = client.post(f"/api/v1/campaign/tasks/{task.pk}/submit/", data)
        assert response.status_code == 400, response.content[:300]
        body = response.json()
        assert body["error"] == "evidence_incomplete" and body["fields"][field]
    else:
        data = {services.item_field(k): v["answer"] for k, v in all_yes(task).items()}
        data[field] = upload
        headers = {"HTTP_ACCEPT": "application/json"} if way == "form-json" else {}
        response = client.post(f"/campaign/tasks/{task.pk}/", data, **headers)
        assert response.status_code == 400
        if way == "form-json":
            assert response.json()["ok"] is False and response.json()["errors"][field]
        else:
            assert "errorlist" in response.content.decode()
    empty, files_after = _nothing_stored()
    assert empty and files_after == files_before
