"""Wagtail admin of the org area: institutions and people (人员) viewsets, the roster import page and its menu item,
and Wagtail's own reports kept to those who see every institution."""

import importlib
from urllib.parse import urlparse

from django.urls import Resolver404, path, resolve, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.auth import user_passes_test
from wagtail.admin.menu import MenuItem
from wagtail.permissions import register_permission_policy
from wagtail.utils.urlpatterns import decorate_urlpatterns

from elearn.org import views
from elearn.org.admin_views import AccountAdminPolicy, InstitutionViewSet, StaffViewSet
from elearn.org.models import User
from elearn.org.permissions import is_manager, sees_every_institution

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


# --- Wagtail's own reports ---------------------------------------------------------------------------------------------
# Site history, locked pages, workflows, aging pages and page types usage (namespace wagtailadmin_reports) know nothing
# of institutions: the site history lists every account's changes and who made them (to anyone holding a permission
# on the user model, as officers do), the others name page owners, lockers and editors. They are for those who see
# every institution (permissions.sees_every_institution): left out of everyone else's menu and refused by URL.
# (The campaign reports under /admin/reports/ are leaderboard.reports', scoped by the same rule as every page.)
WAGTAIL_REPORTS = "wagtailadmin_reports"


@hooks.register("register_admin_urls")
def guard_wagtail_reports():
    """Wrap every view of wagtail.admin.urls.reports in the check. Called once, while Wagtail's admin URL conf is
    built (its reports module is loaded by then); Wagtail then wraps them in its admin-access check, so an anonymous
    request still goes to the login page and a refused officer gets Wagtail's "no permission" (403 to XHR)."""
    reports = importlib.import_module("wagtail.admin.urls.reports")
    if not getattr(reports, "elearn_guarded", False):
        decorate_urlpatterns(reports.urlpatterns, user_passes_test(sees_every_institution))
        reports.elearn_guarded = True
    return []


def is_wagtail_report(url: str) -> bool:
    try:
        return resolve(urlparse(url).path).namespace == WAGTAIL_REPORTS
    except Resolver404:
        return False


@hooks.register("construct_reports_menu")
def hide_wagtail_reports(request, menu_items):
    if not sees_every_institution(request.user):
        menu_items[:] = [item for item in menu_items if not is_wagtail_report(item.url)]


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
