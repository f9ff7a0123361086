"""Phone pages: report a hazard (named or anonymous), my reports, one of my reports, following a report by its
receipt code, the 警示教育 board, and the permission-checked photo view.

The report form follows the outbox contract: a plain multipart POST works without script (redirect with a message,
or the receipt page for an anonymous report); with `Accept: application/json` the answer is JSON. An anonymous
submission touches neither the session nor the messages, and the receipt code travels only in the response body
(or, for the outbox script, in the redirect's #fragment, which a browser never sends to a server).
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods

from elearn.evidence import queued_by_another, serve_evidence
from hazards import selectors, services
from hazards.exceptions import HazardError, UnknownReceipt
from hazards.forms import AnswerForm, ReceiptForm, ReportForm
from hazards.models import HazardPhoto, Stage, State
from hazards.throttle import receipt_blocked, receipt_failed


def wants_json(request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _json_error(message: str, errors: dict | None = None, status: int = 400) -> JsonResponse:
    return JsonResponse({"ok": False, "message": message, "errors": errors or {}}, status=status)


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


@sensitive_post_parameters("description", "location", "place", "client_uuid")  # not in an error report
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def report_new(request):
    if request.method == "POST" and queued_by_another(request):  # the outbox keeps it for its owner's next sign-in
        return JsonResponse({"ok": False, "error": "other_user"}, status=401)
    form = ReportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                done = services.report_create(
                    reporter=request.user,
                    institution=data["institution"],
                    category=data["category"],
                    description=data["description"],
                    location=data["location"],
                    place=data["place"],
                    judgement=data["judgement"],
                    anonymous=data["anonymous"],
                    directed_to_bureau=data["directed_to_bureau"],
                    photos=request.FILES.getlist("photos"),
                    client_uuid=data["client_uuid"],
                )
            except HazardError as exc:
                if "client_uuid" in exc.errors:  # used for other content: a new tap sends this as a new report
                    form.data = form.data.copy()
                    form.data["client_uuid"] = str(uuid.uuid4())
                for field, errs in exc.errors.items():
                    for err in errs:
                        form.add_error(field if field in form.fields else None, err)
                if not exc.errors:
                    form.add_error(None, exc.message)
            else:
                return _submitted(request, done)
        if wants_json(request):
            errors = {k: [str(e) for e in v] for k, v in form.errors.items()}
            return _json_error(_("请检查填写的内容。"), errors)
    return render(request, "hazards/new.html", {"form": form})


def _submitted(request, done: services.Submitted):
    if done.receipt:
        if wants_json(request):
            # The code rides in the fragment: never sent to a server, so in no access log; the page shows it.
            url = reverse("hazards:receipt") + "#" + done.receipt
            return _no_store(
                JsonResponse(
                    {
                        "ok": True,
                        "redirect": url,
                        "message": _("已匿名提交。回执码：%(code)s（只显示这一次，请记下）") % {"code": done.receipt},
                    }
                )
            )
        return _no_store(render(request, "hazards/receipt.html", {"receipt": done.receipt}))
    url = reverse("hazards:detail", args=[done.report.pk])
    message = _("已提交，谢谢你！处理进展会显示在“我的上报”。")
    if wants_json(request):
        return JsonResponse({"ok": True, "redirect": url, "message": message})
    messages.success(request, message)
    return redirect(url)


@require_GET
def receipt(request):
    """Shows the receipt code the outbox script carried in the #fragment (static page: the server never sees it)."""
    return _no_store(render(request, "hazards/receipt.html", {"receipt": ""}))


@login_required
@require_GET
def mine(request):
    reports = selectors.my_reports(request.user).prefetch_related("rewards")
    return render(request, "hazards/mine.html", {"reports": reports})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def detail(request, pk: int):
    report = get_object_or_404(selectors.my_reports(request.user), pk=pk)
    form = AnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["action"] == "photos":
                services.photos_add(photos=request.FILES.getlist("photos"), report_id=report.pk, user=request.user)
                messages.success(request, _("照片已补充。"))
            else:
                services.reporter_answer(text=form.cleaned_data["text"], report_id=report.pk, user=request.user)
                messages.success(request, _("答复已发送。"))
            return redirect("hazards:detail", pk=report.pk)
        except HazardError as exc:
            form.add_error(None, next(iter(sum(exc.errors.values(), []) or [exc.message])))
    return render(request, "hazards/detail.html", _report_context(report) | {"form": form, "named": True})


def _report_context(report) -> dict:
    return {
        "report": report,
        "events": report.events.all(),
        "questions": report.messages.all(),
        "rewards": report.rewards.all(),
        "photo_counts": {s.label: report.photos.filter(stage=s.value).count() for s in Stage},
        "photos": report.photos.all(),
        "open": not report.is_closed,
    }


@sensitive_post_parameters("receipt", "text")  # the code is the only key: never in an error report
@never_cache
@require_http_methods(["GET", "POST"])
def follow(request):
    """Follow an anonymous report by its receipt code: POST only (a code in a URL would land in access logs)."""
    form = ReceiptForm(request.POST or None, request.FILES or None)
    context = {"form": form}
    if request.method == "POST" and form.is_valid():
        if receipt_blocked(request):
            form.add_error("receipt", _("尝试次数过多，请 15 分钟后再试。"))
            return _no_store(render(request, "hazards/follow.html", context, status=429))
        code = form.cleaned_data["receipt"]
        report = selectors.find_by_receipt(code)
        if report is None:
            receipt_failed(request)
            form.add_error("receipt", str(UnknownReceipt.default_message))
        else:
            action = form.cleaned_data["action"]
            try:
                if action == "answer":
                    services.reporter_answer(text=form.cleaned_data["text"], receipt=code)
                    context["done"] = _("答复已发送。")
                elif action == "photos":
                    services.photos_add(photos=request.FILES.getlist("photos"), receipt=code)
                    context["done"] = _("照片已补充。")
            except HazardError as exc:
                context["action_error"] = next(iter(sum(exc.errors.values(), []) or [exc.message]))
            report.refresh_from_db()
            context |= _report_context(report) | {"receipt": code, "named": False}
            context["form"] = ReceiptForm(initial={"receipt": code})
    return _no_store(render(request, "hazards/follow.html", context))


@login_required
@require_GET
def board(request):
    return render(request, "hazards/board.html", {"reports": selectors.board()})


@login_required
@require_GET
def photo(request, pk: int):
    found = get_object_or_404(HazardPhoto.objects.select_related("report"), pk=pk)
    report = found.report
    allowed = report.may_handle(request.user) or (not report.anonymous and report.reporter_id == request.user.pk)
    if not allowed and report.state == State.VERIFIED and report.on_board and not report.directed_to_bureau:
        allowed = found.stage in (Stage.REPORT, Stage.RECTIFIED)  # the board: before and after
    if not allowed:
        raise Http404
    return serve_evidence(found.file, content_type=found.content_type)
