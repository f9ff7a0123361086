"""HTML views of the org area: login, password change, the 我的 page and the officers' roster import. Thin."""

import secrets

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from elearn.org import services
from elearn.org.disclosure import DOWNLOAD, disclose
from elearn.org.exceptions import RosterRejected
from elearn.org.forms import LoginForm, PasswordSetForm, UploadForm
from elearn.org.me_sections import me_sections
from elearn.org.permissions import is_manager, managed_institutions
from elearn.org.roster import TEMPLATE_HEADER, roster_plan
from elearn.spreadsheets import SpreadsheetError, workbook_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UPLOAD_TTL = 30 * 60


class LoginView(auth_views.LoginView):
    template_name = "org/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@login_required
def password_change(request):
    form = PasswordSetForm(request.user, request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        services.user_change_password(user=request.user, password=form.cleaned_data["new_password2"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("密码已修改。"))
        target = request.GET.get("next") or "/"
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = "/"
        return redirect(target)
    return render(request, "org/password_change.html", {"form": form, "forced": request.user.must_change_password})


@login_required
def me(request):
    return render(request, "org/me.html", {"is_manager": is_manager(request.user), "me_sections": me_sections()})


# --- roster import (Wagtail admin) -------------------------------------------------------------


def _require_manager(request):
    if not is_manager(request.user):
        raise PermissionDenied


def roster_import(request):
    """Upload -> preview (nothing written) -> confirm (one transaction) -> one-time password sheet."""
    _require_manager(request)
    context = {"form": UploadForm(), "institutions": managed_institutions(request.user)}
    if request.method == "POST" and request.POST.get("action") == "commit":
        token = request.POST.get("token", "")
        staged = cache.get(f"roster-upload:{request.user.pk}:{token}")
        if not staged:
            messages.error(request, _("预览已过期，请重新上传文件。"))
            return render(request, "org/admin/roster_import.html", context)
        try:
            result = services.roster_import(data=staged["data"], filename=staged["filename"], actor=request.user)
        except RosterRejected as exc:
            return render(request, "org/admin/roster_import.html", {**context, "plan": exc.plan, "token": token})
        except SpreadsheetError as exc:
            messages.error(request, str(exc))
            return render(request, "org/admin/roster_import.html", context)
        cache.delete(f"roster-upload:{request.user.pk}:{token}")
        sheet_token = ""
        if result.passwords:
            sheet_token = secrets.token_urlsafe(16)
            cache.set(f"roster-passwords:{request.user.pk}:{sheet_token}", result.passwords, UPLOAD_TTL)
        return render(
            request, "org/admin/roster_import.html", {**context, "result": result, "sheet_token": sheet_token}
        )
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        context["form"] = form
        if form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            try:
                plan = roster_plan(data=data, filename=upload.name, actor=request.user)
            except SpreadsheetError as exc:
                form.add_error("file", str(exc))
                return render(request, "org/admin/roster_import.html", context)
            token = secrets.token_urlsafe(16)
            cache.set(f"roster-upload:{request.user.pk}:{token}", {"data": data, "filename": upload.name}, UPLOAD_TTL)
            context.update(plan=plan, token=token)
    return render(request, "org/admin/roster_import.html", context)


def roster_passwords(request, token):
    """The initial passwords of a committed import, downloadable once."""
    _require_manager(request)
    key = f"roster-passwords:{request.user.pk}:{token}"
    rows = cache.get(key)
    if rows is None:
        raise Http404(_("密码表只能下载一次，或已过期。"))
    cache.delete(key)
    disclose(request, action=DOWNLOAD, what=_("初始密码表"), count=len(rows))
    body = workbook_bytes([("初始密码", ["姓名", "工号", "单位", "初始密码"], rows)])
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="initial-passwords.xlsx"'
    response["Cache-Control"] = "no-store"
    return response


def roster_template(request):
    _require_manager(request)
    example = [
        ["张三", "A0001", "13800000001", managed_institutions(request.user).first() or "某某卫生院", "护理部", "职工"]
    ]
    body = workbook_bytes([("花名册", TEMPLATE_HEADER, [[str(v) for v in row] for row in example])])
    response = HttpResponse(body, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="roster-template.xlsx"'
    return response
