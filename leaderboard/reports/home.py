"""The admin home page (Wagtail's dashboard) for safety officers and the district admin: the campaign at a glance
(their institution's or the district's study completion and exam participation, counts only) and the screens they
come for. Wagtail's own dashboard had nothing for them (no pages to edit, no workflows): a blank page under a search
box. Registered with `construct_homepage_panels` in leaderboard.reports.admin."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from elearn.org.permissions import is_manager
from leaderboard.reports import selectors


class CampaignPanel(Component):
    name = "campaign"
    order = 50  # above Wagtail's own panels (recent edits, locked pages: 100-300)
    template_name = "leaderboard/admin/home_panel.html"

    class Media:
        css = {"all": ["leaderboard/home_panel.css"]}

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        glance = selectors.glance(self.user)
        exam = glance.exam
        links = [
            (_("活动报表"), reverse("leaderboard_reports"), "doc-full"),
            (_("跟进名单"), reverse("leaderboard_report_followup"), "list-ul"),
            (_("学习进度"), reverse("courses:progress"), "tasks"),
            (_("考试成绩"), reverse("quizzes_results"), "table"),
            (_("主持竞赛（大屏）"), reverse("quizzes:host_index"), "media"),
        ]
        if self.user.is_district_admin:
            links.insert(3, (_("在线考试"), reverse("exams:index"), "calendar"))
        return {
            "glance": glance,
            "exam_url": reverse("quizzes_results_exam", args=[exam.pk]) if exam is not None else None,
            "links": links,
        }


def campaign_panel(request, panels) -> None:
    """construct_homepage_panels: the campaign panel first, for the people who run the campaign."""
    if is_manager(request.user):
        panels.append(CampaignPanel(request.user))
