"""Privacy middleware: the notice every account acknowledges before anything else (like the forced password change
in elearn.org.middleware), and the access log written for every response that showed other people's data."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from elearn.api_errors import error_body
from elearn.org.disclosure import disclose, disclosures
from elearn.privacy.notice import current_version
from elearn.privacy.services import disclosures_record, notice_acknowledged

SESSION_KEY = "privacy_notice_version"


class NoticeRequiredMiddleware:
    """An account that has not acknowledged the current notice (first login, or the notice changed since) sees the
    notice before any page; the API answers 403 notice_required. Place after the password middleware: an account
    on its initial password changes it first."""

    ALLOWED_PREFIXES = (
        "/static/",
        "/media/",
        "/accounts/",
        "/i18n/",
        "/ws/",
        "/privacy/notice/",
        "/api/v1/privacy/notice/",
        "/admin/login/",
        "/admin/logout/",
        "/favicon.ico",
        "/api/schema/",  # the API's description is nobody's data, and tells a client how to acknowledge
        "/api/docs/",
        "/api/redoc/",
    )
    ALLOWED_PATHS = ("/api/",)

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if getattr(settings, "ELEARN_PRIVACY_NOTICE_REQUIRED", True) and self.blocked(request):
            if request.path.startswith("/api/"):
                body = error_body(
                    "notice_required", _("请先阅读并确认个人信息处理告知（GET /api/v1/privacy/notice/）。")
                )
                return JsonResponse(body, status=403)
            return redirect(reverse("privacy:notice") + "?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)

    def blocked(self, request) -> bool:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        if request.path.startswith(self.ALLOWED_PREFIXES) or request.path in self.ALLOWED_PATHS:
            return False
        version = current_version()
        session = getattr(request, "session", None)
        if session is not None and session.get(SESSION_KEY) == version:
            return False
        if notice_acknowledged(user=user, version=version):
            if session is not None:
                session[SESSION_KEY] = version
            return False
        return True


# Screens this project does not write (Wagtail's own account admin) or that show people only to the district admin
# through a generic viewset: a successful GET of any route in these URL namespaces or names is noted here, with the
# person when the route names an account. Every other entry point notes what it shows itself (elearn.org.disclosure).
ROUTE_DISCLOSURES = {
    "wagtailusers_users": _lazy("账号管理（管理后台）"),
    "certificates": _lazy("合格证书登记（管理后台）"),
    "quizzes_bank_usage": _lazy("题目使用情况（含考生）"),
    "bank-question-usage": _lazy("题目使用情况（含考生，接口）"),
}
ACCOUNT_ROUTES = {"wagtailusers_users"}


def route_disclosure(request, response) -> None:
    match = getattr(request, "resolver_match", None)
    if match is None or request.method != "GET" or response.status_code != 200:
        return
    key = match.namespace if match.namespace in ROUTE_DISCLOSURES else match.url_name
    what = ROUTE_DISCLOSURES.get(key)
    if what is None and match.url_name in ("usage", "usage_results"):
        what = _lazy("引用情况（管理后台，可能列出人员）")  # a Wagtail "usage" page lists what refers to the object
    if what is None:
        return
    pk = match.kwargs.get("pk")
    subject = int(pk) if key in ACCOUNT_ROUTES and str(pk or "").isdigit() else None
    disclose(request, what=str(what), subject=subject)


class AccessLogMiddleware:
    """Once a response that showed other people's data has succeeded (below 400: an export's request answers with a
    redirect), records each note its entry point left (elearn.org.disclosure), or the note for its route
    (ROUTE_DISCLOSURES), in the access log. If the log cannot be written the response is not sent: the error
    propagates (a 500, or 503 when the database is unavailable)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not disclosures(request):
            route_disclosure(request, response)
        notes = disclosures(request)
        if notes and response.status_code < 400:
            match = getattr(request, "resolver_match", None)
            route = match.view_name if match and match.view_name else request.path
            disclosures_record(actor=getattr(request, "user", None), route=f"{route} {request.path}"[:200], notes=notes)
        return response
