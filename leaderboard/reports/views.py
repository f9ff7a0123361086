"""Wagtail admin pages for campaign reports: the dashboard, follow-up lists, item analysis per exam, exports.

Thin: leaderboard.reports.selectors reads (scoped by elearn.org.permissions), leaderboard.reports.charts draws,
leaderboard.reports.services queues exports. A safety officer sees only their own institution on every page.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elearn.org.disclosure import disclose
from elearn.org.permissions import is_manager
from leaderboard.reports import charts, selectors
from leaderboard.reports import services as report_services
from leaderboard.reports.export import SHEETS, note_export_download, note_export_request
from leaderboard.reports.models import ReportExport
from quizzes.results import selectors as result_selectors

SERIES_CSS = {"required_share": "s-study", "sat_share": "s-exam", "pass_rate": "s-pass", "competition_share": "s-game"}


def _require_manager(request) -> None:
    if not is_manager(request.user):
        raise PermissionDenied


def _filters_or_error(request, params):
    """(filters, None) or (empty filters, error message); PermissionDenied propagates (403)."""
    try:
        return selectors.parse_filters(request.user, params), None
    except selectors.ReportFilterError as exc:
        return selectors.ReportFilters(), exc.message


def _common(request, filters) -> dict:
    return {
        "filters": filters,
        "params": filters.as_params(),
        "institution_choices": selectors.report_institutions(request.user),
        "exams": result_selectors.report_exams(request.user)[:50],
        "export_sheets": list(SHEETS.items()),
    }


def dashboard_charts(data: dict) -> dict:
    insts = data["institutions"]
    labels = [r["short_name"] or r["institution"] for r in insts]
    bars = charts.grouped_bars(
        labels,
        [
            ("必修完成率", [r["required_share"] for r in insts], SERIES_CSS["required_share"]),
            ("参考率", [r["sat_share"] for r in insts], SERIES_CSS["sat_share"]),
            ("合格率", [r["pass_rate"] for r in insts], SERIES_CSS["pass_rate"]),
            ("竞赛参与率", [r["competition_share"] for r in insts], SERIES_CSS["competition_share"]),
        ],
        width=820,
        height=250,
        max_value=100,
        unit="%",
        label_space=48,
    )
    histogram = charts.grouped_bars(
        [b["label"] for b in data["histogram"]],
        [("人数", [b["count"] for b in data["histogram"]], "s-exam")],
        width=400,
        height=210,
        label_space=30,
    )
    days = data["daily"]
    line = charts.line_chart(
        [d["day"].strftime("%m-%d") for d in days],
        [
            (selectors.ACTIVITY_LABELS[k], [d[k] for d in days], css)
            for k, css in (("study", "s-study"), ("exam", "s-exam"), ("competition", "s-game"))
        ],
        width=400,
        height=210,
    )
    return {"bars": bars, "histogram_chart": histogram, "line": line}


def dashboard(request):
    _require_manager(request)
    filters, error = _filters_or_error(request, request.GET)
    data = selectors.dashboard(request.user, filters)
    context = {**_common(request, filters), **data, **dashboard_charts(data), "error": error}
    return render(request, "leaderboard/admin/dashboard.html", context, status=400 if error else 200)


def followup(request):
    _require_manager(request)
    filters, error = _filters_or_error(request, request.GET)
    lists = selectors.followup(request.user, filters)
    context = {**_common(request, filters), **lists, "error": error}
    disclose(
        request,
        what=_("跟进名单：%(exam)s") % {"exam": lists["exam"].title} if lists["exam"] is not None else _("跟进名单"),
        count=len({row["user"].pk for row in lists["not_studied"]} | {u.pk for u in lists["not_sat"]}),
        institution=filters.institution_id,
    )
    return render(request, "leaderboard/admin/followup.html", context, status=400 if error else 200)


def items(request, exam_id: int):
    _require_manager(request)
    exam = result_selectors.report_exam(request.user, exam_id)
    if exam is None:
        raise Http404
    filters, error = _filters_or_error(request, {**request.GET.dict(), "exam": str(exam_id)})
    answers = selectors.answer_frame(selectors.analysed_attempts(exam, request.user, filters.institution_id))
    integrity = selectors.integrity(exam, request.user, filters.institution_id, answers=answers)
    context = {
        **_common(request, filters),
        **selectors.item_analysis(exam, request.user, filters.institution_id, answers=answers),
        "integrity": integrity,
        "error": error,
    }
    flagged = selectors.integrity_people(integrity)
    if flagged:
        disclose(
            request,
            what=_("异常作答名单：%(exam)s") % {"exam": exam.title},
            count=flagged,
            institution=filters.institution_id,
        )
    return render(request, "leaderboard/admin/items.html", context, status=400 if error else 200)


@require_POST
def export_create(request):
    _require_manager(request)
    filters, error = _filters_or_error(request, request.POST)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    with_mobile = request.POST.get("mobile") == "1"
    try:
        export = report_services.report_export_request(
            viewer=request.user,
            filters=filters,
            fmt=request.POST.get("format", "xlsx"),
            sheet=request.POST.get("sheet", ""),
            include_mobile=with_mobile,
        )
    except selectors.ReportFilterError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    note_export_request(request, export)
    return redirect("leaderboard_report_export", export_id=export.pk)


def _own_export(request, export_id) -> ReportExport:
    _require_manager(request)
    return get_object_or_404(ReportExport.objects.defer("content"), pk=export_id, requested_by=request.user)


def export_status_payload(export: ReportExport) -> dict:
    return {
        "id": str(export.pk),
        "status": export.status,
        "progress": export.progress,
        "step": export.step,
        "message": export.message,
        "filename": export.filename,
        "size": export.size,
        "download_url": reverse("leaderboard_report_export_download", args=[export.pk])
        if export.status == ReportExport.Status.DONE
        else "",
    }


def export_detail(request, export_id):
    export = _own_export(request, export_id)
    return render(
        request,
        "leaderboard/admin/export.html",
        {"export": export, "state": export_status_payload(export), "export_sheets": list(SHEETS.items())},
    )


def export_status(request, export_id):
    return JsonResponse(
        export_status_payload(_own_export(request, export_id)), json_dumps_params={"ensure_ascii": False}
    )


def export_download(request, export_id):
    _require_manager(request)
    export = get_object_or_404(ReportExport, pk=export_id, requested_by=request.user)
    if export.status != ReportExport.Status.DONE or export.content is None:
        raise Http404
    note_export_download(request, export)
    response = HttpResponse(bytes(export.content), content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    response["Cache-Control"] = "no-store"
    return response
