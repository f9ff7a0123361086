"""Wagtail admin for institutions and staff, scoped by the one permission helper."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import router
from django.db.models import ProtectedError, RestrictedError
from django.db.models.deletion import Collector
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.ui.tables import Column, StatusFlagColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from elearn.org.disclosure import disclose
from elearn.org.models import Institution, User
from elearn.org.permissions import can_manage_institution, can_manage_user, managed_institutions, managed_users
from elearn.org.phones import mask_mobile, normalise_mobile
from elearn.spreadsheets import control_character


class ScopedIndexView(generic.IndexView):
    scope = None  # callable(queryset, user) -> queryset

    def get_base_queryset(self):
        return type(self).scope(super().get_base_queryset(), self.request.user)


class ScopedObjectMixin:
    """Edit, delete and inspect refuse objects outside the user's institutions, whatever the URL says."""

    allowed = None  # callable(user, obj) -> bool

    def get_object(self, *args, **kwargs):
        obj = super().get_object(*args, **kwargs)
        if not type(self).allowed(self.request.user, obj):
            raise PermissionDenied
        return obj


class DeleteView(generic.DeleteView):
    """Deleting something still referenced (an institution with staff, a person with exam attempts) is refused with
    a message saying why. Checked up front with Django's deletion collector: Wagtail's own check (its reference index)
    only knows the references it has indexed, and answers a bare "no permission" when it does."""

    def form_valid(self, form):
        try:
            Collector(using=router.db_for_write(type(self.object))).collect([self.object])
        except (ProtectedError, RestrictedError) as error:
            blocking = getattr(error, "protected_objects", None) or getattr(error, "restricted_objects", ())
            messages.error(
                self.request,
                _("无法删除“%(object)s”：仍有 %(count)d 条记录引用它（如人员、考试记录）。请先处理这些记录。")
                % {"object": self.object, "count": len(blocking)},
            )
            return redirect(self.get_success_url())
        return super().form_valid(form)


class PersonDisclosureMixin:
    """A person's record shown (edit, inspect, history, usage, copy, delete confirmation): noted for the access log
    (elearn.org.disclosure) when the page is rendered, so a request refused after the lookup (Wagtail checks the
    action's permission after finding the object) notes nothing."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        person = getattr(self, "object", None)
        if isinstance(person, User) and person.pk:
            disclose(self.request, what=_("人员档案"), subject=person)
        return context


class PersonInspectMixin:
    """The inspect page shows the mobile number masked, with the one-tap reveal (recorded by elearn.privacy)."""

    def get_is_active_display_value(self):  # in words, not Wagtail's bare "True"
        return _("在用") if self.object.is_active else _("已停用")

    def get_last_login_display_value(self):  # not "None"
        if self.object.last_login is None:
            return _("从未登录")
        return date_format(timezone.localtime(self.object.last_login), "DATETIME_FORMAT")

    def get_mobile_display_value(self):
        from django.middleware.csrf import get_token
        from django.template.loader import render_to_string

        return (
            render_to_string(
                "privacy/includes/mobile_cell.html",
                {
                    "person_id": self.object.pk,
                    "masked": mask_mobile(self.object.mobile),
                    "purpose": _("人员档案"),
                    "next": self.request.get_full_path(),
                    "csrf_token": get_token(self.request),
                },
            )
            or "-"
        )


class PeopleListDisclosureMixin:
    """A list of people shown: noted with how many matched."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = context.get("paginator")
        count = paginator.count if paginator is not None else len(context.get("object_list") or ())
        disclose(self.request, what=_("人员名单"), count=count)
        return context


def _scoped_views(scope, allowed, policy=None, object_mixins=(), index_mixins=()):
    """The viewset's views, every one that shows or changes an object refusing objects outside the user's scope:
    index, add, edit, delete, inspect, history, usage, copy. `policy`: the permission policy the views check (default:
    the one registered for the model); `object_mixins`, `index_mixins`: placed before the scope check's classes."""
    extra = {"permission_policy": policy} if policy is not None else {}

    def view(base):
        return type(
            base.__name__, (*object_mixins, ScopedObjectMixin, base), {"allowed": staticmethod(allowed), **extra}
        )

    index = type("IndexView", (*index_mixins, ScopedIndexView), {"scope": staticmethod(scope), **extra})
    add = type("CreateView", (generic.CreateView,), extra)
    return (
        index,
        add,
        view(generic.EditView),
        view(DeleteView),
        view(generic.InspectView),
        view(generic.HistoryView),
        view(generic.UsageView),
        view(generic.CopyView),
    )


def _institution_scope(queryset, user):
    return queryset.filter(pk__in=managed_institutions(user).values("pk"))


class InstitutionViewSet(ModelViewSet):
    model = Institution
    icon = "home"
    menu_label = _("单位")
    menu_order = 200
    add_to_admin_menu = True
    form_fields = ["name", "short_name", "kind", "headcount"]
    list_display = ["name", "short_name", "kind", "headcount"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]
    inspect_view_enabled = True
    (
        index_view_class,
        add_view_class,
        edit_view_class,
        delete_view_class,
        inspect_view_class,
        history_view_class,
        usage_view_class,
        copy_view_class,
    ) = _scoped_views(_institution_scope, lambda user, obj: can_manage_institution(user, obj))


class AccountAdminPolicy(ModelPermissionPolicy):
    """Accounts in Wagtail's own account admin (/admin/users/), which lists every account and sets passwords, groups and
    the superuser flag: district admins only (registered for the user model in elearn/org/wagtail_hooks.py). Safety
    officers hold the user model permissions for StaffViewSet, which checks them with STAFF_POLICY and scopes them to
    their institution."""

    def user_has_permission(self, user, action):
        return bool(getattr(user, "is_district_admin", False)) and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission(actions).filter(role=User.Role.ADMIN)


STAFF_POLICY = ModelPermissionPolicy(User)  # the user model permissions as granted (officers: view, add, change)


class StaffForm(WagtailAdminModelForm):
    class Meta:
        model = User
        fields = ["employee_no", "real_name", "mobile", "institution", "department", "role", "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The number is shown masked, like everywhere else (elearn.org.phones.mask_mobile); left as shown it is kept,
        # a new number replaces it. The inspect page reveals it with one (recorded) tap.
        stored = self.instance.mobile if self.instance is not None and self.instance.pk else ""
        if stored:
            self.initial["mobile"] = mask_mobile(stored)
            self.fields["mobile"].help_text = _("已隐藏中间四位；不修改则保持原号码，输入新号码则替换。")
        user = self.for_user
        if user is not None and not user.is_district_admin:
            self.fields["institution"].queryset = managed_institutions(user)
            self.fields["institution"].required = True
            self.fields["role"].choices = [c for c in User.Role.choices if c[0] != User.Role.ADMIN]

    def clean(self):
        """Names typed here show on leaderboards and projectors: no NUL, bidi overrides or other invisible controls
        (the rule roster imports apply, elearn.spreadsheets.control_character)."""
        cleaned = super().clean()
        for name in ("employee_no", "real_name", "department"):
            value = cleaned.get(name)
            if isinstance(value, str) and (bad := control_character(value)):
                self.add_error(name, _("含有不可见的控制字符 %(char)s，请删除后重试。") % {"char": bad})
        return cleaned

    def clean_mobile(self):
        value = (self.cleaned_data.get("mobile") or "").strip()
        stored = self.instance.mobile if self.instance is not None and self.instance.pk else ""
        if stored and value == mask_mobile(stored):
            return stored
        if value and not normalise_mobile(value):
            raise forms.ValidationError(_("手机号“%(value)s”格式不正确（应为 11 位手机号）。") % {"value": value[:20]})
        return normalise_mobile(value) if value else ""

    def clean_institution(self):
        institution = self.cleaned_data.get("institution")
        if self.for_user is not None and not self.for_user.is_district_admin:
            if not can_manage_institution(self.for_user, institution):
                raise forms.ValidationError(_("只能管理本单位的人员。"))
        return institution

    def save(self, commit=True):
        user = super().save(commit=False)
        if not user.pk:
            from elearn.org.passwords import generate_password, initial_password_hash

            # New accounts start locked to a random password; the officer hands one out via a roster import or
            # the password reset, and the user must change it at first login.
            user.password = initial_password_hash(generate_password())
            user.must_change_password = True
        if commit:
            user.save()
        return user


class StaffViewSet(ModelViewSet):
    model = User
    icon = "group"
    menu_label = _("人员")
    menu_order = 210
    add_to_admin_menu = True
    url_prefix = "staff"
    url_namespace = "staff"
    list_display = [
        "real_name",
        "employee_no",
        Column("institution", label=_("单位")),
        "department",
        "role",
        # a tag in words, not the bare "True"/"False" Wagtail prints for a boolean
        StatusFlagColumn("is_active", label=_("账号状态"), true_label=_("在用"), false_label=_("已停用")),
    ]
    list_filter = ["institution", "role", "is_active"]
    # Not the mobile number: the listing shows it masked (138****5678), and a search matching its hidden digits would
    # give them away one guess at a time, without the recorded reveal.
    search_fields = ["real_name", "employee_no", "department"]
    inspect_view_enabled = True
    inspect_view_fields = [
        "real_name",
        "employee_no",
        "mobile",
        "institution",
        "department",
        "role",
        "is_active",
        "last_login",
        "date_joined",
    ]
    (
        index_view_class,
        add_view_class,
        edit_view_class,
        delete_view_class,
        inspect_view_class,
        history_view_class,
        usage_view_class,
        copy_view_class,
    ) = _scoped_views(
        lambda qs, user: qs.filter(pk__in=managed_users(user).values("pk")).select_related("institution"),
        can_manage_user,
        policy=STAFF_POLICY,
        object_mixins=(PersonDisclosureMixin, PersonInspectMixin),
        index_mixins=(PeopleListDisclosureMixin,),
    )

    def get_form_class(self, for_update=False):
        return StaffForm

    @cached_property
    def menu_item_class(self):
        from wagtail.admin.menu import MenuItem

        required = self.index_view_class.any_permission_required

        class StaffMenuItem(MenuItem):
            def is_shown(self, request):
                return STAFF_POLICY.user_has_any_permission(request.user, required)

        return StaffMenuItem
