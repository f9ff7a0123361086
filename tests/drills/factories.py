"""Factories and helpers for the drills tests."""

from __future__ import annotations

import datetime as dt
import io

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from drills.models import Drill
from tests.factories import InstitutionFactory


def _now_local():
    return timezone.localtime()


def _around_now() -> tuple[dt.time, dt.time]:
    """From 10 minutes ago to 50 minutes ahead, kept within today (near midnight the window is shorter)."""
    now = _now_local().replace(microsecond=0)
    midnight = now.replace(hour=0, minute=0, second=0)
    start = max(now - dt.timedelta(minutes=10), midnight)
    end = min(now + dt.timedelta(minutes=50), midnight + dt.timedelta(hours=23, minutes=59, seconds=59))
    return start.time(), end.time()


def span_minutes(start: dt.time, end: dt.time) -> int:
    """Whole minutes from `start` to `end` on one day: the longest duration a drill in that window may record."""
    day = dt.date.min
    return int((dt.datetime.combine(day, end) - dt.datetime.combine(day, start)).total_seconds() // 60)


class DrillFactory(factory.django.DjangoModelFactory):
    """A fire drill happening now (started 10 minutes ago, ends in 50): check-in is open."""

    class Meta:
        model = Drill

    institution = factory.SubFactory(InstitutionFactory)
    kind = Drill.Kind.DRILL
    category = Drill.Category.FIRE
    title = factory.Sequence(lambda n: f"消防疏散演练{n}")
    date = factory.LazyFunction(lambda: _now_local().date())
    starts_at = factory.LazyFunction(lambda: _around_now()[0])
    ends_at = factory.LazyFunction(lambda: _around_now()[1])
    place = "门诊楼"
    # 60 minutes, or the whole window when it is shorter (near midnight): a longer duration would not validate.
    duration_minutes = factory.LazyAttribute(lambda o: min(60, span_minutes(o.starts_at, o.ends_at)))
    planned_participants = 20


def drill_at(institution, start: dt.datetime, minutes: int = 60, **kw) -> Drill:
    """A drill of `institution` from local `start` for `minutes` (same day)."""
    start = timezone.localtime(start)
    end = start + dt.timedelta(minutes=minutes)
    return DrillFactory(institution=institution, date=start.date(), starts_at=start.time(), ends_at=end.time(), **kw)


def jpeg_with_gps(name: str = "drill.jpg", size=(640, 480)) -> SimpleUploadedFile:
    """A camera-like JPEG carrying EXIF with a GPS position and a camera model."""
    from PIL import Image

    image = Image.new("RGB", size, (200, 60, 40))
    exif = Image.Exif()
    exif[0x0110] = "SecretCam 9000"  # Model
    gps = {1: "N", 2: (30.0, 15.0, 10.0), 3: "E", 4: (120.0, 10.0, 5.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")
