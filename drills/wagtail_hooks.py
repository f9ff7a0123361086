"""Wagtail admin of drills and trainings (演练与培训): officers see their institution's, the district admin all.

The hooks live here, not in an admin module: in a flat app, wagtail_hooks and admin are sibling layers that may not
import each other (.importlinter, capability-layers)."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from drills import views
from elearn.org.permissions import is_manager


@hooks.register("register_admin_urls")
def register_drill_urls():
    return [
        path("drills/", views.admin_index, name="drills_admin_index"),
        path("drills/new/", views.admin_create, name="drills_admin_create"),
        path("drills/missing/", views.admin_missing, name="drills_admin_missing"),
        path("drills/<int:pk>/", views.admin_edit, name="drills_admin_edit"),
        path(
            "drills/<int:pk>/photos/<int:photo_id>/delete/", views.admin_photo_delete, name="drills_admin_photo_delete"
        ),
        path("drills/<int:pk>/checkin/", views.admin_checkin, name="drills_admin_checkin"),
        path("drills/<int:pk>/qr/", views.admin_qr, name="drills_admin_qr"),
        path("drills/<int:pk>/qr.svg", views.admin_qr_svg, name="drills_admin_qr_svg"),
        path("drills/<int:pk>/live.json", views.admin_live, name="drills_admin_live"),
        path("drills/<int:pk>/roster/", views.admin_roster, name="drills_admin_roster"),
        path("drills/<int:pk>/attendance.xlsx", views.admin_export, name="drills_admin_export"),
    ]


class ManagerMenuItem(MenuItem):
    def is_shown(self, request):
        return is_manager(request.user)


@hooks.register("register_admin_menu_item")
def register_drills_menu_item():
    return ManagerMenuItem(_("演练与培训"), reverse("drills_admin_index"), icon_name="group", order=320)
