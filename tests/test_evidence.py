"""The evidence kernel: what is stored of an uploaded photo or file (elearn/evidence.py)."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from elearn import evidence
from elearn.evidence import EvidenceRejected, clean_document, clean_image

GPS_IFD = 0x8825


def camera_jpeg(size=(3000, 2000), orientation=None, comment=b"") -> bytes:
    """A JPEG as a phone writes it: EXIF with the camera, the time and a GPS position (and an orientation)."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((20, 20, 220), (0, 0, size[0] // 4, size[1] // 4))  # a blue top-left corner, to check rotation
    exif = Image.Exif()
    exif[0x010F] = "HUAWEI"  # Make
    exif[0x0132] = "2026:06:05 08:30:00"  # DateTime
    if orientation:
        exif[0x0112] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (30.0, 40.0, 12.5), 3: "E", 4: (104.0, 3.0, 7.25)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=90, comment=comment)
    return out.getvalue()


def upload(data: bytes, name="IMG_0001.jpg", content_type="image/jpeg"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_a_camera_photo_is_stored_without_any_metadata_scaled_down_with_a_random_name():
    clean = clean_image(upload(camera_jpeg(comment=b"home of Zhang San")))
    stored = clean.content.read()
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert max(image.size) == evidence.MAX_SIDE and (clean.width, clean.height) == image.size
    assert not image.getexif()
    assert b"Exif" not in stored and b"HUAWEI" not in stored and b"Zhang San" not in stored
    assert "comment" not in image.info and "icc_profile" not in image.info
    assert clean.content.name.endswith(".jpg") and "IMG_0001" not in clean.content.name
    assert clean.original_name == "IMG_0001.jpg"


def test_the_exif_orientation_is_applied_before_it_is_dropped():
    clean = clean_image(upload(camera_jpeg(size=(400, 200), orientation=6)))  # 6: rotate 90° clockwise to view
    image = Image.open(io.BytesIO(clean.content.read()))
    assert image.size == (200, 400)
    r, g, b = image.convert("RGB").getpixel((190, 10))  # the blue corner is now top-right
    assert b > 150 and r < 100


def test_the_type_comes_from_the_content_not_the_name():
    html = b"<html><script>alert(1)</script></html>"
    with pytest.raises(EvidenceRejected, match="JPG"):
        clean_image(upload(html, name="photo.jpg"))
    png = io.BytesIO()
    Image.new("RGBA", (50, 40), (0, 0, 0, 0)).save(png, "PNG")
    clean = clean_image(upload(png.getvalue(), name="photo.jpg"))
    assert clean.content_type == "image/png" and clean.content.name.endswith(".png")


def test_a_decompression_bomb_is_refused_before_it_is_decoded():
    bomb = io.BytesIO()
    Image.new("1", (12000, 12000)).save(bomb, "PNG")  # 144 megapixels in a few hundred KB
    assert len(bomb.getvalue()) < 1024 * 1024
    with pytest.raises(EvidenceRejected):
        clean_image(upload(bomb.getvalue(), name="bomb.png"))


def test_a_truncated_photo_is_refused():
    data = camera_jpeg(size=(800, 600))
    with pytest.raises(EvidenceRejected, match="损坏"):
        clean_image(upload(data[: len(data) // 2]))


def test_an_empty_or_oversized_file_is_refused_with_the_limit(monkeypatch):
    with pytest.raises(EvidenceRejected, match="空"):
        clean_image(upload(b""))
    monkeypatch.setattr(evidence, "MAX_IMAGE_BYTES", 1000)
    with pytest.raises(EvidenceRejected, match="过大"):
        clean_image(upload(camera_jpeg(size=(300, 300))))


def test_documents_pdf_and_office_by_content_photos_cleaned_others_refused():
    pdf = clean_document(upload(b"%PDF-1.7\n%\xe2\xe3\n1 0 obj\n", name="培训签到表.pdf", content_type="x/y"))
    assert pdf.content_type == "application/pdf" and pdf.original_name == "培训签到表.pdf"
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    assert clean_document(upload(docx.getvalue(), name="a.docx")).content.name.endswith(".docx")
    photo = clean_document(upload(camera_jpeg(size=(300, 200)), name="scan.pdf"))
    assert photo.content_type == "image/jpeg" and b"HUAWEI" not in photo.content.read()
    with pytest.raises(EvidenceRejected, match="不支持"):
        clean_document(upload(b"MZ\x90\x00 windows executable", name="report.pdf"))


def test_evidence_has_no_public_url_and_lives_outside_the_public_media_folders(settings):
    storage = evidence.private_storage()
    assert str(storage.location).startswith(str(settings.MEDIA_ROOT))
    assert "evidence" not in settings.ELEARN_PUBLIC_MEDIA_DIRS
    with pytest.raises(ValueError):
        storage.url("x.jpg")


@pytest.mark.django_db
def test_media_never_serves_an_evidence_file(client, settings):
    storage = evidence.private_storage()
    name = storage.save("tasks/secret.jpg", clean_image(upload(camera_jpeg(size=(100, 100)))).content)
    assert (settings.MEDIA_ROOT / "evidence" / name).exists()
    for path in (f"/media/evidence/{name}", f"/media/images/../evidence/{name}", "/media/evidence/"):
        assert client.get(path).status_code == 404
