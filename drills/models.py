"""Drill and training models: what an institution held (Drill), its photos (DrillPhoto) and who took part
(Attendance)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elearn.evidence import private_storage


def new_checkin_secret() -> str:
    return secrets.token_hex(16)


def checkin_margins() -> tuple[dt.timedelta, dt.timedelta]:
    """How long before the start and after the end a drill's QR code checks people in (settings, minutes)."""
    before = getattr(settings, "DRILLS_CHECKIN_BEFORE_MINUTES", 30)
    after = getattr(settings, "DRILLS_CHECKIN_AFTER_MINUTES", 30)
    return dt.timedelta(minutes=before), dt.timedelta(minutes=after)


class DrillQuerySet(models.QuerySet):
    def held(self, start: dt.date, end: dt.date, today: dt.date | None = None):
        """Drills and trainings held from `start` to `end` (inclusive) and not in the future."""
        today = today or timezone.localdate()
        return self.filter(date__gte=start, date__lte=min(end, today))


class Drill(models.Model):
    """An emergency drill (应急演练) or a training (培训) an institution held: the campaign notice asks each institution
    for at least one accident emergency drill and one self-rescue / mutual-rescue training, with evidence."""

    class Kind(models.TextChoices):
        DRILL = "drill", _("应急演练")
        TRAINING = "training", _("培训")

    class Category(models.TextChoices):
        FIRE = "fire", _("消防")
        GAS = "gas", _("燃气")
        CHEMICAL = "chemical", _("危险化学品")
        SPECIAL_EQUIPMENT = "special_equipment", _("特种设备")
        MEDICAL_EQUIPMENT = "medical_equipment", _("医学装备")
        FLOOD = "flood", _("防汛")
        SELF_RESCUE = "self_rescue", _("自救互救")
        SPECIAL_POST = "special_post", _("特殊岗位安全技能")
        OTHER = "other", _("其他")

    DRILL_CATEGORIES = ("fire", "gas", "chemical", "special_equipment", "medical_equipment", "flood", "other")
    TRAINING_CATEGORIES = ("self_rescue", "special_post", "other")

    institution = models.ForeignKey(
        "org.Institution", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="drills"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.DRILL)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices, default=Category.FIRE)
    title = models.CharField(_("名称"), max_length=120)
    date = models.DateField(_("日期"))
    starts_at = models.TimeField(_("开始时间"))
    ends_at = models.TimeField(_("结束时间"))
    place = models.CharField(_("地点"), max_length=120, blank=True)
    scenario = models.TextField(_("情景与内容"), blank=True, max_length=4000)
    duration_minutes = models.PositiveIntegerField(_("时长（分钟）"), default=60)
    planned_participants = models.PositiveIntegerField(_("计划参加人数"), default=0)
    problems = models.TextField(_("发现的问题"), blank=True, max_length=4000)
    improvements = models.TextField(_("整改措施"), blank=True, max_length=4000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Check-in: the QR code's tokens are signed with this secret (closing check-in replaces it, so old codes die);
    # an officer may open check-in early (checkin_opened_at) or close it (checkin_closed_at).
    checkin_secret = models.CharField(max_length=64, default=new_checkin_secret, editable=False)
    checkin_opened_at = models.DateTimeField(_("手动开始签到"), null=True, blank=True, editable=False)
    checkin_closed_at = models.DateTimeField(_("手动结束签到"), null=True, blank=True, editable=False)
    # The recording form's (or API client's) one-off key: a double-clicked 保存 or a retried request records one drill.
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = DrillQuerySet.as_manager()

    class Meta:
        verbose_name = _("演练与培训")
        verbose_name_plural = _("演练与培训")
        ordering = ["-date", "-starts_at", "-pk"]
        indexes = [models.Index(fields=["institution", "date"], name="drills_inst_date")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="drills_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"

    def clean(self):
        allowed = self.DRILL_CATEGORIES if self.kind == self.Kind.DRILL else self.TRAINING_CATEGORIES
        if self.category not in allowed:
            raise ValidationError({"category": _("该类别不适用于所选类型。")})
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("结束时间须晚于开始时间。")})
        if self.starts_at and self.ends_at and self.duration_minutes is not None:
            span = dt.datetime.combine(dt.date.min, self.ends_at) - dt.datetime.combine(dt.date.min, self.starts_at)
            span_minutes = int(span.total_seconds() // 60)
            if not 1 <= self.duration_minutes <= span_minutes:
                raise ValidationError(
                    {
                        "duration_minutes": _("时长须在 1 到 %(n)d 分钟之间（不超过开始到结束的时间）。")
                        % {"n": span_minutes}
                    }
                )

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date, self.starts_at))

    @property
    def end(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.date, self.ends_at))

    def checkin_window(self) -> tuple[dt.datetime, dt.datetime]:
        """(opens, closes) of check-in by QR code: from `before` the start to `after` the end; an officer who opened
        it by hand opened it from then until at least `after` later; one who closed it closed it then."""
        before, after = checkin_margins()
        opens, closes = self.start - before, self.end + after
        if self.checkin_opened_at is not None:
            opens = min(opens, self.checkin_opened_at)
            closes = max(closes, self.checkin_opened_at + after)
        if self.checkin_closed_at is not None:
            closes = min(closes, self.checkin_closed_at)
        return opens, closes

    def checkin_is_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        opens, closes = self.checkin_window()
        return opens <= now < closes


class DrillPhoto(models.Model):
    """A photo of a drill, cleaned by elearn.evidence.clean_image (no EXIF), private: served only by drills.views."""

    drill = models.ForeignKey(Drill, verbose_name=_("演练"), on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), storage=private_storage, upload_to="drills/%Y/%m/", max_length=200)
    content_type = models.CharField(max_length=40, default="image/jpeg")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("演练照片")
        verbose_name_plural = _("演练照片")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.drill_id}/{self.pk}"


class Attendance(models.Model):
    """One person's attendance at a drill or training: by scanning its QR code or picked from the roster."""

    class Method(models.TextChoices):
        QR = "qr", _("扫码")
        ROSTER = "roster", _("名单")

    drill = models.ForeignKey(Drill, verbose_name=_("演练"), on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="drill_attendances"
    )
    method = models.CharField(_("签到方式"), max_length=10, choices=Method.choices)
    checked_in_at = models.DateTimeField(_("签到时间"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("签到")
        verbose_name_plural = _("签到")
        ordering = ["checked_in_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["drill", "user"], name="drills_attendance_once")]

    def __str__(self) -> str:
        return f"{self.drill_id}:{self.user_id}"
