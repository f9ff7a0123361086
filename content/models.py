"""Pages and settings of the content kernel: the campaign HomePage, StandardPage, the emergency-science library
(MaterialIndexPage, MaterialPage with tags) and the site-wide PlatformSettings."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from content.blocks import BaseStreamBlock, StudyStreamBlock


class HomePage(Page):
    """The campaign's front door: theme, dates, the notice, and the way into study, exams and competitions."""

    theme = models.CharField(_("活动主题"), max_length=100, default="人人讲安全、个个会应急")
    campaign_start = models.DateField(_("活动开始"), null=True, blank=True)
    campaign_end = models.DateField(_("活动结束"), null=True, blank=True)
    consultation_day = models.DateField(_("咨询日"), null=True, blank=True)
    intro = RichTextField(_("导语"), blank=True, features=["bold", "italic", "link"])
    body = StreamField(BaseStreamBlock(), verbose_name=_("正文"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("theme"),
        MultiFieldPanel(
            [FieldPanel("campaign_start"), FieldPanel("campaign_end"), FieldPanel("consultation_day")],
            heading=_("活动日期"),
        ),
        FieldPanel("intro"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["wagtailcore.Page"]
    max_count = 1
    template = "content/home_page.html"

    class Meta:
        verbose_name = _("活动首页")

    def campaign_day(self, today=None):
        """(day number, total days) while the campaign runs, else None."""
        today = today or timezone.localdate()
        if not (self.campaign_start and self.campaign_end) or not (self.campaign_start <= today <= self.campaign_end):
            return None
        return (today - self.campaign_start).days + 1, (self.campaign_end - self.campaign_start).days + 1

    def get_context(self, request, *args, **kwargs):
        from content.home_sections import home_sections

        context = super().get_context(request, *args, **kwargs)
        context["campaign_day"] = self.campaign_day()
        context["home_sections"] = home_sections(request)
        return context


class StandardPage(Page):
    """A plain page: the campaign notice, how-to pages, contacts."""

    introduction = models.TextField(_("简介"), blank=True)
    body = StreamField(BaseStreamBlock(), verbose_name=_("正文"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("introduction"), index.SearchField("body")]
    template = "content/standard_page.html"

    class Meta:
        verbose_name = _("普通页面")


@register_setting(icon="cog")
class PlatformSettings(BaseSiteSetting):
    """Who runs the campaign and whom to call; shown in page footers."""

    organiser = models.CharField(_("主办单位"), max_length=100, default="区卫生健康局")
    hotline = models.CharField(_("咨询电话"), max_length=40, blank=True)

    panels = [FieldPanel("organiser"), FieldPanel("hotline")]

    class Meta:
        verbose_name = _("平台设置")


# --- emergency-science library -------------------------------------------------------------------------------

MATERIAL_TAGS = ["火灾", "燃气", "危化品", "动火作业", "电动车充电", "自救互救", "防汛", "特种设备", "用电安全", "地震"]


class MaterialIndexPage(Page):
    """The emergency-science library (应急科普): lists its materials, filterable by tag (?tag=火灾)."""

    introduction = models.TextField(_("简介"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("introduction")]
    search_fields = Page.search_fields + [index.SearchField("introduction")]
    parent_page_types = ["content.HomePage", "content.StandardPage"]
    subpage_types = ["content.MaterialPage"]
    template = "content/material_index_page.html"

    class Meta:
        verbose_name = _("应急科普库")

    def materials(self, tag: str | None = None):
        pages = (
            MaterialPage.objects.child_of(self).live().public().select_related("cover").order_by("-first_published_at")
        )
        if tag:
            pages = pages.filter(tags__name=tag).distinct()
        return pages

    def tag_names(self) -> list[str]:
        used = MaterialPageTag.objects.filter(content_object__in=self.materials().values("pk"))
        names = set(used.values_list("tag__name", flat=True))
        return [t for t in MATERIAL_TAGS if t in names] + sorted(names - set(MATERIAL_TAGS))

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        tag = request.GET.get("tag", "").strip()[:100] or None
        context.update(current_tag=tag, materials=self.materials(tag), tags=self.tag_names())
        return context


class MaterialPageTag(TaggedItemBase):
    content_object = ParentalKey("content.MaterialPage", on_delete=models.CASCADE, related_name="tagged_items")

    class Meta:
        verbose_name = _("科普标签")


class MaterialPage(Page):
    """One emergency-science material: a video, a reading, a poster/infographic or a drill guide."""

    class Kind(models.TextChoices):
        VIDEO = "video", _("视频")
        READING = "reading", _("图文")
        POSTER = "poster", _("海报/长图")
        DRILL = "drill", _("演练指南")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.READING)
    summary = models.TextField(_("摘要"), max_length=300, blank=True)
    cover = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("封面"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tags = ClusterTaggableManager(through=MaterialPageTag, blank=True, verbose_name=_("标签"))
    body = StreamField(StudyStreamBlock(), verbose_name=_("正文"), blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("kind"),
        FieldPanel("summary"),
        FieldPanel("cover"),
        FieldPanel("tags"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("kind"),
        index.RelatedFields("tags", [index.SearchField("name")]),
    ]
    api_fields = ["kind", "summary", "body"]
    parent_page_types = ["content.MaterialIndexPage"]
    subpage_types = []
    template = "content/material_page.html"

    class Meta:
        verbose_name = _("科普资料")
