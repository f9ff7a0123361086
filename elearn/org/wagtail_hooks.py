"""Wagtail admin of the org area: institutions and people (人员) viewsets, the roster import page and its menu item."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy

from elearn.org import views
from elearn.org.admin_views import AccountAdminPolicy, InstitutionViewSet, StaffViewSet
from elearn.org.models import User
from elearn.org.permissions import is_manager

# Wagtail's own account admin (/admin/users/): district admins only (wagtail.users registered the plain model policy).
register_permission_policy(User, AccountAdminPolicy(User))


@hooks.register("register_admin_viewset")
def register_org_viewsets():
    return [InstitutionViewSet("institutions"), StaffViewSet("staff")]


@hooks.register("register_admin_urls")
def register_roster_urls():
    return [
        path("roster/import/", views.roster_import, name="org_roster_import"),
        path("roster/template/", views.roster_template, name="org_roster_template"),
        path("roster/passwords/<str:token>/", views.roster_passwords, name="org_roster_passwords"),
    ]


class ManagerMenuItem(MenuItem):
    def is_shown(self, request):
        return is_manager(request.user)


@hooks.register("register_admin_menu_item")
def register_roster_menu_item():
    return ManagerMenuItem(_("导入花名册"), reverse("org_roster_import"), icon_name="upload", order=220)


@hooks.register("insert_global_admin_js")
def autosubmit_js():
    from django.templatetags.static import static
    from django.utils.html import format_html

    return format_html('<script src="{}" defer></script>', static("elearn/autosubmit.js"))
