"""Evidence files: photos and documents of homes, people and hazards (campaign tasks, drills, hazard reports).

They are private. Every app that keeps them stores them with `private_storage` (under MEDIA_ROOT/evidence/, a folder
that `elearn.media.serve_public_media` and the nginx configuration never serve) and hands them out only through its
own permission-checked view, which ends with `serve_evidence`. What is stored is never the uploaded bytes:

- `clean_image`: the type is sniffed from the content (JPEG, PNG, WebP; not the name or the browser's content type),
  the size and the pixel count are capped before decoding (a decompression bomb is refused, not decoded), the whole
  image is decoded (a truncated or damaged file is refused), turned upright by its EXIF orientation, scaled down to
  `MAX_SIDE`, and re-encoded from its pixels alone, so EXIF (GPS position, camera, time), XMP, ICC and comments are
  gone; the name is random.
- `clean_document`: PDF (checked by its header) and Office files (xlsx/docx/pptx, checked as zips for bombs and DTDs);
  a photo sent as a file goes through `clean_image`.

Both raise `EvidenceRejected` with a message for the person who sent the file.
"""

from __future__ import annotations

import io
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

from elearn.spreadsheets import SpreadsheetError, check_zip

MAX_IMAGE_BYTES = 15 * 1024 * 1024
MAX_IMAGE_PIXELS = 50_000_000  # a 50-megapixel phone camera; beyond that a file is refused before it is decoded
MAX_SIDE = 2048  # stored photos are scaled down to this many pixels on their longer side
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
JPEG_QUALITY = 85

IMAGE_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("jpg", "image/jpeg")}
# What Pillow opens as JPEG may come back as MPO: a JPEG with more pictures after it (Android's Ultra HDR gain map,
# cameras' multi-picture files). Only its first picture is kept, re-encoded as a plain JPEG.
OPENED_AS = {**IMAGE_FORMATS, "MPO": ("jpg", "image/jpeg")}
OFFICE_KINDS = {
    "xlsx": ("Excel（xlsx）", "xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "docx": ("Word（docx）", "word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "pptx": ("PowerPoint（pptx）", "ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
}


class EvidenceRejected(ValueError):
    """A file that will not be stored; the message says why, in words for the person who sent it."""


class PrivateStorage(FileSystemStorage):
    """MEDIA_ROOT/evidence/, with no URL: a file here is reachable only through a view that checked permission."""

    def __init__(self):
        super().__init__(location=Path(settings.MEDIA_ROOT) / "evidence", base_url=None)

    def url(self, name):
        raise ValueError("evidence files have no public URL; serve them through a permission-checked view")


def private_storage() -> PrivateStorage:
    """The storage for FileFields of evidence (a callable, so migrations do not freeze a path)."""
    return PrivateStorage()


@dataclass(frozen=True)
class CleanFile:
    content: ContentFile  # .name is random, with the right extension
    content_type: str
    width: int | None = None
    height: int | None = None
    original_name: str = ""


def _read(upload, limit: int, label: str) -> bytes:
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise EvidenceRejected(
            _("%(label)s过大（%(size).1f MB），上限 %(limit)d MB。")
            % {"label": label, "size": size / 1024 / 1024, "limit": limit // 1024 // 1024}
        )
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise EvidenceRejected(
            _("%(label)s过大，上限 %(limit)d MB。") % {"label": label, "limit": limit // 1024 // 1024}
        )
    if not data:
        raise EvidenceRejected(_("%(label)s是空的。") % {"label": label})
    return data


def _original_name(upload) -> str:
    name = str(getattr(upload, "name", "") or "")
    return name.replace("\\", "/").rsplit("/", 1)[-1][:120]


def clean_image(upload, *, max_side: int = MAX_SIDE) -> CleanFile:
    """A photo as it will be stored: checked, upright, scaled down, re-encoded without any metadata."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    data = _read(upload, MAX_IMAGE_BYTES, _("照片"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=list(IMAGE_FORMATS))
        except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning, OSError) as exc:
            raise EvidenceRejected(_("不是可识别的照片：请上传 JPG、PNG 或 WebP 格式的图片。")) from exc
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS or width <= 0 or height <= 0:
            raise EvidenceRejected(_("照片像素过多（%(w)d×%(h)d），拒绝处理。") % {"w": width, "h": height})
        if image.format in ("JPEG", "MPO"):
            # Decode a large camera JPEG at 1/2, 1/4 or 1/8 scale (still >= max_side): a 48 MP photo then costs ~12 MB
            # of memory instead of ~150 MB, and much less CPU.
            image.draft("RGB", (max_side, max_side))
        try:
            image.load()
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise EvidenceRejected(_("照片文件已损坏或不完整，请重新拍摄或选择。")) from exc
    ext, content_type = OPENED_AS[image.format]
    image = ImageOps.exif_transpose(image)
    keep_alpha = ext == "png" and image.mode in ("RGBA", "LA", "P")
    image = image.convert("RGBA" if keep_alpha else "RGB")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    # Rebuilt from its pixels alone: nothing of the original's EXIF, XMP, ICC profile or comments comes along.
    bare = Image.frombytes(image.mode, image.size, image.tobytes())
    out = io.BytesIO()
    if keep_alpha:
        bare.save(out, "PNG", optimize=True)
    else:
        bare.save(out, "JPEG", quality=JPEG_QUALITY)  # no optimize/progressive: 3x the CPU for 10 % smaller
    return CleanFile(
        content=ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.{ext}"),
        content_type=content_type,
        width=bare.width,
        height=bare.height,
        original_name=_named(_original_name(upload), ext),
    )


# Names of a PDF's actions that run something when the file is opened or clicked (a reader's JavaScript, a program
# launched, a file inside it). A name may be written with #xx escapes (/J#61vaScript), undone before looking. Objects
# packed in a compressed object stream are not inflated here: this refuses what a plain writer or a hand-made attack
# puts in, and the file is only ever handed out as a download (serve_evidence).
PDF_ACTIVE_NAMES = (b"/javascript", b"/js", b"/launch", b"/embeddedfile", b"/richmedia")


def _pdf_active_content(data: bytes) -> bool:
    import re

    names = re.findall(rb"/[^\s/<>\[\]()%{}]+", data)
    for raw in names:
        name = re.sub(rb"#([0-9a-fA-F]{2})", lambda m: bytes([int(m.group(1), 16)]), raw).lower()
        if name in PDF_ACTIVE_NAMES:
            return True
    return False


def _office_macros(names: list[str]) -> bool:
    """VBA projects (a .docm/.xlsm/.pptm renamed to .docx/.xlsx/.pptx) and ActiveX controls."""
    lowered = [n.lower() for n in names]
    return any(n.endswith(("vbaproject.bin", "vbadata.xml")) or "/activex/" in n for n in lowered)


def _named(name: str, ext: str) -> str:
    """The name a file is handed out under, with the extension of what it is (a PDF named report.html stays a PDF
    when saved and opened)."""
    stem = name.rsplit(".", 1)[0] if "." in name else name
    return f"{(stem or 'file')[: 120 - len(ext) - 1]}.{ext}"


def clean_document(upload) -> CleanFile:
    """A file of evidence (PDF, xlsx, docx, pptx; a photo goes through `clean_image`), checked by its content."""
    data = _read(upload, MAX_DOCUMENT_BYTES, _("文件"))
    name = _original_name(upload)
    if (
        data[:3] == b"\xff\xd8\xff"
        or data[:8] == b"\x89PNG\r\n\x1a\n"
        or (data[:4] == b"RIFF" and data[8:12] == b"WEBP")
    ):
        return clean_image(ContentFile(data, name=name))
    if data[:5] == b"%PDF-":
        if _pdf_active_content(data):
            raise EvidenceRejected(
                _("PDF“%(name)s”含有脚本或自动执行的动作，出于安全原因拒绝接收：请另存为普通 PDF 或拍照上传。")
                % {"name": name}
            )
        return CleanFile(
            ContentFile(data, name=f"{uuid.uuid4().hex}.pdf"), "application/pdf", original_name=_named(name, "pdf")
        )
    if data[:4] == b"PK\x03\x04":
        import zipfile

        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile as exc:
            raise EvidenceRejected(_("文件“%(name)s”已损坏。") % {"name": name}) from exc
        for ext, (kind, folder, content_type) in OFFICE_KINDS.items():
            if any(n.startswith(folder) for n in names):
                try:
                    check_zip(data, name, kind=kind)
                except SpreadsheetError as exc:
                    raise EvidenceRejected(str(exc)) from exc
                if _office_macros(names):
                    raise EvidenceRejected(
                        _("文件“%(name)s”含有宏或控件，出于安全原因拒绝接收：请另存为不含宏的 %(kind)s。")
                        % {"name": name, "kind": kind}
                    )
                return CleanFile(
                    ContentFile(data, name=f"{uuid.uuid4().hex}.{ext}"), content_type, original_name=_named(name, ext)
                )
    raise EvidenceRejected(
        _("不支持文件“%(name)s”的格式：请上传照片（JPG、PNG）、PDF 或 Office 文件（docx、xlsx、pptx）。")
        % {"name": name}
    )


def serve_evidence(field_file, *, download_name: str = "", content_type: str = "") -> FileResponse:
    """The response for an evidence file, once the caller's view has checked that the request may see it: private,
    never cached by a shared cache, never sniffed, and for anything but a photo a download that cannot run script."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.storage.open(field_file.name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    name = field_file.name.rsplit("/", 1)[-1]
    is_image = name.endswith((".jpg", ".png"))
    response = FileResponse(handle, content_type=content_type or ("image/jpeg" if name.endswith(".jpg") else None))
    disposition = "inline" if is_image else "attachment"
    shown = download_name or name
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(shown)}"
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


def queued_by_another(request) -> bool:
    """A POST the phone's outbox (elearn/static/elearn/outbox.js) queued for one person and now sends under another
    person's session (a tab left open across a sign-out and sign-in): the outbox names who queued it in X-Outbox-User.
    The views refuse it with 401 and the outbox keeps it for its owner's next sign-in."""
    sent = request.headers.get("X-Outbox-User")
    return sent is not None and sent != str(request.user.pk)
