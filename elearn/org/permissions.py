"""The one rule for who may see or manage an institution's data.

Views, API views, the Wagtail admin, reports and consumers all ask here:
- a district admin sees and manages every institution;
- an institution safety officer sees and manages only their own;
- staff see only themselves.
"""

from django.db.models import QuerySet

from elearn.org.models import Institution, User


def _institution_id(institution) -> int | None:
    if institution is None:
        return None
    return institution if isinstance(institution, int) else institution.pk


def can_manage_institution(user, institution) -> bool:
    """May `user` see and manage the data of `institution` (an Institution, its id, or None)?"""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_district_admin:
        return True
    inst_id = _institution_id(institution)
    return bool(user.is_safety_officer and inst_id is not None and user.institution_id == inst_id)


def can_manage_user(user, other: User) -> bool:
    """May `user` see and manage `other`'s records? Everyone their own; officers never an admin account's.

    The target is judged by its role whether or not it is active: a disabled admin account is still an admin
    account, and whoever could edit it could switch it back on."""
    if getattr(user, "pk", None) is not None and user.pk == other.pk:
        return True
    if other.role == User.Role.ADMIN and not getattr(user, "is_district_admin", False):
        return False
    return can_manage_institution(user, other.institution_id)


def managed_users(user) -> QuerySet[User]:
    """The accounts `user` looks after: all for a district admin, their institution's non-admins (active or not) for
    an officer."""
    users = scope_queryset(User.objects.all(), user)
    if getattr(user, "is_authenticated", False) and not user.is_district_admin:
        users = users.exclude(role=User.Role.ADMIN)
    return users


def is_manager(user) -> bool:
    """District admins and safety officers: people who look after other people's data."""
    return bool(getattr(user, "is_authenticated", False) and (user.is_district_admin or user.is_safety_officer))


def managed_institutions(user) -> QuerySet[Institution]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Institution.objects.none()
    if user.is_district_admin:
        return Institution.objects.all()
    if user.is_safety_officer and user.institution_id:
        return Institution.objects.filter(pk=user.institution_id)
    return Institution.objects.none()


def scope_queryset(queryset: QuerySet, user, institution_field: str = "institution") -> QuerySet:
    """Limit rows that belong to an institution (through `institution_field`) to those `user` may manage."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.is_district_admin:
        return queryset
    if user.is_safety_officer and user.institution_id:
        return queryset.filter(**{f"{institution_field}_id": user.institution_id})
    return queryset.none()


def sees_every_institution(user) -> bool:
    """May `user` use screens that cannot be limited to one institution? Wagtail's own reports (site history, locked
    pages, workflows, aging pages, page types) list every account's changes and who made them: district admins only."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_district_admin)
