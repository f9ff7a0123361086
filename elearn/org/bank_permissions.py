"""Who may manage the question bank (a rule about roles, so it lives with them): district admins only. The bank is shared by every institution, so an
institution's safety officer sees questions only through exams and competitions, and staff never see answers."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework.permissions import BasePermission


def can_manage_bank(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_district_admin", False))


class IsBankManager(BasePermission):
    message = "只有区卫健局管理员可以管理题库。"

    def has_permission(self, request, view):
        return can_manage_bank(request.user)


class BankManagerRequiredMixin:
    """Wagtail admin views of the bank that Wagtail itself opens to every admin user (its choosers, the snippets' bulk
    actions): bank managers only, so a safety officer cannot browse or change the bank through them."""

    def dispatch(self, request, *args, **kwargs):
        if not can_manage_bank(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


CHOOSER_VIEWS = ("choose_view_class", "choose_results_view_class", "chosen_view_class", "chosen_multiple_view_class",
                 "create_view_class")  # fmt: skip


class CreationFormRequiredMixin:
    """Wagtail registers a chooser's create URL even when the chooser has no creation form, and a POST to it then
    fails with a server error (None.is_valid()). Without a form there is nothing to create: 404."""

    def dispatch(self, request, *args, **kwargs):
        if self.get_creation_form_class() is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


def bank_managers_only(chooser_viewset_class):
    """`chooser_viewset_class` (a Wagtail ChooserViewSet) with every view refusing anyone but a bank manager."""

    def bases(name):
        extra = (CreationFormRequiredMixin,) if name == "create_view_class" else ()
        return (BankManagerRequiredMixin, *extra, getattr(chooser_viewset_class, name))

    views = {name: type(getattr(chooser_viewset_class, name).__name__, bases(name), {}) for name in CHOOSER_VIEWS}
    return type(f"BankManagersOnly{chooser_viewset_class.__name__}", (chooser_viewset_class,), views)
