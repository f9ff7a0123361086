"""Staff log in with their employee number (工号) or their mobile phone, and a password.

Every password check goes through this backend (the site's login form, Wagtail's admin login, anything calling
django.contrib.auth.authenticate with a request), so login throttling is enforced here: a locked-out account or
address gets no password check at all, and every failure is counted (elearn.org.throttle).
"""

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied

from elearn.org import throttle
from elearn.org.models import User
from elearn.org.selectors import find_account


def client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


class EmployeeOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        login = (username or kwargs.get("employee_no") or "").strip()
        if not login or password is None:
            return None
        counted = request is not None  # a login over HTTP (not a shell or a management command)
        if counted and throttle.login_allowed(login, client_address(request)):
            raise PermissionDenied  # locked out: no password is checked, and no other backend is asked
        user = find_account(login)
        if user is None:
            User().set_password(password)  # same work on a miss, so timing tells nothing
        elif user.check_password(password) and self.user_can_authenticate(user):
            if counted:
                throttle.login_succeeded(login)
            return user
        if counted:
            throttle.login_failed(login, client_address(request))
        return None
