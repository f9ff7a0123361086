"""Rows of the privacy capability: the access log (append-only), notice acknowledgements, departures (离职) and the
retention periods (a Wagtail setting the district admin edits)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from elearn.privacy.exceptions import AppendOnly


class AccessLogQuerySet(models.QuerySet):
    """No update and no delete through the application: an entry, once written, stays as written until retention
    removes it when it has expired (`purge_before`)."""

    def update(self, **kwargs):
        raise AppendOnly

    def delete(self):
        raise AppendOnly

    def purge_before(self, cutoff: dt.datetime, *, batch: int = 5000) -> int:
        """Delete entries written before `cutoff` (retention only), in batches; returns how many."""
        removed = 0
        while True:
            pks = list(
                models.QuerySet(self.model, using=self.db).filter(at__lt=cutoff).values_list("pk", flat=True)[:batch]
            )
            if not pks:
                return removed
            removed += models.QuerySet(self.model, using=self.db).filter(pk__in=pks)._raw_delete(self.db)


class AccessLog(models.Model):
    """One look at, reveal of, export or download of other people's personal data (and a person's download of their
    own): who, when, what, about whom or how many, whose institution. Written by elearn.privacy.services.access_record
    only; never changed or deleted through the application or the admin, removed by retention once expired.

    `actor_label` keeps who acted as they were named at the time, so the record still says who looked after that
    account is anonymised; the person looked at is the `subject` row itself (anonymised with it)."""

    class Action(models.TextChoices):
        VIEW = "view", _("查看")
        REVEAL = "reveal", _("显示手机号")
        EXPORT = "export", _("导出")
        DOWNLOAD = "download", _("下载")
        MARK_LEFT = "mark_left", _("标记离职")
        UNDO_LEFT = "undo_left", _("撤销离职")
        OWN_DATA = "own_data", _("下载本人数据")

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("操作人"), max_length=100)
    actor_role = models.CharField(_("操作人角色"), max_length=10, blank=True)
    action = models.CharField(_("操作"), max_length=12, choices=Action.choices)
    what = models.CharField(_("内容"), max_length=200)
    route = models.CharField(_("页面或接口"), max_length=200, blank=True)
    institution = models.ForeignKey(
        "org.Institution",
        verbose_name=_("涉及单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("空：多个单位或全区"),
    )
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("涉及人员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    count = models.PositiveIntegerField(_("涉及人数"), null=True, blank=True)
    with_mobile = models.BooleanField(_("含手机号"), default=False)
    detail = models.JSONField(_("条件"), default=dict, blank=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("访问记录")
        verbose_name_plural = _("访问记录")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["institution", "-at"]),
            models.Index(fields=["subject", "-at"]),
            models.Index(fields=["actor", "-at"]),
        ]

    def __str__(self) -> str:
        return (
            f"{timezone.localtime(self.at):%Y-%m-%d %H:%M} {self.actor_label} {self.get_action_display()} {self.what}"
        )

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly


class NoticeAcknowledgement(models.Model):
    """A person confirmed they have read one version of the personal-information notice (告知)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_acknowledgements")
    version = models.CharField(_("告知版本"), max_length=20)
    acknowledged_at = models.DateTimeField(_("确认时间"), default=timezone.now)

    class Meta:
        verbose_name = _("告知确认")
        verbose_name_plural = _("告知确认")
        ordering = ["-acknowledged_at"]
        constraints = [models.UniqueConstraint(fields=["user", "version"], name="privacy_notice_once_per_version")]

    def __str__(self) -> str:
        return f"{self.user_id} v{self.version}"


class Departure(models.Model):
    """A person who left (离职): their account was disabled when this was recorded; their personal data is anonymised
    once the retention period for people who left has passed since `left_on`."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="departure"
    )
    left_on = models.DateField(_("离职日期"))
    recorded_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    anonymised_at = models.DateTimeField(_("匿名化时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("离职登记")
        verbose_name_plural = _("离职登记")
        ordering = ["-left_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} left {self.left_on}"

    def anonymise_on(self, days: int) -> dt.date:
        return self.left_on + dt.timedelta(days=days)


NOTICE_VERSION_CACHE_KEY = "privacy:notice-version"  # elearn.privacy.notice caches the version here

# Kinds of personal data with a retention period: (field of RetentionSettings, label). The README's 个人信息保护
# section and the notice list the same kinds; elearn.privacy.registry says which rows belong to each.
RETENTION_KINDS = {
    "exam": _("考试答卷明细与证书"),
    "study": _("学习与练习过程记录"),
    "game": _("竞赛每题作答"),
    "left": _("离职人员的个人信息"),
    "access_log": _("访问记录"),
    "exports": _("导出文件"),
}


@register_setting(icon="lock")
class RetentionSettings(BaseGenericSetting):
    """How long each kind of personal data is kept (days). Changing a period changes the notice, so people are asked
    to read it again (`revision`)."""

    exam_days = models.PositiveIntegerField(
        _("考试答卷明细与证书（天）"),
        default=1095,
        validators=[MinValueValidator(30), MaxValueValidator(36500)],
        help_text=_("自交卷或发证起算。到期删除每题作答、模拟考试和证书；成绩与是否合格作为培训档案保留。"),
    )
    study_days = models.PositiveIntegerField(
        _("学习与练习过程记录（天）"),
        default=730,
        validators=[MinValueValidator(30), MaxValueValidator(36500)],
        help_text=_("自记录起算。到期删除阅读计时明细、练习作答记录、已移出的错题；课时完成情况保留。"),
    )
    game_days = models.PositiveIntegerField(
        _("竞赛每题作答（天）"),
        default=365,
        validators=[MinValueValidator(7), MaxValueValidator(36500)],
        help_text=_("自作答起算。到期删除每题作答；每场的得分与名次保留。"),
    )
    left_days = models.PositiveIntegerField(
        _("离职人员的个人信息（天）"),
        default=180,
        validators=[MinValueValidator(0), MaxValueValidator(36500)],
        help_text=_("自离职日期起算。到期将姓名、工号、手机号等匿名化，单位统计不变。"),
    )
    access_log_days = models.PositiveIntegerField(
        _("访问记录（天）"),
        default=1095,
        validators=[MinValueValidator(180), MaxValueValidator(36500)],
        help_text=_("自记录起算，不少于 180 天。"),
    )
    exports_days = models.PositiveIntegerField(
        _("导出文件（天）"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("报表导出生成的文件，自申请起算。"),
    )
    revision = models.PositiveIntegerField(_("修订号"), default=1, editable=False)

    PERIOD_FIELDS = ("exam_days", "study_days", "game_days", "left_days", "access_log_days", "exports_days")

    class Meta:
        verbose_name = _("个人信息保存期限")
        verbose_name_plural = _("个人信息保存期限")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls) -> RetentionSettings:
        """The saved periods, or the defaults (unsaved: reading never writes)."""
        return cls.objects.order_by("pk").first() or cls()

    def days(self, kind: str) -> int:
        return getattr(self, f"{kind}_days")

    def save(self, *args, **kwargs):
        """A change of any period (from the saved one, or from the default on the first save) is a new revision."""
        stored = (
            type(self).objects.filter(pk=self.pk).values(*self.PERIOD_FIELDS, "revision").first() if self.pk else None
        )
        before = stored or {
            **{name: type(self)._meta.get_field(name).default for name in self.PERIOD_FIELDS},
            "revision": 1,
        }
        if any(before[name] != getattr(self, name) for name in self.PERIOD_FIELDS):
            self.revision = before["revision"] + 1
        super().save(*args, **kwargs)
        cache.delete(NOTICE_VERSION_CACHE_KEY)
