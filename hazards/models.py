"""Hazard reports (隐患随手拍), anonymous whistleblowing (吹哨人), their photos, history, messages and rewards.

What an anonymous report keeps is written down in the README (and in /hazards/new/'s explanation): no account, no
address, no browser; its times, and the times of what its reporter does later through the receipt code, are kept to
the day only; primary keys are random, so the order of rows does not give the order of arrival either.
"""

from __future__ import annotations

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elearn.evidence import private_storage
from elearn.org.models import Institution
from elearn.org.permissions import can_manage_institution


def random_id() -> int:
    """A random primary key (below 2**53, safe in JavaScript): ids say nothing about the order rows arrived in."""
    return secrets.randbelow(2**53 - 2) + 1


def day_start(now: datetime.datetime | None = None) -> datetime.datetime:
    """Midnight of the local day: the only time kept for what an anonymous reporter does."""
    local = timezone.localtime(now or timezone.now())
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


class Category(models.TextChoices):
    FIRE = "fire", _("消防")
    ELECTRIC = "electric", _("用电")
    GAS = "gas", _("燃气")
    CHEMICAL = "chemical", _("危险化学品")
    SPECIAL_EQUIPMENT = "special_equipment", _("特种设备")
    MEDICAL_EQUIPMENT = "medical_equipment", _("医学装备")
    HOT_WORK = "hot_work", _("动火作业")
    OUTSOURCED = "outsourced", _("外包外租")
    BUILDING = "building", _("建筑/自建房")
    OTHER = "other", _("其他")


class Judgement(models.TextChoices):
    GENERAL = "general", _("一般")
    MAYBE_MAJOR = "maybe_major", _("可能是重大隐患")


class Severity(models.TextChoices):
    GENERAL = "general", _("一般隐患")
    MAJOR = "major", _("重大隐患")


class State(models.TextChoices):
    PENDING = "pending", _("待核实")
    ACCEPTED = "accepted", _("已受理")
    RECTIFYING = "rectifying", _("整改中")
    RECTIFIED = "rectified", _("已整改")
    VERIFIED = "verified", _("已验收")
    UNFOUNDED = "unfounded", _("不属实")
    DUPLICATE = "duplicate", _("重复")


OPEN_STATES = (State.PENDING, State.ACCEPTED, State.RECTIFYING)
OVERDUE_STATES = (State.ACCEPTED, State.RECTIFYING)  # a deadline runs; 已整改 and later stop it
CLOSED_STATES = (State.VERIFIED, State.UNFOUNDED, State.DUPLICATE)
DONE_STATES = (State.RECTIFIED, State.VERIFIED)


class HazardReportQuerySet(models.QuerySet):
    def handled_by(self, user) -> HazardReportQuerySet:
        """Reports `user` handles and sees: the district admin every one; an officer their own institution's, never
        those sent straight to the bureau; anybody else none."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_district_admin:
            return self
        if user.is_safety_officer and user.institution_id:
            return self.filter(institution_id=user.institution_id, directed_to_bureau=False)
        return self.none()

    def major(self) -> HazardReportQuerySet:
        return self.filter(Q(judgement=Judgement.MAYBE_MAJOR) | Q(severity=Severity.MAJOR))

    def overdue(self, today: datetime.date | None = None) -> HazardReportQuerySet:
        return self.filter(state__in=OVERDUE_STATES, deadline__lt=today or timezone.localdate())

    def created_between(self, start: datetime.date, end: datetime.date) -> HazardReportQuerySet:
        tz = timezone.get_current_timezone()
        low = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
        high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return self.filter(created_at__gte=low, created_at__lt=high)


class HazardReport(models.Model):
    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    institution = models.ForeignKey(
        Institution, verbose_name=_("所在单位"), on_delete=models.PROTECT, related_name="hazard_reports"
    )
    location = models.CharField(_("楼栋/科室"), max_length=100, blank=True)
    place = models.CharField(_("具体位置"), max_length=200, blank=True)
    description = models.TextField(_("隐患描述"), max_length=2000)
    judgement = models.CharField(_("上报人判断"), max_length=20, choices=Judgement.choices, default=Judgement.GENERAL)
    severity = models.CharField(_("核实等级"), max_length=20, choices=Severity.choices, blank=True)
    anonymous = models.BooleanField(_("匿名"), default=False)
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上报人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hazard_reports",
    )
    directed_to_bureau = models.BooleanField(_("直报区卫健局"), default=False)
    state = models.CharField(_("状态"), max_length=20, choices=State.choices, default=State.PENDING)
    duplicate_of = models.ForeignKey(
        "self", verbose_name=_("重复于"), null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="hazards_handled",
    )
    deadline = models.DateField(_("整改期限"), null=True, blank=True)
    on_board = models.BooleanField(_("警示教育展示"), default=False)
    client_uuid = models.UUIDField(_("提交标识（散列）"), unique=True, null=True, blank=True, editable=False)
    receipt_hash = models.CharField(_("回执码散列"), max_length=64, unique=True, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("上报时间"), db_index=True)

    objects = HazardReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("隐患报告")
        verbose_name_plural = _("隐患报告")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(reporter__isnull=True), name="hazards_anonymous_has_no_reporter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()} · {self.institution.display_name}"

    @property
    def is_major(self) -> bool:
        return self.judgement == Judgement.MAYBE_MAJOR or self.severity == Severity.MAJOR

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return bool(self.deadline and self.state in OVERDUE_STATES and self.deadline < (today or timezone.localdate()))

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES

    def may_handle(self, user) -> bool:
        """The one rule for handling a report (and seeing it in the admin)."""
        if self.directed_to_bureau:
            return bool(getattr(user, "is_authenticated", False) and user.is_district_admin)
        return can_manage_institution(user, self.institution_id)


class Stage(models.TextChoices):
    REPORT = "report", _("报告")
    SUPPLEMENT = "supplement", _("补充")
    RECTIFIED = "rectified", _("整改后")


def photo_path(instance, filename: str) -> str:
    return f"hazards/{filename}"


class HazardPhoto(models.Model):
    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    report = models.ForeignKey(HazardReport, on_delete=models.CASCADE, related_name="photos")
    stage = models.CharField(_("阶段"), max_length=20, choices=Stage.choices, default=Stage.REPORT)
    file = models.FileField(_("照片"), storage=private_storage, upload_to=photo_path, max_length=200)
    content_type = models.CharField(max_length=40, default="image/jpeg")
    added_on = models.DateField(_("添加日期"))

    class Meta:
        verbose_name = _("隐患照片")
        verbose_name_plural = _("隐患照片")
        ordering = ["stage", "added_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.pk}"


class AppendOnly(Exception):
    pass


class HazardEvent(models.Model):
    """One change of a report: who (None for an anonymous reporter), in what role, when, from and to which state, why.
    Rows are written once and never changed or deleted (save refuses an update)."""

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    report = models.ForeignKey(HazardReport, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    role = models.CharField(_("身份"), max_length=30)
    at = models.DateTimeField(_("时间"))
    from_state = models.CharField(_("原状态"), max_length=20, choices=State.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=State.choices, blank=True)
    action = models.CharField(_("操作"), max_length=40)
    note = models.TextField(_("说明"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("隐患处理记录")
        verbose_name_plural = _("隐患处理记录")
        ordering = ["at", "action"]

    def __str__(self) -> str:
        return f"{self.role} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("hazard events are append-only")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("hazard events are append-only")


class HazardMessage(models.Model):
    class Direction(models.TextChoices):
        QUESTION = "question", _("处理人提问")
        ANSWER = "answer", _("上报人答复")

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    report = models.ForeignKey(HazardReport, on_delete=models.CASCADE, related_name="messages")
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField(_("内容"), max_length=2000)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("隐患沟通")
        verbose_name_plural = _("隐患沟通")
        ordering = ["at", "direction"]

    def __str__(self) -> str:
        return self.get_direction_display()


class Reward(models.Model):
    report = models.ForeignKey(HazardReport, on_delete=models.CASCADE, related_name="rewards")
    amount = models.DecimalField(_("金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True)
    kind = models.CharField(_("奖励形式"), max_length=100, blank=True)
    note = models.TextField(_("说明"), blank=True, max_length=1000)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("批准人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_on = models.DateField(_("日期"))

    class Meta:
        verbose_name = _("举报奖励")
        verbose_name_plural = _("举报奖励")
        ordering = ["granted_on", "id"]

    def __str__(self) -> str:
        return f"{self.amount or ''} {self.kind}".strip()
