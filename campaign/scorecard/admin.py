"""Wagtail admin of the scorecard (单位考核): its pages and the menu item (the district admin lands on the district
table, a safety officer on their own institution's page)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from campaign.scorecard import views
from elearn.org.permissions import is_manager


@hooks.register("register_admin_urls")
def register_scorecard_urls():
    return [
        path("scorecard/", views.district, name="campaign_scorecard"),
        path("scorecard/export.xlsx", views.district_export, name="campaign_scorecard_export"),
        path("scorecard/<int:institution_id>/", views.institution, name="campaign_scorecard_institution"),
        path("scorecard/<int:institution_id>/summary.pdf", views.institution_pdf, name="campaign_scorecard_pdf"),
    ]


class ManagerMenuItem(MenuItem):
    def is_shown(self, request):
        return is_manager(request.user)


@hooks.register("register_admin_menu_item")
def register_scorecard_menu_item():
    return ManagerMenuItem(_("单位考核"), reverse("campaign_scorecard"), icon_name="clipboard-list", order=315)
