"""Wagtail admin: campaign reports (dashboard, follow-up lists, item analysis, exports) for managers."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from elearn.org.permissions import is_manager
from leaderboard.reports import home, views


@hooks.register("register_admin_urls")
def register_report_urls():
    return [
        path("reports/", views.dashboard, name="leaderboard_reports"),
        path("reports/followup/", views.followup, name="leaderboard_report_followup"),
        path("reports/exams/<int:exam_id>/items/", views.items, name="leaderboard_report_items"),
        path("reports/exports/", views.export_create, name="leaderboard_report_export_create"),
        path("reports/exports/<uuid:export_id>/", views.export_detail, name="leaderboard_report_export"),
        path("reports/exports/<uuid:export_id>/status/", views.export_status, name="leaderboard_report_export_status"),
        path(
            "reports/exports/<uuid:export_id>/download/",
            views.export_download,
            name="leaderboard_report_export_download",
        ),
    ]


class ManagerMenuItem(MenuItem):
    def is_shown(self, request):
        return is_manager(request.user)


@hooks.register("register_admin_menu_item")
def register_reports_menu_item():
    return ManagerMenuItem(_("活动报表"), reverse("leaderboard_reports"), icon_name="doc-full", order=310)


hooks.register("construct_homepage_panels", home.campaign_panel)
