"""Wagtail admin of the privacy capability (its hooks module, which Wagtail loads): the access log (filters, export;
read-only: there is no screen that changes or deletes an entry), departures (离职: mark, undo) and what retention would remove now.

Thin: selectors read, services change and record; elearn.org.permissions decides who sees what."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from rest_framework.exceptions import PermissionDenied as ApiPermissionDenied
from rest_framework.exceptions import ValidationError
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from elearn.org.disclosure import EXPORT, disclose
from elearn.org.permissions import is_manager, managed_institutions, managed_users, sees_every_institution
from elearn.privacy import selectors, services
from elearn.privacy.api import log_filters
from elearn.privacy.exceptions import DepartureRefused, NotAllowed
from elearn.privacy.models import AccessLog, RetentionSettings
from elearn.privacy.notice import retention_lines
from elearn.spreadsheets import csv_bytes, workbook_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 100


def _require_manager(request) -> None:
    if not is_manager(request.user):
        raise PermissionDenied


def _filters(request):
    """(filters, error message) from the query string; PermissionDenied for an institution not the viewer's."""
    try:
        return log_filters(request.user, request.GET), ""
    except ApiPermissionDenied:
        raise PermissionDenied from None
    except ValidationError as exc:
        field, reasons = next(iter(exc.detail.items()))
        return selectors.LogFilters(), f"{field}：{reasons[0] if isinstance(reasons, list) else reasons}"


def access_log(request):
    _require_manager(request)
    filters, error = _filters(request)
    entries = selectors.filter_log(selectors.access_log_for(request.user), filters)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    disclose(
        request,
        what=_("访问记录"),
        count=page.paginator.count,
        institution=filters.institution_id or (None if request.user.is_district_admin else request.user.institution_id),
        detail={k: v for k, v in request.GET.items() if k != "page"},
    )
    return render(
        request,
        "privacy/admin/access_log.html",
        {
            "page_obj": page,
            "entries": page.object_list,
            "filters": filters,
            "error": error,
            "actions": AccessLog.Action.choices,
            "institutions": managed_institutions(request.user).order_by("kind", "name"),
            "query": query.urlencode(),
        },
        status=400 if error else 200,
    )


def access_log_export(request, fmt: str):
    _require_manager(request)
    if fmt not in ("xlsx", "csv"):
        raise Http404
    filters, error = _filters(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    entries = selectors.filter_log(selectors.access_log_for(request.user), filters)
    count = entries.count()
    rows = selectors.log_rows(entries)
    body = (
        csv_bytes(selectors.LOG_HEADER, rows)
        if fmt == "csv"
        else workbook_bytes([("访问记录", selectors.LOG_HEADER, rows)])
    )
    disclose(
        request,
        action=EXPORT,
        what=_("导出访问记录（%(fmt)s）") % {"fmt": fmt.upper()},
        count=count,
        institution=filters.institution_id or (None if request.user.is_district_admin else request.user.institution_id),
        detail={k: v for k, v in request.GET.items()},
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(body, content_type=XLSX if fmt == "xlsx" else "text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="access-log-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


def departures(request):
    """People who left (离职) among those I look after, and marking one more: find by 工号 or name, give the date."""
    _require_manager(request)
    query = request.GET.get("q", "").strip()[:50]
    if request.method == "POST":
        person = get_object_or_404(managed_users(request.user), pk=request.POST.get("user") or 0)
        raw_date = request.POST.get("left_on", "").strip()
        try:
            left_on = dt.date.fromisoformat(raw_date)
        except ValueError:
            messages.error(request, _("离职日期须为日期（YYYY-MM-DD），收到“%(v)s”。") % {"v": raw_date[:20]})
            return redirect(f"{reverse('privacy_departures')}?q={query}")
        try:
            services.person_mark_left(
                actor=request.user, person=person, left_on=left_on, route=f"privacy_departures {request.path}"
            )
        except NotAllowed:
            raise PermissionDenied from None
        except DepartureRefused as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已登记离职，账号已停用。"))
        return redirect("privacy_departures")
    candidates = list(selectors.departure_candidates(request.user, query))
    listed = selectors.departures_for(request.user)
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    retention = RetentionSettings.current()
    if candidates:
        disclose(request, what=_("人员离职：查找人员"), count=len(candidates), detail={"q": query})
    if page.object_list:
        disclose(request, what=_("离职人员名单"), count=page.paginator.count)
    return render(
        request,
        "privacy/admin/departures.html",
        {
            "query": query,
            "candidates": candidates,
            "page_obj": page,
            "departures": [(d, d.anonymise_on(retention.left_days)) for d in page.object_list],
            "today": timezone.localdate().isoformat(),
            "left_days": retention.left_days,
        },
    )


@require_POST
def departure_undo(request, user_id: int):
    _require_manager(request)
    person = get_object_or_404(managed_users(request.user), pk=user_id)
    try:
        services.person_return(actor=request.user, person=person, route=f"privacy_departure_undo {request.path}")
    except NotAllowed:
        raise PermissionDenied from None
    except DepartureRefused as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已撤销离职，账号已恢复。"))
    return redirect("privacy_departures")


def retention(request):
    """What retention would remove if it ran now (the dry run), and the periods: the district admin only."""
    if not sees_every_institution(request.user):
        raise PermissionDenied
    plan = selectors.retention_plan()
    return render(
        request,
        "privacy/admin/retention.html",
        {
            "plan": plan,
            "expiries": [(e, e.count) for e in plan.expiries],
            "retention": retention_lines(),
            "settings_url": reverse("wagtailsettings:edit", args=["privacy", "retentionsettings"]),
        },
    )


@hooks.register("register_admin_urls")
def register_privacy_urls():
    return [
        path("privacy/access-log/", access_log, name="privacy_access_log"),
        path("privacy/access-log/export.<str:fmt>", access_log_export, name="privacy_access_log_export"),
        path("privacy/departures/", departures, name="privacy_departures"),
        path("privacy/departures/<int:user_id>/undo/", departure_undo, name="privacy_departure_undo"),
        path("privacy/retention/", retention, name="privacy_retention"),
    ]


class ManagerMenuItem(MenuItem):
    def is_shown(self, request):
        return is_manager(request.user)


class AdminMenuItem(MenuItem):
    def is_shown(self, request):
        return sees_every_institution(request.user)


@hooks.register("register_admin_menu_item")
def register_access_log_menu_item():
    return ManagerMenuItem(gettext_lazy("访问记录"), reverse("privacy_access_log"), icon_name="view", order=340)


@hooks.register("register_admin_menu_item")
def register_departures_menu_item():
    return ManagerMenuItem(gettext_lazy("人员离职"), reverse("privacy_departures"), icon_name="user", order=230)


@hooks.register("register_admin_menu_item")
def register_retention_menu_item():
    return AdminMenuItem(gettext_lazy("保存期限与清理"), reverse("privacy_retention"), icon_name="lock", order=350)


@hooks.register("insert_global_admin_js")
def reveal_js():
    from django.templatetags.static import static
    from django.utils.html import format_html

    return format_html('<script src="{}" defer></script>', static("privacy/reveal.js"))
