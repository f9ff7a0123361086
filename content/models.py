from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from .blocks import BaseStreamBlock


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
        from .home_sections import home_sections

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
