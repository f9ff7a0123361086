"""Campaigns, tasks with checklists, and photos with EXIF (GPS) made with Pillow, for the campaign-task tests."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaign.tasks.models import Campaign, CampaignTask, ChecklistItem


def make_campaign(**kw) -> Campaign:
    today = timezone.localdate()
    fields = {
        "name": "测试安全生产月",
        "starts_on": today - dt.timedelta(days=3),
        "ends_on": today + dt.timedelta(days=27),
    }
    fields.update(kw)
    return Campaign.objects.create(**fields)


def make_task(campaign: Campaign | None = None, *, items=("燃气阀门完好", "插座无老化"), institutions=(), **kw):
    campaign = campaign or make_campaign()
    fields = {
        "title": "家庭隐患排查",
        "opens_at": timezone.now() - dt.timedelta(days=1),
        "due_on": timezone.localdate() + dt.timedelta(days=10),
        "photos_min": 1,
        "photos_max": 3,
        "needs_review": True,
    }
    fields.update(kw)
    task = CampaignTask.objects.create(campaign=campaign, **fields)
    for n, text in enumerate(items):
        ChecklistItem.objects.create(task=task, text=text, sort_order=n)
    if institutions:
        task.institutions.set(institutions)  # a ParentalManyToManyField: written by save()
        task.save()
    return task


def all_yes(task, answer="yes") -> dict:
    return {str(item.key): {"answer": answer, "note": ""} for item in task.items.all()}


def jpeg_with_exif(name="home.jpg", size=(640, 480), color=(200, 60, 40)) -> SimpleUploadedFile:
    """A real camera-like JPEG: EXIF with the camera make, an orientation and a GPS position."""
    from PIL import Image

    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "ElearnTestCam"  # Make
    exif[0x0110] = "Model-X"  # Model
    exif[0x0112] = 1  # Orientation
    gps = {1: "N", 2: (30.0, 15.0, 10.0), 3: "E", 4: (120.0, 10.0, 5.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=90)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def jpeg_bytes_with_exif(**kw) -> bytes:
    return jpeg_with_exif(**kw).read()


def pdf_file(name="签到表.pdf") -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")
