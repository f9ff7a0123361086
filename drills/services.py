"""Changes to drills, their photos and attendance. Keyword-only, atomic; the permission rule is
elearn.org.permissions (the institution's safety officer or a district admin); check-ins lock the drill's row so a
check-in and closing check-in, or two scans of one person, cannot interleave."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from drills import checkin
from drills.exceptions import CheckinRefused, DrillError, DrillForbidden
from drills.models import Attendance, Drill, DrillPhoto, new_checkin_secret
from elearn.evidence import EvidenceRejected, clean_image
from elearn.org.models import User
from elearn.org.permissions import can_manage_institution

# What a drill's recorder sets (the rest is the system's: institution on creation, check-in state, timestamps).
EDITABLE = (
    "kind",
    "category",
    "title",
    "date",
    "starts_at",
    "ends_at",
    "place",
    "scenario",
    "duration_minutes",
    "planned_participants",
    "problems",
    "improvements",
)
MAX_PHOTOS = 30


def _require_manager(actor, institution_id) -> None:
    if not can_manage_institution(actor, institution_id):
        raise DrillForbidden(_("你不能管理该单位的演练与培训。"))


def _apply(drill: Drill, data: dict) -> None:
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise DrillError(_("不能修改这些字段：%(f)s") % {"f": pgettext("列举", "、").join(sorted(unknown))})
    for name, value in data.items():
        setattr(drill, name, value)
    drill.full_clean(exclude=["recorded_by", "checkin_secret", "client_uuid"])


@dataclass(frozen=True)
class Recorded:
    drill: Drill
    created: bool  # False: a repeated submission (same client_uuid) of a drill already recorded


def drill_record(*, actor, institution_id: int, data: dict, client_uuid: uuid.UUID | None = None) -> Recorded:
    """A new drill or training of `institution_id`, recorded by `actor`. A repeated submission of one form (a
    double-clicked 保存, a retried request: the same client_uuid) returns the drill the first one recorded; the same
    client_uuid with other content (a form brought back with the Back button and changed) is refused with a reason."""
    _require_manager(actor, institution_id)
    drill = Drill(institution_id=institution_id, recorded_by=actor, client_uuid=client_uuid)
    _apply(drill, data)
    if client_uuid is not None:
        existing = _replayed(drill)
        if existing:
            return existing
    try:
        with transaction.atomic():
            drill.save(force_insert=True)
    except IntegrityError:
        existing = _replayed(drill) if client_uuid is not None else None
        if existing:
            return existing
        raise
    return Recorded(drill=drill, created=True)


def _replayed(new: Drill) -> Recorded | None:
    first = Drill.objects.filter(client_uuid=new.client_uuid).first()
    if first is None:
        return None
    same = first.recorded_by_id == new.recorded_by_id and first.institution_id == new.institution_id
    if not same or any(getattr(first, name) != getattr(new, name) for name in EDITABLE):
        raise DrillError(
            _("这份表单已经保存过，改动的内容没有保存。请再点一次“保存”，作为新的记录保存。"), code="already_recorded"
        )
    return Recorded(drill=first, created=False)


@transaction.atomic
def drill_update(*, actor, drill: Drill, data: dict) -> Drill:
    _require_manager(actor, drill.institution_id)
    drill = Drill.objects.select_for_update().get(pk=drill.pk)
    _apply(drill, data)
    drill.save()
    return drill


@transaction.atomic
def drill_delete(*, actor, drill: Drill) -> None:
    _require_manager(actor, drill.institution_id)
    for photo in drill.photos.all():
        photo.image.delete(save=False)
    drill.delete()


def drill_photos_add(*, actor, drill: Drill, uploads: Iterable) -> list[DrillPhoto]:
    """Clean every upload first (a bad one refuses them all, with its reason), then store them in one transaction."""
    _require_manager(actor, drill.institution_id)
    uploads = list(uploads)
    if drill.photos.count() + len(uploads) > MAX_PHOTOS:  # before decoding any (checked again under the lock)
        raise DrillError(_("每次演练最多 %(n)d 张照片。") % {"n": MAX_PHOTOS}, code="too_many_photos")
    cleaned = []
    for upload in uploads:
        try:
            cleaned.append(clean_image(upload))
        except EvidenceRejected as exc:
            raise DrillError(str(exc), code="bad_photo") from exc
    with transaction.atomic():
        locked = Drill.objects.select_for_update().get(pk=drill.pk)
        if locked.photos.count() + len(cleaned) > MAX_PHOTOS:
            raise DrillError(_("每次演练最多 %(n)d 张照片。") % {"n": MAX_PHOTOS}, code="too_many_photos")
        photos = []
        for clean in cleaned:
            photo = DrillPhoto(
                drill=locked,
                content_type=clean.content_type,
                width=clean.width or 0,
                height=clean.height or 0,
                uploaded_by=actor,
            )
            photo.image.save(clean.content.name, clean.content, save=False)
            photo.save()
            photos.append(photo)
    return photos


@transaction.atomic
def drill_photo_remove(*, actor, photo: DrillPhoto) -> None:
    _require_manager(actor, photo.drill.institution_id)
    name = photo.image.name
    storage = photo.image.storage
    photo.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def drill_checkin_open(*, actor, drill: Drill) -> Drill:
    """Open check-in now (for a drill that starts early or runs late), until at least the configured margin later."""
    _require_manager(actor, drill.institution_id)
    drill = Drill.objects.select_for_update().get(pk=drill.pk)
    if drill.date != timezone.localdate():  # a mistyped date would file today's check-ins under another day
        raise DrillError(_("只能在演练当天开始签到：如果今天举行，请先把日期改为今天并保存。"), code="not_today")
    drill.checkin_opened_at = timezone.now()
    drill.checkin_closed_at = None
    drill.save(update_fields=["checkin_opened_at", "checkin_closed_at", "updated_at"])
    return drill


@transaction.atomic
def drill_checkin_close(*, actor, drill: Drill) -> Drill:
    """Close check-in now; every QR code shown so far stops working (a new secret)."""
    _require_manager(actor, drill.institution_id)
    drill = Drill.objects.select_for_update().get(pk=drill.pk)
    drill.checkin_closed_at = timezone.now()
    drill.checkin_secret = new_checkin_secret()
    drill.save(update_fields=["checkin_closed_at", "checkin_secret", "updated_at"])
    return drill


@dataclass(frozen=True)
class CheckinResult:
    drill: Drill
    attendance: Attendance
    created: bool  # False: already checked in (已签到)


def checkin_drill(token: str) -> Drill:
    parsed = checkin.parse_token(token)
    drill = Drill.objects.filter(pk=parsed.drill_id).first() if parsed else None
    if drill is None or not checkin.token_is_valid(parsed, drill.checkin_secret):
        raise CheckinRefused(_("二维码无效或已过期，请扫描现场屏幕上的二维码。"), code="invalid")
    return drill


def checkin_refusal(user, drill: Drill, *, now=None) -> CheckinRefused | None:
    """Why `user` may not check in to `drill` now (None: they may). Already having checked in is not a refusal."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return CheckinRefused(_("请先登录。"), code="inactive")
    if user.institution_id != drill.institution_id:
        return CheckinRefused(_("不是本单位的演练，不能签到。"), code="foreign")
    if not drill.checkin_is_open(now):
        return CheckinRefused(_("不在签到时间内。"), code="closed")
    return None


def attendance_check_in_by_qr(*, user, token: str) -> CheckinResult:
    """Check `user` in to the drill whose QR code carried `token`. Idempotent: a second scan answers created=False."""
    drill = checkin_drill(token)
    with transaction.atomic():
        drill = Drill.objects.select_for_update().get(pk=drill.pk)
        if not checkin.token_is_valid(checkin.parse_token(token), drill.checkin_secret):  # closed meanwhile
            raise CheckinRefused(_("二维码无效或已过期，请扫描现场屏幕上的二维码。"), code="invalid")
        existing = Attendance.objects.filter(drill=drill, user=user).first() if user.is_authenticated else None
        if existing is not None:
            return CheckinResult(drill, existing, False)
        refusal = checkin_refusal(user, drill)
        if refusal is not None:
            raise refusal
        try:
            with transaction.atomic():
                attendance = Attendance.objects.create(drill=drill, user=user, method=Attendance.Method.QR)
        except IntegrityError:  # a racing scan of the same person won
            return CheckinResult(drill, Attendance.objects.get(drill=drill, user=user), False)
    return CheckinResult(drill, attendance, True)


def roster_candidates(drill: Drill):
    """Who may be put on a drill's attendance: that institution's active accounts."""
    return User.objects.filter(institution_id=drill.institution_id, is_active=True)


@transaction.atomic
def attendance_set_from_roster(
    *, actor, drill: Drill, user_ids: Iterable[int], among: Iterable[int] | None = None
) -> tuple[int, int]:
    """Make the attendance of the people in `among` (default: the institution's whole staff) exactly `user_ids`:
    add the missing ones (method 名单), remove those unticked. Only that institution's active staff can be named.
    Returns (added, removed)."""
    _require_manager(actor, drill.institution_id)
    drill = Drill.objects.select_for_update().get(pk=drill.pk)
    wanted = {int(pk) for pk in user_ids}
    allowed = set(roster_candidates(drill).filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - allowed:
        raise DrillError(_("名单中有不属于本单位在职人员的账号。"), code="foreign_user")
    scope = None if among is None else {int(pk) for pk in among} | wanted
    current = Attendance.objects.filter(drill=drill)
    if scope is not None:
        current = current.filter(user_id__in=scope)
    present = set(current.values_list("user_id", flat=True))
    to_remove = present - wanted
    removed = Attendance.objects.filter(drill=drill, user_id__in=to_remove).delete()[0] if to_remove else 0
    new = [
        Attendance(drill=drill, user_id=pk, method=Attendance.Method.ROSTER, recorded_by=actor)
        for pk in sorted(wanted - present)
    ]
    Attendance.objects.bulk_create(new, ignore_conflicts=True)
    return len(new), removed
