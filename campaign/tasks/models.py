"""The campaign (安全生产月) as a period with the notice's requirements, and its tasks (活动任务, 五个一): the
evidence each asks for (a checklist, photos, a short text, a file) and what people handed in."""

import datetime as dt
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable

from elearn.evidence import private_storage


class CampaignQuerySet(models.QuerySet):
    def current(self, today=None):
        """The campaign running on `today` (the latest started if several), else the latest one, else None."""
        from django.utils import timezone

        today = today or timezone.localdate()
        running = self.filter(starts_on__lte=today, ends_on__gte=today).order_by("-starts_on").first()
        return running or self.order_by("-starts_on").first()


class Campaign(models.Model):
    """One campaign period (e.g. 2026年安全生产月) and what the notice requires of every institution in it."""

    name = models.CharField(_("活动名称"), max_length=100)
    theme = models.CharField(_("主题"), max_length=100, blank=True)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    required_drills = models.PositiveSmallIntegerField(_("每单位至少应急演练（次）"), default=1)
    required_trainings = models.PositiveSmallIntegerField(_("每单位至少自救互救培训（次）"), default=1)
    study_target_percent = models.PositiveSmallIntegerField(_("学习完成率要求（%）"), default=100)
    exam_participation_target_percent = models.PositiveSmallIntegerField(_("考试参与率要求（%）"), default=100)
    exam_pass_target_percent = models.PositiveSmallIntegerField(_("考试合格率要求（%）"), default=90)
    tasks_target_percent = models.PositiveSmallIntegerField(_("“五个一”完成率要求（%）"), default=100)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="campaign_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name


# --- campaign tasks (活动任务, 五个一) -------------------------------------------------------------------------------

ROLE_CHOICES = [("staff", _("职工")), ("officer", _("单位安全员")), ("admin", _("区卫健局管理员"))]


class CampaignTaskQuerySet(models.QuerySet):
    def for_user(self, user) -> list:
        """Tasks (of this queryset) whose audience includes `user`: a campaign has a handful of tasks, so the
        audience rule (`CampaignTask.is_for`) is applied to each, with the institutions prefetched."""
        if not getattr(user, "is_authenticated", False) or not user.is_active or not user.institution_id:
            return []
        return [task for task in self.prefetch_related("institutions") if task.is_for(user)]


class CampaignTask(ClusterableModel):
    """One task of a campaign (e.g. 家庭隐患排查): who does it, when, and the evidence asked for."""

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("全体人员")
        ROLES = "roles", _("指定角色")
        INSTITUTIONS = "institutions", _("指定单位的全体人员")
        PER_INSTITUTION = "per_institution", _("每单位一份（由单位安全员提交）")

    campaign = models.ForeignKey(Campaign, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("任务名称"), max_length=100)
    guidance = RichTextField(_("任务说明"), blank=True, help_text=_("可链接科普库、学习模块中的材料"))
    audience = models.CharField(_("对象"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    roles = models.JSONField(_("角色"), default=list, blank=True, help_text=_("对象为“指定角色”时适用"))
    institutions = ParentalManyToManyField(
        "org.Institution",
        verbose_name=_("单位"),
        blank=True,
        related_name="+",
        help_text=_("对象为“指定单位”时必选；“每单位一份”时不选表示全部单位"),
    )
    opens_at = models.DateTimeField(_("开始时间"))
    due_on = models.DateField(_("截止日期"))
    photos_min = models.PositiveSmallIntegerField(_("至少照片（张）"), default=0)
    photos_max = models.PositiveSmallIntegerField(_("最多照片（张）"), default=0, help_text=_("0 表示不收照片"))
    text_label = models.CharField(_("文字说明的提示"), max_length=200, blank=True, help_text=_("留空表示不收文字"))
    text_required = models.BooleanField(_("文字必填"), default=False)
    file_label = models.CharField(_("附件的提示"), max_length=200, blank=True, help_text=_("留空表示不收附件"))
    file_required = models.BooleanField(_("附件必交"), default=False)
    needs_review = models.BooleanField(_("需安全员审核"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = CampaignTaskQuerySet.as_manager()

    panels = [
        FieldPanel("campaign"),
        FieldPanel("title"),
        FieldPanel("guidance"),
        MultiFieldPanel([FieldPanel("audience"), FieldPanel("roles"), FieldPanel("institutions")], heading=_("对象")),
        FieldRowPanel([FieldPanel("opens_at"), FieldPanel("due_on")], heading=_("时间")),
        InlinePanel("items", heading=_("检查清单"), label=_("检查项")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("photos_min"), FieldPanel("photos_max")]),
                FieldRowPanel([FieldPanel("text_label"), FieldPanel("text_required")]),
                FieldRowPanel([FieldPanel("file_label"), FieldPanel("file_required")]),
            ],
            heading=_("需提交的材料"),
        ),
        FieldRowPanel([FieldPanel("needs_review"), FieldPanel("order")]),
    ]

    class Meta:
        verbose_name = _("活动任务")
        verbose_name_plural = _("活动任务")
        ordering = ["campaign", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(photos_max__gte=models.F("photos_min")), name="campaign_task_photos_range"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def per_institution(self) -> bool:
        return self.audience == self.Audience.PER_INSTITUTION

    @property
    def asks_photos(self) -> bool:
        return self.photos_max > 0

    @property
    def asks_text(self) -> bool:
        return bool(self.text_label)

    @property
    def asks_file(self) -> bool:
        return bool(self.file_label)

    def _institution_ids(self) -> set[int]:
        return {i.pk for i in self.institutions.all()}

    def is_for(self, user) -> bool:
        """Is `user` in this task's audience? (Per-institution tasks: their institution's safety officer.)"""
        if not getattr(user, "is_authenticated", False) or not user.is_active or not user.institution_id:
            return False
        A = self.Audience
        if self.audience == A.EVERYONE:
            return True
        if self.audience == A.ROLES:
            return user.role in (self.roles or [])
        if self.audience == A.INSTITUTIONS:
            return user.institution_id in self._institution_ids()
        if self.audience == A.PER_INSTITUTION:
            ids = self._institution_ids()
            return user.is_safety_officer and (not ids or user.institution_id in ids)
        return False

    def is_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now and timezone.localdate(now) <= self.due_on

    def clean(self):
        errors = {}
        bad_roles = [r for r in self.roles or [] if r not in dict(ROLE_CHOICES)]
        if bad_roles:
            errors["roles"] = _("未知角色：%(roles)s") % {"roles": ", ".join(map(str, bad_roles))}
        if self.audience == self.Audience.ROLES and not self.roles:
            errors["roles"] = _("请选择至少一个角色。")
        if self.photos_max < self.photos_min:
            errors["photos_max"] = _("最多照片数不能少于至少照片数。")
        if self.opens_at and self.due_on and timezone.localdate(self.opens_at) > self.due_on:
            errors["due_on"] = _("截止日期不能早于开始时间。")
        if errors:
            raise ValidationError(errors)


class ChecklistItem(Orderable):
    """One item of a task's checklist, answered 是 / 否 / 不适用 (with an optional note). `key` is stable: answers
    are stored by it, so rewording or reordering items keeps earlier answers attached."""

    task = ParentalKey(CampaignTask, on_delete=models.CASCADE, related_name="items")
    key = models.UUIDField(default=uuid.uuid4, editable=False)
    text = models.CharField(_("检查项"), max_length=200)
    hint = models.CharField(_("提示"), max_length=300, blank=True)

    panels = [FieldPanel("text"), FieldPanel("hint")]

    class Meta(Orderable.Meta):
        verbose_name = _("检查项")
        verbose_name_plural = _("检查项")
        constraints = [models.UniqueConstraint(fields=["task", "key"], name="campaign_checklist_item_key")]

    def __str__(self) -> str:
        return self.text


class Answer(models.TextChoices):
    YES = "yes", _("是")
    NO = "no", _("否")
    NA = "na", _("不适用")


class TaskSubmission(models.Model):
    """What one person (or, for a per-institution task, its officer for the institution) handed in for a task.
    未开始 is the absence of a row; a returned submission is resubmitted on the same row (history keeps each step)."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("已退回")
        APPROVED = "approved", _("已通过")

    task = models.ForeignKey(CampaignTask, verbose_name=_("任务"), on_delete=models.CASCADE, related_name="submissions")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), on_delete=models.CASCADE, related_name="task_submissions"
    )
    institution = models.ForeignKey(
        "org.Institution", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="task_submissions"
    )
    per_institution = models.BooleanField(_("单位任务"), default=False, editable=False)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.SUBMITTED)
    answers = models.JSONField(_("清单回答"), default=dict, blank=True)
    text = models.TextField(_("文字说明"), blank=True)
    client_uuid = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    submitted_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_comment = models.TextField(_("审核意见"), blank=True)
    history = models.JSONField(_("经过"), default=list, blank=True)

    class Meta:
        verbose_name = _("任务提交")
        verbose_name_plural = _("任务提交")
        ordering = ["-submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "user"], condition=models.Q(per_institution=False), name="campaign_one_submission_each"
            ),
            models.UniqueConstraint(
                fields=["task", "institution"],
                condition=models.Q(per_institution=True),
                name="campaign_one_submission_per_institution",
            ),
        ]
        indexes = [models.Index(fields=["institution", "task", "state"])]

    def __str__(self) -> str:
        return f"{self.task} · {self.user_id}"

    @property
    def is_done(self) -> bool:
        """Approved, or submitted for a task that needs no review."""
        return self.state == self.State.APPROVED or (self.state == self.State.SUBMITTED and not self.task.needs_review)


class SubmissionPhoto(models.Model):
    submission = models.ForeignKey(TaskSubmission, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField(_("照片"), storage=private_storage, upload_to="tasks/%Y/%m/", max_length=200)
    content_type = models.CharField(max_length=50, default="image/jpeg")
    width = models.PositiveIntegerField(null=True)
    height = models.PositiveIntegerField(null=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("任务照片")
        verbose_name_plural = _("任务照片")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"photo {self.pk} of submission {self.submission_id}"


class SubmissionFile(models.Model):
    submission = models.ForeignKey(TaskSubmission, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(_("附件"), storage=private_storage, upload_to="tasks/%Y/%m/", max_length=200)
    content_type = models.CharField(max_length=120)
    original_name = models.CharField(_("原文件名"), max_length=120, blank=True)
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("任务附件")
        verbose_name_plural = _("任务附件")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name or f"file {self.pk}"
