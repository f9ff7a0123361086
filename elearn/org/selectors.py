"""Reads across accounts that several entry points share: finding the one account a login names."""

from django.db.models import Q

from elearn.org.models import User
from elearn.org.phones import normalise_mobile


def find_account(login: str) -> User | None:
    """The one account whose 工号 is `login`, or whose mobile is `login` however it is spelled; None if none or two."""
    login = login.strip()
    if not login:
        return None
    mobile = normalise_mobile(login)
    query = Q(employee_no=login)
    if mobile:
        query |= Q(mobile=mobile)
    candidates = list(User.objects.filter(query)[:2])
    return candidates[0] if len(candidates) == 1 else None


def demo_logins() -> list[User]:
    """One active demo account (seed_demo's, `is_demo`) of each role, district admin first; empty on a real install."""
    demo = User.objects.filter(is_demo=True, is_active=True).order_by("employee_no")
    found = (demo.filter(role=role).first() for role in (User.Role.ADMIN, User.Role.OFFICER, User.Role.STAFF))
    return [user for user in found if user is not None]
