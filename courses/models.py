"""Study modules: CourseIndexPage -> CoursePage (a module) -> LessonPage, and each person's progress through them."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from content.blocks import StudyStreamBlock
from courses import reading

# Django URLs mounted under the index page's path (/study/...): a module may not take these slugs.
RESERVED_SLUGS = {"mine", "progress", "lessons", "search"}


class ReaderContextMixin:
    """What a study page shows its reader (their progress, the next lesson, ...) is read by courses.selectors through
    a view function that CoursesConfig.ready() wires in as `reader_context`: the page model sits below the selectors
    that read its rows, so it never imports them."""

    reader_context = None  # function(page, request) -> dict, set at start-up (courses.apps)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        if self.reader_context is not None:
            context.update(self.reader_context(request))
        return context


class CourseIndexPage(ReaderContextMixin, Page):
    """The 学习 tab: every study module, the reader's required ones first."""

    introduction = models.TextField(_("简介"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    search_fields = Page.search_fields + [index.SearchField("introduction")]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count = 1
    template = "courses/course_index_page.html"

    class Meta:
        verbose_name = _("学习首页")


class CoursePageForm(WagtailAdminPageForm):
    required_roles = forms.MultipleChoiceField(
        label=_("必修角色"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[("staff", _("职工")), ("officer", _("单位安全员")), ("admin", _("区卫健局管理员"))],
    )

    def clean_slug(self):
        slug = self.cleaned_data.get("slug")
        if slug in RESERVED_SLUGS:
            raise ValidationError(_("该地址已被系统占用，请换一个。"))
        return slug


class CoursePage(ReaderContextMixin, Page):
    """A study module: a statute studied chapter by chapter, a standard, a science topic or a job's safety rules."""

    class Kind(models.TextChoices):
        LAW = "law", _("法律法规")
        STANDARD = "standard", _("标准规范")
        SCIENCE = "science", _("应急科普")
        POST = "post", _("岗位安全")

    class Required(models.TextChoices):
        OPTIONAL = "optional", _("选学")
        ALL = "all", _("全体职工必学")
        CHOSEN = "chosen", _("指定单位或角色必学")

    summary = models.TextField(_("简介"), max_length=500, blank=True)
    cover = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("封面"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices, default=Kind.LAW)
    estimated_minutes = models.PositiveSmallIntegerField(_("预计学习时长（分钟）"), default=20)
    min_reading_seconds = models.PositiveIntegerField(
        _("每课最短学习时间（秒）"), default=60, help_text=_("达到该时间后“学完了”按钮才可点击")
    )
    required = models.CharField(_("必修范围"), max_length=10, choices=Required.choices, default=Required.OPTIONAL)
    required_institutions = ParentalManyToManyField(
        "org.Institution", verbose_name=_("必修单位"), blank=True, related_name="+"
    )
    required_roles = models.JSONField(_("必修角色"), default=list, blank=True)
    law_title = models.CharField(
        _("法规全称"), max_length=100, blank=True, db_index=True, help_text=_("由法规导入填写，用于再次导入时更新")
    )
    law_version = models.CharField(_("法规版本"), max_length=40, blank=True)
    article_index = models.JSONField(_("条号索引"), default=dict, blank=True, editable=False)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("cover"),
        FieldPanel("kind"),
        MultiFieldPanel([FieldPanel("estimated_minutes"), FieldPanel("min_reading_seconds")], heading=_("学习时间")),
        MultiFieldPanel(
            [FieldPanel("required"), FieldPanel("required_institutions"), FieldPanel("required_roles")],
            heading=_("必修设置"),
        ),
        MultiFieldPanel([FieldPanel("law_title"), FieldPanel("law_version")], heading=_("法规"), classname="collapsed"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("law_title"),
        index.FilterField("kind"),
    ]
    base_form_class = CoursePageForm
    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types = ["courses.LessonPage"]
    template = "courses/course_page.html"

    class Meta:
        verbose_name = _("学习模块")

    def lessons(self):
        return LessonPage.objects.child_of(self).live().specific(defer=True).order_by("path")

    def is_required_for(self, user) -> bool:
        if self.required == self.Required.ALL:
            return True
        if self.required != self.Required.CHOSEN or not getattr(user, "is_authenticated", False):
            return False
        if user.role in (self.required_roles or []):
            return True
        # .all() so that a prefetch_related('required_institutions') by the caller is used (reports loop over users)
        return bool(user.institution_id) and any(i.pk == user.institution_id for i in self.required_institutions.all())

    def article_url(self, number: int) -> str | None:
        """URL of article `number` of an imported statute: .../chapter-2/#article-21."""
        slug = (self.article_index or {}).get(str(number))
        if not slug:
            return None
        lesson = LessonPage.objects.child_of(self).live().filter(slug=slug).first()
        return f"{lesson.url}#article-{number}" if lesson else None


class LessonPage(ReaderContextMixin, Page):
    """One lesson of a module (for an imported statute: one chapter, one law-article block per article)."""

    summary = models.TextField(_("本课要点"), max_length=300, blank=True)
    body = StreamField(StudyStreamBlock(), verbose_name=_("正文"), blank=True)
    chapter = models.PositiveSmallIntegerField(_("章序号"), null=True, blank=True, editable=False)
    text_characters = models.PositiveIntegerField(_("正文字数"), default=0, editable=False)

    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = []
    template = "courses/lesson_page.html"

    class Meta:
        verbose_name = _("课时")

    @property
    def course(self) -> "CoursePage":
        return self.get_parent().specific

    @property
    def course_title(self) -> str:
        """Shown beside the lesson in search results."""
        return self.get_parent().title

    def end_seconds(self, course: "CoursePage") -> int:
        """Reading time after which a reader who has reached the end of this lesson may mark it complete
        (courses.reading.end_seconds: its text at a brisk pace, capped by the module's minimum)."""
        characters = self.text_characters or self.count_text_characters()
        return reading.end_seconds(characters=characters, min_reading_seconds=course.min_reading_seconds)

    def count_text_characters(self) -> int:
        return reading.text_characters([self.summary, list(self.body.raw_data)])

    def save(self, *args, **kwargs):
        # Counted when the content is saved (publishing saves the live content here), not on every heartbeat: a long
        # statute chapter takes half a millisecond to count.
        self.text_characters = self.count_text_characters()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"body", "summary"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "text_characters"}
        return super().save(*args, **kwargs)


class LessonProgress(models.Model):
    """One person's progress in one lesson: when first opened, active reading time, when completed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="lesson_progress"
    )
    lesson = models.ForeignKey(LessonPage, verbose_name=_("课时"), on_delete=models.CASCADE, related_name="progress")
    course = models.ForeignKey(CoursePage, verbose_name=_("模块"), on_delete=models.CASCADE, related_name="+")
    first_opened_at = models.DateTimeField(_("首次打开"))
    last_seen_at = models.DateTimeField(_("最近学习"))
    active_seconds = models.PositiveIntegerField(_("有效学习时长（秒）"), default=0)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("课时学习进度")
        verbose_name_plural = _("课时学习进度")
        constraints = [models.UniqueConstraint(fields=["user", "lesson"], name="courses_progress_one_per_lesson")]
        indexes = [models.Index(fields=["course", "user"]), models.Index(fields=["user", "-last_seen_at"])]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.lesson_id}: {self.active_seconds}s"

    @property
    def is_completed(self) -> bool:
        return self.completed_at is not None


class LessonHeartbeat(models.Model):
    """One heartbeat interval credited (or refused) for a page view. (progress, session, seq) is unique, so a
    retried or duplicated heartbeat is recognised and never counted twice."""

    progress = models.ForeignKey(LessonProgress, on_delete=models.CASCADE, related_name="heartbeats")
    session = models.CharField(_("页面会话"), max_length=64)
    seq = models.PositiveIntegerField(_("序号"))
    credited_seconds = models.PositiveSmallIntegerField(_("计入秒数"), default=0)
    received_at = models.DateTimeField(_("接收时间"))

    class Meta:
        verbose_name = _("学习心跳")
        constraints = [
            models.UniqueConstraint(fields=["progress", "session", "seq"], name="courses_heartbeat_once"),
        ]

    def __str__(self) -> str:
        return f"{self.session}#{self.seq}: {self.credited_seconds}s"


class CourseCompletion(models.Model):
    """The module badge: written once, when the last lesson of a module is completed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="course_completions"
    )
    course = models.ForeignKey(CoursePage, verbose_name=_("模块"), on_delete=models.CASCADE, related_name="completions")
    completed_at = models.DateTimeField(_("完成时间"))

    class Meta:
        verbose_name = _("模块完成徽章")
        verbose_name_plural = _("模块完成徽章")
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="courses_completion_once")]

    def __str__(self) -> str:
        return f"{self.user_id} completed {self.course_id}"
