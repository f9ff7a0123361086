"""Timed exams: the definition (Exam + paper sections), and each candidate's attempt with its frozen paper.

Rules (quizzes.timing, quizzes.scoring) live in pure functions; changes across rows live in
quizzes.exams.services. The database enforces what must never happen twice: one open attempt per candidate per exam.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable

from quizzes import scoring, timing
from quizzes.bank.models import Category, Question
from quizzes.scoring import GradingMethod as ScoringGradingMethod
from quizzes.scoring import MultipleMode


@dataclass(frozen=True)
class ReviewOptions:
    """What a candidate may see of a submitted attempt at a given moment."""

    score: bool = False
    correctness: bool = False
    answers: bool = False
    explanations: bool = False
    withheld: bool = False  # the policy would show something, but the candidate is sitting an exam (see selectors)

    @property
    def anything(self) -> bool:
        return self.score or self.correctness or self.answers or self.explanations


NOTHING = ReviewOptions()


class ExamQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Exam.Status.PUBLISHED)

    def for_audience(self, user):
        """Published exams whose audience includes `user` (no institutions / no roles listed = everyone)."""
        qs = self.published()
        if not getattr(user, "is_authenticated", False):
            return qs.none()
        # Roles are a JSON list (checked by Exam.is_for); institutions filter here.
        return qs.filter(models.Q(institutions__isnull=True) | models.Q(institutions=user.institution_id)).distinct()

    def open_at(self, now):
        return self.filter(opens_at__lte=now, closes_at__gt=now)


class Exam(ClusterableModel):
    """An exam the district schedules (线上安全生产知识考试): who may sit it, when, for how long, and how the
    paper is drawn, scored and reviewed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    class GradingMethod(models.TextChoices):
        HIGHEST = ScoringGradingMethod.HIGHEST.value, _("最高分")
        LATEST = ScoringGradingMethod.LATEST.value, _("最后一次")
        FIRST = ScoringGradingMethod.FIRST.value, _("第一次")
        AVERAGE = ScoringGradingMethod.AVERAGE.value, _("平均分")

    class MultipleScoring(models.TextChoices):
        ALL_OR_NOTHING = MultipleMode.ALL_OR_NOTHING.value, _("全对才得分")
        PARTIAL = MultipleMode.PARTIAL.value, _("少选按比例得分，错选不得分")

    class ReviewWhen(models.TextChoices):
        IMMEDIATELY = "immediately", _("交卷后立即")
        AFTER_CLOSE = "after_close", _("考试结束后")
        NEVER = "never", _("不公布")

    class OverdueHandling(models.TextChoices):
        AUTOSUBMIT = "autosubmit", _("到时自动交卷")
        GRACE = "graceperiod", _("宽限期内可交卷（不可再作答）")

    class TabSwitchPolicy(models.TextChoices):
        COUNT = "count", _("仅记录切屏次数")
        AUTOSUBMIT = "autosubmit", _("切屏达到次数自动交卷")

    ROLE_CHOICES = [("staff", _("职工")), ("officer", _("单位安全员")), ("admin", _("区卫健局管理员"))]

    title = models.CharField(_("考试名称"), max_length=120)
    introduction = RichTextField(_("考试说明"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    institutions = ParentalManyToManyField(
        "org.Institution", verbose_name=_("参考单位"), blank=True, help_text=_("不选表示全部单位"), related_name="+"
    )
    roles = models.JSONField(_("参考角色"), default=list, blank=True, help_text=_("不选表示全部角色"))
    opens_at = models.DateTimeField(_("开考时间"))
    closes_at = models.DateTimeField(_("截止时间"))
    time_limit_minutes = models.PositiveIntegerField(
        _("考试时长（分钟）"), null=True, blank=True, help_text=_("留空表示不限时（仍以截止时间为准）")
    )
    attempts_allowed = models.PositiveSmallIntegerField(_("允许次数"), default=1, help_text=_("0 表示不限次数"))
    grading_method = models.CharField(
        _("多次作答取分"), max_length=10, choices=GradingMethod.choices, default=GradingMethod.HIGHEST
    )
    pass_mark = models.DecimalField(
        _("及格线（百分制）"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("60"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("得分占试卷总分的百分比"),
    )
    shuffle_questions = models.BooleanField(_("题目乱序"), default=True)
    shuffle_options = models.BooleanField(_("选项乱序"), default=True)
    multiple_scoring = models.CharField(
        _("多选题计分"), max_length=10, choices=MultipleScoring.choices, default=MultipleScoring.ALL_OR_NOTHING
    )
    review_score = models.BooleanField(_("公布分数"), default=True)
    review_correctness = models.BooleanField(_("公布对错"), default=True)
    review_answers = models.BooleanField(_("公布正确答案"), default=False)
    review_explanations = models.BooleanField(_("公布解析"), default=False)
    review_when = models.CharField(
        _("公布时间"), max_length=12, choices=ReviewWhen.choices, default=ReviewWhen.IMMEDIATELY
    )
    overdue_handling = models.CharField(
        _("超时处理"), max_length=12, choices=OverdueHandling.choices, default=OverdueHandling.AUTOSUBMIT
    )
    grace_period_minutes = models.PositiveIntegerField(_("宽限期（分钟）"), default=0)
    tab_switch_policy = models.CharField(
        _("切屏策略"), max_length=12, choices=TabSwitchPolicy.choices, default=TabSwitchPolicy.COUNT
    )
    tab_switch_limit = models.PositiveSmallIntegerField(_("切屏上限"), default=3)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    # Written by the papers drawn ahead (services.exam_papers_prepare): the library pictures that did not render and
    # were kept out of its last run's papers, shown in the admin's exam list; [] once a run went through.
    papers_pictures_failed = models.JSONField(_("无法生成的图片"), default=list, blank=True, editable=False)

    panels = [
        MultiFieldPanel([FieldPanel("title"), FieldPanel("introduction"), FieldPanel("status")], heading=_("基本信息")),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldRowPanel([FieldPanel("time_limit_minutes"), FieldPanel("attempts_allowed")]),
                FieldRowPanel([FieldPanel("grading_method"), FieldPanel("pass_mark")]),
            ],
            heading=_("时间与计分"),
        ),
        MultiFieldPanel([FieldPanel("institutions"), FieldPanel("roles")], heading=_("参考对象")),
        InlinePanel("sections", heading=_("组卷规则"), label=_("题型部分"), min_num=1),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_options")]),
                FieldPanel("multiple_scoring"),
            ],
            heading=_("试卷"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("review_score"),
                        FieldPanel("review_correctness"),
                        FieldPanel("review_answers"),
                        FieldPanel("review_explanations"),
                    ]
                ),
                FieldPanel("review_when"),
            ],
            heading=_("成绩与答案公布"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("overdue_handling"), FieldPanel("grace_period_minutes")]),
                FieldRowPanel([FieldPanel("tab_switch_policy"), FieldPanel("tab_switch_limit")]),
            ],
            heading=_("防作弊与超时"),
        ),
    ]

    objects = ExamQuerySet.as_manager()

    class Meta:
        verbose_name = _("考试")
        verbose_name_plural = _("考试")
        ordering = ["-opens_at", "pk"]

    def __str__(self) -> str:
        return self.title

    # --- rules of one exam ---
    @property
    def time_limit(self) -> dt.timedelta | None:
        return dt.timedelta(minutes=self.time_limit_minutes) if self.time_limit_minutes else None

    @property
    def grace_period(self) -> dt.timedelta | None:
        """None for auto-submit; the grace period for "graceperiod" handling."""
        if self.overdue_handling != self.OverdueHandling.GRACE:
            return None
        return dt.timedelta(minutes=self.grace_period_minutes)

    @property
    def unlimited_attempts(self) -> bool:
        return self.attempts_allowed == 0

    def is_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.opens_at <= now < self.closes_at

    def is_closed(self, now: dt.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.closes_at

    def is_for(self, user) -> bool:
        """Is `user` in this exam's audience (institutions and roles; empty = everyone)?"""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return False
        if self.roles and user.role not in self.roles:
            return False
        if getattr(self, "_institution_checked_for", None) == user.pk:
            return True  # read through ExamQuerySet.for_audience(user), whose query checked the institutions
        if not hasattr(self, "_audience_ids"):  # one query per instance (the API asks twice per start)
            self._audience_ids = {i.pk for i in self.institutions.all()}
        return not self._audience_ids or user.institution_id in self._audience_ids

    def grade_attempts(self, attempts: list[Attempt]) -> tuple[Decimal, Decimal, bool]:
        """The grade across one candidate's submitted, scored attempts (oldest first), by this exam's grading
        method, the maximum it is out of (the latest paper's) and whether it passes: (grade, max_score, passed)."""
        grade = scoring.grade([a.score for a in attempts], self.grading_method)
        max_score = attempts[-1].max_score
        return grade, max_score, scoring.is_pass(grade, max_score, self.pass_mark)

    def review_options(self, attempt: Attempt, now: dt.datetime | None = None) -> ReviewOptions:
        """What the candidate may see of `attempt` now (nothing before it is submitted)."""
        now = now or timezone.now()
        if attempt.state != Attempt.State.SUBMITTED or self.review_when == self.ReviewWhen.NEVER:
            return NOTHING
        if self.review_when == self.ReviewWhen.AFTER_CLOSE and now < self.closes_at:
            return NOTHING
        return ReviewOptions(
            score=self.review_score,
            correctness=self.review_correctness,
            answers=self.review_answers,
            explanations=self.review_explanations,
        )

    def save(self, *args, **kwargs):
        self.__dict__.pop("_audience_ids", None)
        self.__dict__.pop("_institution_checked_for", None)
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("截止时间必须晚于开考时间。")
        if self.tab_switch_policy == self.TabSwitchPolicy.AUTOSUBMIT and not self.tab_switch_limit:
            errors["tab_switch_limit"] = _("切屏自动交卷时，切屏上限须大于 0。")
        bad_roles = [r for r in self.roles or [] if r not in dict(self.ROLE_CHOICES)]
        if bad_roles:
            errors["roles"] = _("未知角色：%(roles)s") % {"roles": ", ".join(map(str, bad_roles))}
        if errors:
            raise ValidationError(errors)


class ExamSection(Orderable):
    """One part of the paper: N questions of a type drawn from a category (and difficulty) at P points each,
    or a fixed list of questions."""

    exam = ParentalKey(Exam, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(_("部分名称"), max_length=60, blank=True, help_text=_("如：一、单选题"))
    question_type = models.CharField(_("题型"), max_length=10, choices=Question.Type.choices, blank=True)
    category = models.ForeignKey(
        Category,
        verbose_name=_("分类"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("留空表示整个题库；含下级分类"),
    )
    difficulty = models.PositiveSmallIntegerField(
        _("难度"), null=True, blank=True, choices=[(i, str(i)) for i in range(1, 6)]
    )
    count = models.PositiveSmallIntegerField(_("抽题数量"), default=10)
    points = models.DecimalField(_("每题分值"), max_digits=6, decimal_places=2, default=Decimal("2"))
    fixed_question_ids = models.CharField(
        _("固定题目编号"),
        max_length=2000,
        blank=True,
        help_text=_("填写题目编号（逗号分隔）则使用固定题目，不再随机抽题"),
    )

    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("question_type"), FieldPanel("category"), FieldPanel("difficulty")]),
        FieldRowPanel([FieldPanel("count"), FieldPanel("points")]),
        FieldPanel("fixed_question_ids"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("组卷规则")
        verbose_name_plural = _("组卷规则")

    def __str__(self) -> str:
        return self.title or f"{self.get_question_type_display() or _('全部题型')} × {self.count}"

    @property
    def fixed_ids(self) -> list[int]:
        ids = []
        for part in self.fixed_question_ids.replace("，", ",").split(","):
            part = part.strip()
            if part:
                ids.append(int(part))
        return ids

    def clean(self):
        try:
            ids = self.fixed_ids
        except ValueError:
            raise ValidationError({"fixed_question_ids": _("题目编号须为数字，用逗号分隔。")}) from None
        if ids:
            missing = sorted(set(ids) - set(Question.objects.filter(pk__in=ids).values_list("pk", flat=True)))
            if missing:
                raise ValidationError(
                    {"fixed_question_ids": _("题目不存在：%(ids)s") % {"ids": ", ".join(map(str, missing))}}
                )
        if self.points is not None and self.points <= 0:
            raise ValidationError({"points": _("分值必须大于 0。")})


class Attempt(models.Model):
    """One candidate's sitting of an exam. The deadline is fixed at start; the paper (AttemptQuestion rows) is a
    frozen copy of the questions, so edits to the bank never reach it."""

    class State(models.TextChoices):
        IN_PROGRESS = "in_progress", _("作答中")
        OVERDUE = "overdue", _("已超时")
        SUBMITTED = "submitted", _("已交卷")

    class FinishReason(models.TextChoices):
        MANUAL = "manual", _("本人交卷")
        TIME_UP = "time_up", _("到时自动交卷")
        SWEPT = "swept", _("系统自动交卷")
        TAB_SWITCH = "tab_switch", _("切屏超限自动交卷")

    OPEN_STATES = (State.IN_PROGRESS, State.OVERDUE)

    exam = models.ForeignKey(Exam, verbose_name=_("考试"), on_delete=models.CASCADE, related_name="attempts")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("考生"), on_delete=models.CASCADE, related_name="exam_attempts"
    )
    number = models.PositiveSmallIntegerField(_("第几次"), default=1)
    is_mock = models.BooleanField(_("模拟考试"), default=False, help_text=_("模拟考试不计成绩"))
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.IN_PROGRESS)
    started_at = models.DateTimeField(_("开始时间"))
    deadline = models.DateTimeField(_("截止时间"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("交卷时间"), null=True, blank=True)
    finish_reason = models.CharField(_("交卷方式"), max_length=12, choices=FinishReason.choices, blank=True)
    score = models.DecimalField(_("得分"), max_digits=7, decimal_places=2, null=True, blank=True)
    max_score = models.DecimalField(_("总分"), max_digits=7, decimal_places=2, default=Decimal("0"))
    passed = models.BooleanField(_("是否及格"), null=True, blank=True)
    tab_switches = models.PositiveIntegerField(_("切屏次数"), default=0)
    grace_period_seconds = models.PositiveIntegerField(
        _("宽限期（秒）"), null=True, blank=True, help_text=_("开考时从考试设置复制；空表示到时自动交卷")
    )

    class Meta:
        verbose_name = _("答卷")
        verbose_name_plural = _("答卷")
        ordering = ["exam_id", "user_id", "number"]  # ids: ordering by the FK would join (and order by) Exam/User
        constraints = [
            models.UniqueConstraint(
                fields=["exam", "user", "is_mock"],
                condition=models.Q(state__in=["in_progress", "overdue"]),
                name="quizzes_attempt_one_open_per_user",
            ),
            models.UniqueConstraint(fields=["exam", "user", "is_mock", "number"], name="quizzes_attempt_number"),
        ]
        indexes = [models.Index(fields=["state", "deadline"], name="quizzes_attempt_sweep_idx")]

    def __str__(self) -> str:
        return f"{self.exam} · {self.user} · #{self.number}"

    @property
    def grace_period(self) -> dt.timedelta | None:
        return None if self.grace_period_seconds is None else dt.timedelta(seconds=self.grace_period_seconds)

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def phase(self, now: dt.datetime) -> timing.Phase:
        return timing.phase(self.deadline, now, self.grace_period)

    def is_overdue(self, now: dt.datetime) -> bool:
        return self.is_open and timing.is_overdue(self.deadline, now)

    def seconds_remaining(self, now: dt.datetime) -> int | None:
        return timing.seconds_remaining(self.deadline, now) if self.is_open else 0

    @property
    def percent(self) -> Decimal | None:
        from quizzes.scoring import percentage

        return None if self.score is None else percentage(self.score, self.max_score)


class AttemptQuestion(models.Model):
    """One question of an attempt's frozen paper: a snapshot of the bank question (options already in the order
    this candidate sees them, correct answers as indexes into that order), taken at start. The snapshot holds
    the answers server-side only: payloads for the candidate are built by quizzes.exams.payloads."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="paper")
    position = models.PositiveSmallIntegerField(_("题号"))
    question = models.ForeignKey(Question, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    section_title = models.CharField(_("部分"), max_length=60, blank=True)
    points = models.DecimalField(_("分值"), max_digits=6, decimal_places=2)
    option_order = models.JSONField(_("选项顺序"), default=list, blank=True, help_text=_("显示顺序对应的原选项序号"))
    snapshot = models.JSONField(_("题目快照"))

    class Meta:
        verbose_name = _("试卷题目")
        verbose_name_plural = _("试卷题目")
        ordering = ["attempt_id", "position"]
        constraints = [models.UniqueConstraint(fields=["attempt", "position"], name="quizzes_attemptquestion_pos")]

    def __str__(self) -> str:
        return f"{self.attempt_id} · {self.position}"

    @property
    def qtype(self) -> str:
        return self.snapshot["type"]

    @property
    def blanks(self) -> int:
        return len(self.snapshot.get("accepted_answers") or []) if self.qtype == "fill" else 0


class PreparedPaperQuerySet(models.QuerySet):
    def unclaimed(self):
        return self.filter(claimed_by__isnull=True)


class PreparedPaper(models.Model):
    """A paper drawn ahead of an exam's opening (预生成试卷), so that starting an attempt hands one out instead of
    drawing it while a thousand candidates wait. Drawn by the same code as a paper drawn at start
    (quizzes.exams.papers), frozen as JSON items; claimed once, in the start's transaction, and copied into the
    attempt's own paper (AttemptQuestion rows), after which its items are emptied and `claimed_by` records who got it.

    Unclaimed papers are handed out only while they are current: `rules_key` must equal the exam's paper rules now
    and every question in `versions` must be unchanged in the bank (checked at hand-out); the background refresh
    discards stale ones and draws replacements."""

    exam = models.ForeignKey(Exam, verbose_name=_("考试"), on_delete=models.CASCADE, related_name="prepared_papers")
    rules_key = models.CharField(_("组卷规则指纹"), max_length=32)
    pool_key = models.CharField(_("题目池指纹"), max_length=32, blank=True)
    items = models.JSONField(_("试卷"), default=list, blank=True)
    versions = models.JSONField(_("题目版本"), default=dict, blank=True)
    max_score = models.DecimalField(_("总分"), max_digits=7, decimal_places=2, default=Decimal("0"))
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    claimed_by = models.OneToOneField(
        Attempt,
        verbose_name=_("领取答卷"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="prepared_paper",
    )
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)

    objects = PreparedPaperQuerySet.as_manager()

    class Meta:
        verbose_name = _("预生成试卷")
        verbose_name_plural = _("预生成试卷")
        ordering = ["exam_id", "pk"]
        indexes = [
            models.Index(
                fields=["exam", "rules_key", "id"],
                condition=models.Q(claimed_by__isnull=True),
                name="quizzes_prepared_unclaimed",
            )
        ]

    def __str__(self) -> str:
        return f"{self.exam_id} · {self.pk}"


class AttemptAnswer(models.Model):
    """The candidate's current answer to one paper question. `seq` is the client's sequence number of the save
    that wrote it: a retry carrying an older number never overwrites a newer answer."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="answers")
    attempt_question = models.OneToOneField(AttemptQuestion, on_delete=models.CASCADE, related_name="answer")
    response = models.JSONField(_("作答"), default=list, blank=True)
    flagged = models.BooleanField(_("标记"), default=False)
    seq = models.BigIntegerField(_("客户端序号"), default=0)
    saved_at = models.DateTimeField(_("保存时间"))
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    is_correct = models.BooleanField(_("是否正确"), null=True, blank=True)

    class Meta:
        verbose_name = _("作答")
        verbose_name_plural = _("作答")
        ordering = ["attempt_id", "attempt_question_id"]

    def __str__(self) -> str:
        return f"{self.attempt_question} = {self.response}"

    @property
    def is_answered(self) -> bool:
        return has_response(self.response)


def has_response(response) -> bool:
    if not response:
        return False
    return any((str(r).strip() if isinstance(r, str) else r is not None) for r in response)
