"""Who may manage the question bank: district admins only. The bank is shared by every institution, so an
institution's safety officer sees questions only through exams and competitions, and staff never see answers."""

from rest_framework.permissions import BasePermission


def can_manage_bank(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_district_admin", False))


class IsBankManager(BasePermission):
    message = "只有区卫健局管理员可以管理题库。"

    def has_permission(self, request, view):
        return can_manage_bank(request.user)
