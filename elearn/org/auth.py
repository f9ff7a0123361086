"""Staff log in with their employee number (工号) or their mobile phone, and a password."""

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from .models import User
from .phones import normalise_mobile


class EmployeeOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        login = (username or kwargs.get("employee_no") or "").strip()
        if not login or password is None:
            return None
        mobile = normalise_mobile(login)
        query = Q(employee_no=login)
        if mobile:
            query |= Q(mobile=mobile)
        candidates = list(User.objects.filter(query)[:2])
        if len(candidates) != 1:
            User().set_password(password)  # same work on a miss, so timing tells nothing
            return None
        user = candidates[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
