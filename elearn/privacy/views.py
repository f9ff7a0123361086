"""HTML views of the privacy capability: the notice, 我的数据 and its downloads, revealing one mobile number. Thin:
selectors read, services change and record."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elearn.org.models import User
from elearn.org.phones import mask_mobile
from elearn.privacy import selectors, services
from elearn.privacy.exceptions import NotAllowed, NothingToReveal, StaleNotice
from elearn.privacy.models import AccessLog
from elearn.privacy.notice import current_version, notice_sections, retention_lines
from elearn.spreadsheets import workbook_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MY_DATA_PREVIEW_ROWS = 20


def _safe_next(request, default: str = "/") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return default
    return target


@login_required
def notice(request):
    """The notice; POST (with the version shown) acknowledges it and goes on to `next`."""
    version = current_version()
    if request.method == "POST":
        try:
            services.notice_acknowledge(user=request.user, version=request.POST.get("version", ""))
        except StaleNotice as exc:
            messages.warning(request, exc.message)
            return redirect(request.get_full_path())
        return redirect(_safe_next(request))
    acknowledged = services.notice_acknowledged(user=request.user, version=version)
    return render(
        request,
        "privacy/notice.html",
        {
            "version": version,
            "sections": notice_sections(),
            "acknowledged": acknowledged,
            "acknowledgements": request.user.notice_acknowledgements.all()[:5],
            "next": _safe_next(request),
        },
    )


@login_required
def my_data(request):
    """我的 -> 我的数据: everything kept about me (the first rows of each kind) and the downloads."""
    copies = selectors.my_data(request.user)
    sections = [
        {"copy": copy, "rows": copy.rows[:MY_DATA_PREVIEW_ROWS], "more": max(0, len(copy.rows) - MY_DATA_PREVIEW_ROWS)}
        for copy in copies
        if copy.rows
    ]
    empty = [copy.label for copy in copies if not copy.rows]
    return render(
        request,
        "privacy/my_data.html",
        {"sections": sections, "empty": empty, "retention": retention_lines(), "notice_version": current_version()},
    )


def _record_own_download(request, fmt: str) -> None:
    services.access_record(
        actor=request.user,
        action=AccessLog.Action.OWN_DATA,
        what=_("下载本人数据（%(fmt)s）") % {"fmt": fmt.upper()},
        route=f"privacy:my_data_download {request.path}",
        subject=request.user,
    )


@login_required
def my_data_download(request, fmt: str):
    """All of my data, as JSON or as a workbook (one sheet per kind)."""
    if fmt not in ("json", "xlsx"):
        raise PermissionDenied
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "json":
        document = selectors.my_data_document(request.user)
        _record_own_download(request, fmt)
        body = json.dumps(document, ensure_ascii=False, indent=1).encode()
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    else:
        copies = selectors.my_data(request.user)
        sheets = [
            (
                f"{index + 1:02d} {copy.label}"[:31],
                copy.headings or ["（无）"],
                [[_cell(row.get(column)) for column in copy.columns] for row in copy.rows],
            )
            for index, copy in enumerate(copies)
        ]
        _record_own_download(request, fmt)
        response = HttpResponse(workbook_bytes(sheets), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="my-data-{stamp}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


def _cell(value):
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


@require_POST
@login_required
def reveal(request, user_id: int):
    """One tap: the full number of one person the viewer looks after, recorded. JSON to the page's script (it shows
    the number in place), a small page without script."""
    person = get_object_or_404(User, pk=user_id)
    context = request.POST.get("context", "")[:150]
    wants_json = "application/json" in request.headers.get("Accept", "")
    try:
        mobile = services.mobile_reveal(
            actor=request.user, person=person, context=context, route=f"privacy:reveal {request.path}"
        )
    except NotAllowed:
        if wants_json:
            return JsonResponse({"error": "permission_denied", "detail": _("你无权查看此人的手机号。")}, status=403)
        raise PermissionDenied from None
    except NothingToReveal as exc:
        if wants_json:
            return JsonResponse({"error": exc.code, "detail": exc.message}, status=404)
        return render(request, "privacy/reveal.html", {"person": person, "error": exc.message}, status=404)
    if wants_json:
        return JsonResponse({"user": person.pk, "mobile": mobile, "masked": mask_mobile(mobile)})
    return render(request, "privacy/reveal.html", {"person": person, "mobile": mobile, "back": _safe_next(request, "")})
