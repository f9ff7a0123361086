"""Account middleware: marks a browser as a known device after a login, and sends a person still on an imported
initial password to the password page before anything else."""

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from elearn.api_errors import error_body
from elearn.org.throttle import KNOWN_DEVICE_COOKIE, KNOWN_DEVICE_DAYS, known_device_account, known_device_cookie


class KnownDeviceMiddleware:
    """After a successful login, marks the browser as a known device of the account (elearn.org.throttle): failures
    from elsewhere then never lock the owner out on it. Set once per account and browser, on any response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and known_device_account(request) != user.employee_no:
            response.set_cookie(
                KNOWN_DEVICE_COOKIE,
                known_device_cookie(user.employee_no),
                max_age=KNOWN_DEVICE_DAYS * 86400,
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
        return response


class PasswordChangeRequiredMiddleware:
    """Imported accounts must set their own password before they do anything else."""

    ALLOWED_PREFIXES = ("/static/", "/media/", "/accounts/", "/i18n/", "/ws/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            if not request.path.startswith(self.ALLOWED_PREFIXES):
                if request.path.startswith("/api/"):
                    body = error_body("password_change_required", _("首次登录须先修改密码。"))
                    return JsonResponse(body, status=403)
                return redirect(reverse("org:password_change") + "?next=" + request.get_full_path())
        return self.get_response(request)
