"""Wagtail admin pages for handling hazard reports: the list with filters, one report with its history, photos and
the transition forms, and the 隐患台账 export. Officers see their own institution's reports except those sent straight
to the bureau; the district admin sees every report and alone handles the bureau's and grants rewards."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_GET, require_http_methods

from elearn.org.disclosure import EXPORT, disclose
from elearn.org.permissions import is_manager, managed_institutions
from elearn.spreadsheets import workbook_bytes
from hazards import selectors
from hazards.actions import ACTIONS
from hazards.exceptions import HazardError
from hazards.forms import TransitionForm
from hazards.models import Category, HazardReport, State

LEDGER_HEADER = [
    "编号",
    "上报日期",
    "所在单位",
    "楼栋/科室",
    "具体位置",
    "类别",
    "隐患描述",
    "上报人判断",
    "核实等级",
    "上报人",
    "直报区卫健局",
    "状态",
    "处理人",
    "整改期限",
    "是否逾期",
    "重复于",
    "奖励",
]


def _require_manager(request) -> None:
    if not is_manager(request.user):
        raise PermissionDenied


def _reporter_label(report: HazardReport) -> str:
    if report.anonymous:
        return _("匿名")
    return report.reporter.real_name if report.reporter_id else _("（已注销）")


@require_GET
def report_list(request):
    _require_manager(request)
    reports, chosen = selectors.handling_list(request.user, request.GET)
    reports = list(reports[:500])
    named = sum(1 for r in reports if r.reporter_id)
    if named:
        disclose(request, what=_("隐患报告列表（含上报人）"), count=named)
    return render(
        request,
        "hazards/admin/list.html",
        {
            "reports": reports,
            "chosen": chosen,
            "states": State.choices,
            "categories": Category.choices,
            "institutions": managed_institutions(request.user) if request.user.is_district_admin else [],
            "major_open": list(selectors.major_open(request.user)[:50]),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
def report_detail(request, pk: int):
    _require_manager(request)
    report = (
        HazardReport.objects.handled_by(request.user)
        .select_related("institution", "handler", "reporter")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    form = TransitionForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                ACTIONS[form.cleaned_data["action"]](request.user, report.pk, form.cleaned_data, request.FILES)
            except HazardError as exc:
                errors = sum(exc.errors.values(), []) or [exc.message]
                messages.error(request, pgettext("分隔", "；").join(str(e) for e in errors))
            else:
                messages.success(request, _("已保存。"))
            return redirect("hazards_admin_detail", pk=report.pk)
        messages.error(request, _("请检查填写的内容。"))
    if report.reporter_id:
        disclose(request, what=_("隐患报告（含上报人）"), subject=report.reporter_id, institution=report.institution_id)
    return render(
        request,
        "hazards/admin/detail.html",
        {
            "report": report,
            "reporter": _reporter_label(report),
            "events": report.events.select_related("actor"),
            "questions": report.messages.all(),
            "photos": report.photos.all(),
            "rewards": report.rewards.all(),
            "form": form,
            "default_deadline": form.default_deadline(),
            "may_reward": request.user.is_district_admin and report.state == State.VERIFIED,
            "duplicate_candidates": duplicate_candidates(request.user, report),
        },
    )


def duplicate_candidates(user, report: HazardReport) -> list[HazardReport]:
    """The reports this one may be marked a duplicate of (the service's rule): ids are random 16-digit numbers, so the
    handler picks from a list rather than typing one."""
    if report.state not in (State.PENDING, State.ACCEPTED):
        return []
    found = (
        HazardReport.objects.handled_by(user)
        .filter(institution_id=report.institution_id)
        .exclude(pk=report.pk)
        .exclude(state=State.DUPLICATE)
    )
    if not report.directed_to_bureau:
        found = found.filter(directed_to_bureau=False)
    return list(found.order_by("-created_at")[:50])


@require_GET
def ledger_export(request):
    _require_manager(request)
    today = timezone.localdate()
    rows = []
    reports = list(selectors.ledger_rows(request.user))
    for r in reports:
        rewards = "；".join(f"{w.amount or ''}{'元 ' if w.amount else ''}{w.kind}".strip() for w in r.rewards.all())
        rows.append(
            [
                str(r.pk),
                timezone.localtime(r.created_at).date().isoformat(),
                r.institution.name,
                r.location,
                r.place,
                r.get_category_display(),
                r.description,
                r.get_judgement_display(),
                r.get_severity_display(),
                _reporter_label(r),
                r.directed_to_bureau,
                r.get_state_display(),
                r.handler.real_name if r.handler_id else "",
                r.deadline.isoformat() if r.deadline else "",
                r.is_overdue(today),
                str(r.duplicate_of_id or ""),
                rewards,
            ]
        )
    data = workbook_bytes([("隐患台账", LEDGER_HEADER, rows)])
    disclose(request, what=_("隐患台账导出"), action=EXPORT, count=sum(1 for r in reports if r.reporter_id))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename=hazard-ledger-{today.isoformat()}.xlsx"
    response["Cache-Control"] = "private, no-store"
    return response
