"""Sends a person still on an imported initial password to the password page before anything else."""

from django.shortcuts import redirect
from django.urls import reverse


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
                    from django.http import JsonResponse

                    return JsonResponse(
                        {"detail": "首次登录须先修改密码。", "code": "password_change_required"}, status=403
                    )
                return redirect(reverse("org:password_change") + "?next=" + request.get_full_path())
        return self.get_response(request)
