"""Certificates for candidates who passed an exam, verifiable on a public page by their code."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Certificate(models.Model):
    """A certificate for a candidate who passed an exam. Name, institution, exam title and score are copied at
    issue, so the public verification page keeps confirming what the PDF says."""

    code = models.CharField(_("验证码"), max_length=20, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="certificates")
    exam = models.ForeignKey("quizzes.Exam", on_delete=models.PROTECT, related_name="certificates")
    attempt = models.ForeignKey(
        "quizzes.Attempt", null=True, blank=True, on_delete=models.SET_NULL, related_name="certificates"
    )
    holder_name = models.CharField(_("姓名"), max_length=50)
    institution_name = models.CharField(_("单位"), max_length=100, blank=True)
    exam_title = models.CharField(_("考试"), max_length=200)
    score = models.DecimalField(_("成绩"), max_digits=7, decimal_places=2)
    max_score = models.DecimalField(_("满分"), max_digits=7, decimal_places=2, null=True, blank=True)
    passed_on = models.DateField(_("通过日期"))
    issued_at = models.DateTimeField(_("发证时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("合格证书")
        verbose_name_plural = _("合格证书")
        ordering = ["-issued_at"]
        constraints = [models.UniqueConstraint(fields=["user", "exam"], name="quizzes_certificate_unique_user_exam")]

    def __str__(self) -> str:
        return f"{self.code} {self.holder_name} {self.exam_title}"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None
