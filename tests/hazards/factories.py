"""Test helpers of the hazards app: photos (a real camera JPEG with GPS EXIF), and reports in a given state."""

from __future__ import annotations

import datetime as dt
import io
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hazards import services
from hazards.models import Category, Judgement, Severity


def gps_jpeg(color=(200, 40, 40), size=(640, 480), name="IMG_0001.jpg") -> SimpleUploadedFile:
    """A JPEG like a phone camera's: EXIF with the camera make and a GPS position (which must never be stored)."""
    from PIL import Image

    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "HazardCam"  # Make
    exif[0x0110] = "Phone X"  # Model
    gps = {1: "N", 2: (31.0, 14.0, 7.5), 3: "E", 4: (121.0, 28.0, 3.25)}
    exif[0x8825] = gps  # GPSInfo
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, out.getvalue(), "image/jpeg")


def submit(reporter, institution, *, anonymous=False, bureau=False, judgement=Judgement.GENERAL, photos=1, **kw):
    return services.report_create(
        reporter=reporter,
        institution=institution,
        category=kw.pop("category", Category.FIRE),
        description=kw.pop("description", "消防通道堵塞"),
        place=kw.pop("place", "门诊楼一楼"),
        judgement=judgement,
        anonymous=anonymous,
        directed_to_bureau=bureau,
        photos=[gps_jpeg() for _ in range(photos)],
        client_uuid=kw.pop("client_uuid", uuid.uuid4()),
        **kw,
    )


def deadline(days=7) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=days)


def to_verified(report_id, handler):
    services.report_accept(actor=handler, report_id=report_id, deadline=deadline(), severity=Severity.GENERAL)
    services.report_start_rectification(actor=handler, report_id=report_id)
    services.report_rectified(actor=handler, report_id=report_id, note="已整改", photos=[gps_jpeg((40, 160, 40))])
    return services.report_verify(actor=handler, report_id=report_id, note="合格")
