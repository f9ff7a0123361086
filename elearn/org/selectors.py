"""Reads across accounts that several entry points share: finding the one account a login names."""

from django.db.models import Q

from elearn.org.models import Institution, User
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
    """The demo accounts to show (seed_demo's, `is_demo`), district admin first, then a safety officer and a member of
    staff of the same hospital (the first hospital that has both), so that the login pages and seed_demo's output name
    the same people; empty on a real install."""
    demo = User.objects.filter(is_demo=True, is_active=True).select_related("institution").order_by("employee_no")
    admin = demo.filter(role=User.Role.ADMIN).first()
    officers = list(demo.filter(role=User.Role.OFFICER))
    hospital_first = sorted(officers, key=lambda o: o.institution.kind != Institution.Kind.HOSPITAL)
    officer = staff = None
    for candidate in hospital_first:
        staff = demo.filter(role=User.Role.STAFF, institution_id=candidate.institution_id).first()
        if staff is not None:
            officer = candidate
            break
    return [user for user in (admin, officer, staff) if user is not None]
