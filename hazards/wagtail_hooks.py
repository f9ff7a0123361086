"""Wagtail hooks of the hazards app: the handling pages' URLs and the menu entry for officers and the district admin
(the pages themselves: hazards.admin_views). One module: in a flat app wagtail_hooks and admin are sibling layers."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from elearn.org.permissions import is_manager
from hazards import admin_views


@hooks.register("register_admin_urls")
def register_hazard_urls():
    return [
        path("hazards/", admin_views.report_list, name="hazards_admin_list"),
        path("hazards/<int:pk>/", admin_views.report_detail, name="hazards_admin_detail"),
        path("hazards/ledger.xlsx", admin_views.ledger_export, name="hazards_admin_ledger"),
    ]


class ManagerMenuItem(MenuItem):
    def is_shown(self, request):
        return is_manager(request.user)


@hooks.register("register_admin_menu_item")
def register_hazards_menu_item():
    return ManagerMenuItem(_("隐患随手拍"), reverse("hazards_admin_list"), icon_name="warning", order=320)
