"""Report exports: a workbook or CSV built in the background, its progress, and the file once it is ready."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportExport(models.Model):
    """One requested campaign export. The task (leaderboard.reports.tasks) fills `progress` as it goes and stores the
    file in `content`; only the person who asked may download it (they saw the same scope when asking)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    class Format(models.TextChoices):
        XLSX = "xlsx", _("Excel 工作簿")
        CSV = "csv", _("CSV")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.CASCADE, related_name="report_exports"
    )
    params = models.JSONField(_("筛选条件"), default=dict, blank=True)
    format = models.CharField(_("格式"), max_length=4, choices=Format.choices, default=Format.XLSX)
    sheet = models.CharField(_("工作表"), max_length=20, blank=True, help_text=_("CSV 导出的工作表"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    step = models.CharField(_("当前步骤"), max_length=60, blank=True)
    message = models.TextField(_("错误信息"), blank=True)
    filename = models.CharField(_("文件名"), max_length=120, blank=True)
    content = models.BinaryField(_("文件内容"), null=True, blank=True, editable=False)
    size = models.PositiveIntegerField(_("文件大小"), default=0)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报表导出")
        verbose_name_plural = _("报表导出")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_format_display()} {self.filename or self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def content_type(self) -> str:
        if self.format == self.Format.CSV:
            return "text/csv; charset=utf-8"
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
