"""Services and selectors of drills: check-in window, tokens, foreign institution, idempotence, roster, photos."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.utils import timezone

from drills import checkin, selectors, services
from drills.exceptions import CheckinRefused, DrillError, DrillForbidden
from drills.models import Attendance, Drill
from tests.drills.factories import DrillFactory, drill_at, jpeg_with_gps
from tests.factories import UserFactory

TZ = timezone.get_fixed_timezone(8 * 60)
NOON = dt.datetime(2026, 6, 10, 12, 0, tzinfo=TZ)


def token_for(drill, when: dt.datetime | None = None) -> str:
    return checkin.make_token(drill.pk, drill.checkin_secret, now=(when or timezone.now()).timestamp())


def check_in_at(user, drill, when: dt.datetime, token_time: dt.datetime | None = None):
    token = token_for(drill, token_time or when)
    with time_machine.travel(when, tick=False):
        return services.attendance_check_in_by_qr(user=user, token=token)


# --- the window ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("offset_minutes", "allowed"),
    [(-31, False), (-29, True), (0, True), (60 + 29, True), (60 + 31, False)],
)
def test_check_in_window_is_30_minutes_either_side(inst_a, staff_a, offset_minutes, allowed):
    drill = drill_at(inst_a, NOON, minutes=60)
    when = NOON + dt.timedelta(minutes=offset_minutes)
    if allowed:
        assert check_in_at(staff_a, drill, when).created
    else:
        with pytest.raises(CheckinRefused) as exc:
            check_in_at(staff_a, drill, when)
        assert exc.value.code == "closed"
        assert "不在签到时间内" in exc.value.message
        assert not Attendance.objects.exists()


def test_window_margins_are_settings(inst_a, staff_a, settings):
    settings.DRILLS_CHECKIN_BEFORE_MINUTES = 5
    drill = drill_at(inst_a, NOON)
    with pytest.raises(CheckinRefused):
        check_in_at(staff_a, drill, NOON - dt.timedelta(minutes=10))
    assert check_in_at(staff_a, drill, NOON - dt.timedelta(minutes=4)).created


def test_officer_opens_early_and_closes(inst_a, staff_a, officer_a):
    drill = drill_at(inst_a, NOON)
    early = NOON - dt.timedelta(hours=2)
    with time_machine.travel(early, tick=False):
        services.drill_checkin_open(actor=officer_a, drill=drill)
    assert check_in_at(staff_a, drill, early + dt.timedelta(minutes=1)).created
    other = UserFactory(institution=inst_a)
    token = token_for(drill, NOON)
    with time_machine.travel(NOON, tick=False):
        services.drill_checkin_close(actor=officer_a, drill=drill)
    with time_machine.travel(NOON + dt.timedelta(seconds=5), tick=False), pytest.raises(CheckinRefused) as exc:
        services.attendance_check_in_by_qr(user=other, token=token)
    assert exc.value.code == "invalid"  # the code shown before closing died with it


def test_other_officer_cannot_open_or_close(inst_a, officer_b):
    drill = DrillFactory(institution=inst_a)
    with pytest.raises(DrillForbidden):
        services.drill_checkin_open(actor=officer_b, drill=drill)
    with pytest.raises(DrillForbidden):
        services.drill_checkin_close(actor=officer_b, drill=drill)


# --- tokens ----------------------------------------------------------------------------------------------------------


def test_token_expires_after_max_age(inst_a, staff_a, settings):
    settings.DRILLS_QR_MAX_AGE_SECONDS = 600
    drill = drill_at(inst_a, NOON)
    with pytest.raises(CheckinRefused) as exc:
        check_in_at(staff_a, drill, NOON + dt.timedelta(minutes=12), token_time=NOON)
    assert exc.value.code == "invalid"
    assert check_in_at(staff_a, drill, NOON + dt.timedelta(minutes=8), token_time=NOON).created


@pytest.mark.parametrize(
    "token", ["", "abc", "1-2-3", "99999-1-0123456789abcdef0123", "1-99999999999-0123456789abcdef0123", "../../etc"]
)
def test_garbage_tokens_refused(staff_a, token):
    with pytest.raises(CheckinRefused) as exc:
        services.attendance_check_in_by_qr(user=staff_a, token=token)
    assert exc.value.code == "invalid"


def test_token_of_another_drill_id_is_refused(inst_a, staff_a):
    drill = DrillFactory(institution=inst_a)
    other = DrillFactory(institution=inst_a)
    forged = token_for(drill).replace(f"{drill.pk}-", f"{other.pk}-", 1)
    with pytest.raises(CheckinRefused):
        services.attendance_check_in_by_qr(user=staff_a, token=forged)


def test_future_token_refused(inst_a, staff_a):
    drill = DrillFactory(institution=inst_a)
    with pytest.raises(CheckinRefused):
        services.attendance_check_in_by_qr(
            user=staff_a, token=token_for(drill, timezone.now() + dt.timedelta(minutes=5))
        )


# --- who ---------------------------------------------------------------------------------------------------------------


def test_foreign_institution_refused(inst_a, staff_b):
    drill = DrillFactory(institution=inst_a)
    with pytest.raises(CheckinRefused) as exc:
        services.attendance_check_in_by_qr(user=staff_b, token=token_for(drill))
    assert exc.value.code == "foreign"
    assert "不是本单位的演练" in exc.value.message
    assert not Attendance.objects.exists()


def test_inactive_account_refused(inst_a):
    user = UserFactory(institution=inst_a, is_active=False)
    drill = DrillFactory(institution=inst_a)
    with pytest.raises(CheckinRefused):
        services.attendance_check_in_by_qr(user=user, token=token_for(drill))


def test_second_scan_says_already(inst_a, staff_a):
    drill = DrillFactory(institution=inst_a)
    first = services.attendance_check_in_by_qr(user=staff_a, token=token_for(drill))
    second = services.attendance_check_in_by_qr(user=staff_a, token=token_for(drill))
    assert first.created and not second.created
    assert second.attendance.pk == first.attendance.pk
    assert Attendance.objects.count() == 1
    assert first.attendance.method == Attendance.Method.QR


# --- record, roster, photos ------------------------------------------------------------------------------------------

DATA = {
    "kind": "drill",
    "category": "gas",
    "title": "燃气泄漏演练",
    "date": dt.date(2026, 6, 10),
    "starts_at": dt.time(9, 0),
    "ends_at": dt.time(10, 0),
    "duration_minutes": 60,
}


def test_record_by_own_officer_and_admin_only(inst_a, officer_a, officer_b, staff_a, district_admin):
    drill = services.drill_record(actor=officer_a, institution_id=inst_a.pk, data=DATA).drill
    assert drill.recorded_by == officer_a and drill.institution == inst_a
    assert services.drill_record(actor=district_admin, institution_id=inst_a.pk, data=DATA).created
    for actor in (officer_b, staff_a):
        with pytest.raises(DrillForbidden):
            services.drill_record(actor=actor, institution_id=inst_a.pk, data=DATA)
        with pytest.raises(DrillForbidden):
            services.drill_update(actor=actor, drill=drill, data={"title": "改"})
    assert Drill.objects.get(pk=drill.pk).title == "燃气泄漏演练"


def test_category_must_fit_kind_and_times_in_order(inst_a, officer_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.drill_record(actor=officer_a, institution_id=inst_a.pk, data={**DATA, "category": "self_rescue"})
    with pytest.raises(ValidationError):
        services.drill_record(actor=officer_a, institution_id=inst_a.pk, data={**DATA, "ends_at": dt.time(8, 0)})
    with pytest.raises(DrillError):
        services.drill_record(actor=officer_a, institution_id=inst_a.pk, data={**DATA, "checkin_secret": "x"})
    assert not Drill.objects.exists()


def test_roster_only_own_active_staff(inst_a, officer_a, staff_a, staff_b):
    drill = DrillFactory(institution=inst_a)
    gone = UserFactory(institution=inst_a, is_active=False)
    for bad in ([staff_b.pk], [gone.pk], [staff_a.pk, staff_b.pk]):
        with pytest.raises(DrillError):
            services.attendance_set_from_roster(actor=officer_a, drill=drill, user_ids=bad)
    assert not Attendance.objects.exists()
    mate = UserFactory(institution=inst_a)
    assert services.attendance_set_from_roster(actor=officer_a, drill=drill, user_ids=[staff_a.pk, mate.pk]) == (2, 0)
    assert services.attendance_set_from_roster(actor=officer_a, drill=drill, user_ids=[staff_a.pk]) == (0, 1)
    # Only the people shown (a search) change: mate is not among them, so staying unticked does not remove staff_a.
    assert services.attendance_set_from_roster(actor=officer_a, drill=drill, user_ids=[], among=[mate.pk]) == (0, 0)
    assert selectors.attended_ids(drill) == {staff_a.pk}
    assert Attendance.objects.get().method == Attendance.Method.ROSTER


def test_roster_by_another_officer_refused(inst_a, officer_b, staff_a):
    drill = DrillFactory(institution=inst_a)
    with pytest.raises(DrillForbidden):
        services.attendance_set_from_roster(actor=officer_b, drill=drill, user_ids=[staff_a.pk])


def test_photos_are_stored_without_exif(inst_a, officer_a):
    from django.conf import settings
    from PIL import Image

    drill = DrillFactory(institution=inst_a)
    upload = jpeg_with_gps()
    assert b"SecretCam" in upload.read()
    upload.seek(0)
    (photo,) = services.drill_photos_add(actor=officer_a, drill=drill, uploads=[upload])
    stored = photo.image.read()
    assert b"SecretCam" not in stored
    image = Image.open(io.BytesIO(stored))
    assert not image.getexif()
    assert photo.image.path.startswith(str(settings.MEDIA_ROOT / "evidence"))  # never served as /media/
    services.drill_photo_remove(actor=officer_a, photo=photo)
    assert not drill.photos.exists()


def test_photo_that_is_not_an_image_is_refused(inst_a, officer_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    drill = DrillFactory(institution=inst_a)
    fake = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with pytest.raises(DrillError) as exc:
        services.drill_photos_add(actor=officer_a, drill=drill, uploads=[fake])
    assert exc.value.code == "bad_photo"
    assert not drill.photos.exists()


# --- selectors for the scorecard -------------------------------------------------------------------------------------


def test_held_by_institution_and_missing(inst_a, inst_b, officer_a):
    start, end = dt.date(2026, 6, 1), dt.date(2026, 6, 30)
    with time_machine.travel(dt.datetime(2026, 6, 20, 12, tzinfo=TZ), tick=False):
        d1 = drill_at(inst_a, dt.datetime(2026, 6, 5, 9, tzinfo=TZ))
        drill_at(inst_a, dt.datetime(2026, 6, 6, 9, tzinfo=TZ), kind="training", category="self_rescue")
        drill_at(inst_a, dt.datetime(2026, 6, 7, 9, tzinfo=TZ), kind="training", category="special_post")
        drill_at(inst_a, dt.datetime(2026, 5, 30, 9, tzinfo=TZ))  # before the period
        drill_at(inst_a, dt.datetime(2026, 6, 25, 9, tzinfo=TZ))  # not held yet
        drill_at(inst_b, dt.datetime(2026, 6, 8, 9, tzinfo=TZ), kind="training", category="self_rescue")
        people = [UserFactory(institution=inst_a) for _ in range(3)]
        services.attendance_set_from_roster(actor=officer_a, drill=d1, user_ids=[p.pk for p in people])
        held = selectors.held_by_institution(start, end)
        missing = selectors.institutions_missing(start, end)
        missing_two = selectors.institutions_missing(start, end, required_drills=2)
    assert held[inst_a.pk] == selectors.DrillCounts(drills=1, trainings=1, special_trainings=1, attendances=3)
    assert held[inst_b.pk] == selectors.DrillCounts(drills=0, trainings=1, special_trainings=0, attendances=0)
    rows = {r.institution.pk: r for r in missing}
    assert inst_a.pk not in rows
    assert (rows[inst_b.pk].drills_missing, rows[inst_b.pk].trainings_missing) == (1, 0)
    assert {r.institution.pk for r in missing_two} >= {inst_a.pk, inst_b.pk}
