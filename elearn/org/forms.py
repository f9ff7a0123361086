"""Forms of the org area: login (工号 or mobile), roster upload, setting a new password."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from elearn.org.auth import client_address
from elearn.org.throttle import login_allowed


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
        wait = login_allowed(username, client_address(self.request))
        if wait:
            raise forms.ValidationError(
                self.error_messages["throttled"], code="throttled", params={"minutes": max(1, wait // 60)}
            )
        return super().clean()


class UploadForm(forms.Form):
    file = forms.FileField(label=_("文件（.xlsx 或 .csv）"))


class PasswordSetForm(forms.Form):
    new_password1 = forms.CharField(
        label=_("新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("再次输入新密码"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_new_password2(self):
        p1, p2 = self.cleaned_data.get("new_password1"), self.cleaned_data.get("new_password2")
        if p1 and p2 and p1 != p2:
            raise forms.ValidationError(_("两次输入的密码不一致。"))
        password_validation.validate_password(p2, self.user)
        if self.user.check_password(p2):
            raise forms.ValidationError(_("新密码不能与原密码相同。"))
        return p2
