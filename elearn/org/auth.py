"""Staff log in with their employee number (工号) or their mobile phone, and a password.

Every password check goes through this backend (the site's login form, Wagtail's admin login, anything calling
django.contrib.auth.authenticate with a request), so login throttling is enforced here: a login that is locked out
(elearn.org.throttle: this account at this address, this account anywhere, this address) gets no password check at
all. Failures are counted by django-axes from the user_login_failed signal that authenticate() sends.

Every answer costs the same hasher work, so its timing tells nothing about the account: an unknown login hashes
the password with the default hasher, a known one checks it (an imported initial password bridges to the default
hasher's work, elearn.org.hashers), a disabled one is checked before it is refused.
"""

from axes.backends import AxesBackend
from axes.exceptions import AxesBackendPermissionDenied

from elearn.org.models import User
from elearn.org.selectors import find_account


class EmployeeOrPhoneBackend(AxesBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        login = (username or kwargs.get("employee_no") or "").strip()
        if not login or password is None:
            return None
        if request is not None:  # over HTTP (not a shell or a management command)
            try:
                super().authenticate(request, username=login, password=password)  # axes: is this login locked out?
            except AxesBackendPermissionDenied:
                request.axes_locked_out = True  # refused unchecked, so not counted again (elearn.org.throttle)
                raise
        user = find_account(login)
        if user is None:
            User().set_password(password)  # the default hasher's work on a miss, so timing tells nothing
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
