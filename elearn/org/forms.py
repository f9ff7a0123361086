"""Forms of the org area: login (工号 or mobile), roster upload, setting a new password."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from elearn.org import throttle


class LoginForm(AuthenticationForm):
    """工号或手机号 + 密码, with throttling per account and per address."""

    username = forms.CharField(
        label=_("工号或手机号"),
        max_length=32,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username", "inputmode": "text"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("工号/手机号或密码不正确。"),
        "throttled": _("尝试次数过多，请 %(minutes)d 分钟后再试。"),
    }

    def clean(self):
        """Says why a locked-out login is refused; the backend (elearn.org.auth) counts failures and enforces."""
        username = (self.cleaned_data.get("username") or "").strip()
        wait = throttle.wait_seconds(self.request, username) if username else 0
        if wait:
            raise forms.ValidationError(
                self.error_messages["throttled"], code="throttled", params={"minutes": max(1, wait // 60)}
            )
        return super().clean()


class AdminLoginForm(WagtailLoginForm):
    """Wagtail's admin login form (WAGTAILADMIN_USER_LOGIN_FORM) declares its password field without a label, so
    Django printed the field's name, "Password", in English on the Chinese login page."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("密码")


class UploadForm(forms.Form):
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))


class PasswordSetForm(forms.Form):
    """A new password, given with the current one: an unlocked phone left on a desk is not enough to take the
    account. On the first login of an imported account the current password is the initial one from the password
    sheet. A wrong current password counts as a failed login (elearn.org.throttle)."""

    old_password = forms.CharField(
        label=_("当前密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    new_password1 = forms.CharField(
        label=_("新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    error_messages = {
        "password_incorrect": _("当前密码不正确。"),
        "throttled": LoginForm.error_messages["throttled"],
    }

    def __init__(self, user, *args, request=None, **kwargs):
        self.user = user
        self.request = request
        super().__init__(*args, **kwargs)
        if user.must_change_password:
            self.fields["old_password"].label = _("初始密码")
            self.fields["old_password"].help_text = _("单位下发的初始密码（即刚才登录用的密码）。")

    def clean_old_password(self):
        password = self.cleaned_data["old_password"]
        login = self.user.get_username()
        if wait := throttle.wait_seconds(self.request, login):
            raise forms.ValidationError(
                self.error_messages["throttled"], code="throttled", params={"minutes": max(1, wait // 60)}
            )
        if not self.user.check_password(password):
            if self.request is not None:
                throttle.count_failed_check(self.request, login)
            raise forms.ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return password

    def clean_new_password2(self):
        p1, p2 = self.cleaned_data.get("new_password1"), self.cleaned_data.get("new_password2")
        if p1 and p2 and p1 != p2:
            raise forms.ValidationError(_("两次输入的密码不一致。"))
        password_validation.validate_password(p2, self.user)
        if self.user.check_password(p2):
            raise forms.ValidationError(_("新密码不能与原密码相同。"))
        return p2
