"""Institution and User (with its role: staff, safety officer, district admin) and the user manager."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _


class Institution(models.Model):
    """A hospital, health centre or bureau office taking part in the campaign; staff belong to one."""

    class Kind(models.TextChoices):
        DIRECT = "direct", _("区直医疗卫生单位")
        HOSPITAL = "hospital", _("区管医院")
        TOWNSHIP = "township", _("卫生院")
        CENTRAL_TOWNSHIP = "central", _("中心卫生院")
        BUREAU = "bureau", _("局机关")
        OTHER = "other", _("其他")

    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    headcount = models.PositiveIntegerField(
        _("在册人数"), default=0, help_text=_("花名册上的人数，用于计算参与率；导入花名册后自动更新。")
    )

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


# The role is the one source of an account's rights. Django's flags follow it (is_staff opens the Wagtail admin to
# whoever also holds its access permission, is_superuser every permission); its groups are those the role gives
# (officers: the officer group, elearn.org.roles) and it holds no permission of its own. Every write path derives them:
# User.save, QuerySet.update/bulk_create/bulk_update, and group or permission changes (the m2m receiver below).
ROLE_FLAGS = {
    "staff": {"is_staff": False, "is_superuser": False},
    "officer": {"is_staff": True, "is_superuser": False},
    "admin": {"is_staff": True, "is_superuser": True},
}
FLAG_FIELDS = ("is_staff", "is_superuser")
ROLE_FIELDS = frozenset({"role", *FLAG_FIELDS})  # a write touching any of these derives the rest


class UserQuerySet(models.QuerySet):
    """Writes that bypass User.save (update, bulk_create, bulk_update) still derive the flags from the role."""

    def update(self, **kwargs):
        if not ROLE_FIELDS & kwargs.keys():
            return super().update(**kwargs)
        with transaction.atomic(using=self.db):
            pks = list(self.values_list("pk", flat=True))
            count = super().update(**kwargs)
            self.model._default_manager.filter(pk__in=pks).derive_rights_from_role()
        return count

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for user in objs:
            user.apply_role_flags()
        with transaction.atomic(using=self.db):
            created = super().bulk_create(objs, *args, **kwargs)
            officers = [user.pk for user in created if user.role == User.Role.OFFICER]
            if any(pk is None for pk in officers):  # a backend that returns no ids: find them by 工号
                officers = [user.employee_no for user in created if user.role == User.Role.OFFICER]
                officers = list(
                    self.model._default_manager.filter(employee_no__in=officers).values_list("pk", flat=True)
                )
            if officers:
                self.model._default_manager.filter(pk__in=officers).derive_memberships_from_role(new=True)
        return created

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs, fields = list(objs), list(fields)
        if not ROLE_FIELDS & set(fields):
            return super().bulk_update(objs, fields, *args, **kwargs)
        for user in objs:
            user.apply_role_flags()
        fields = list(dict.fromkeys([*fields, *FLAG_FIELDS]))
        with transaction.atomic(using=self.db):
            count = super().bulk_update(objs, fields, *args, **kwargs)
            self.model._default_manager.filter(pk__in=[user.pk for user in objs]).derive_rights_from_role()
        return count

    def derive_rights_from_role(self) -> None:
        """Set these accounts' flags, groups and direct permissions to exactly what their roles give."""
        for role, flags in ROLE_FLAGS.items():
            rows = self.filter(role=role) if role != "staff" else self.exclude(role__in=["officer", "admin"])
            models.QuerySet.update(rows.exclude(**flags), **flags)  # the plain update: this is the derivation itself
        self.derive_memberships_from_role()

    def derive_memberships_from_role(self, *, new: bool = False) -> None:
        """Groups and direct permissions: officers are in the officer group, nobody holds anything else. Through-model
        writes send no m2m_changed, so this does not call itself back. `new`: accounts just created, holding none."""
        from elearn.org.roles import OFFICER_GROUP, officer_group

        groups, permissions = self.model.groups.through, self.model.user_permissions.through
        if not new:
            accounts = self.values("pk")
            groups.objects.filter(user__in=accounts).exclude(
                user__role=User.Role.OFFICER, group__name=OFFICER_GROUP
            ).delete()
            permissions.objects.filter(user__in=accounts).delete()
        officers = self.filter(role=User.Role.OFFICER)
        missing = list(
            officers.values_list("pk", flat=True)
            if new
            else officers.exclude(groups__name=OFFICER_GROUP).values_list("pk", flat=True)
        )
        if missing:
            group = officer_group()
            groups.objects.bulk_create([groups(user_id=pk, group_id=group.pk) for pk in missing], ignore_conflicts=True)


class UserManager(BaseUserManager.from_queryset(UserQuerySet)):
    use_in_migrations = True

    def create_user(self, employee_no, password=None, **extra):
        if not employee_no:
            raise ValueError("employee_no is required")
        user = self.model(employee_no=employee_no, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, employee_no, password=None, **extra):
        extra.setdefault("role", User.Role.ADMIN)
        extra.setdefault("real_name", employee_no)
        return self.create_user(employee_no, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(employee_no=username)


class User(AbstractUser):
    """A member of staff. Logs in with employee number or mobile phone; the role decides what they may see."""

    class Role(models.TextChoices):
        STAFF = "staff", _("职工")
        OFFICER = "officer", _("单位安全员")
        ADMIN = "admin", _("区卫健局管理员")

    username = None
    first_name = None
    last_name = None
    employee_no = models.CharField(_("工号"), max_length=32, unique=True)
    real_name = models.CharField(_("姓名"), max_length=50)
    mobile = models.CharField(_("手机号"), max_length=20, blank=True, default="")
    institution = models.ForeignKey(
        Institution, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    department = models.CharField(_("科室/岗位"), max_length=100, blank=True)
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.STAFF)
    must_change_password = models.BooleanField(_("首次登录须修改密码"), default=False)
    is_demo = models.BooleanField(
        _("演示账号"),
        default=False,
        help_text=_("由 seed_demo 创建、共用公开演示密码的账号；存在这样的账号时，登录页会提示演示密码。"),
    )

    USERNAME_FIELD = "employee_no"
    REQUIRED_FIELDS = ["real_name"]
    objects = UserManager()

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["institution", "employee_no"]
        constraints = [
            models.UniqueConstraint(fields=["mobile"], condition=~Q(mobile=""), name="org_user_mobile_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.real_name} ({self.employee_no})"

    def get_full_name(self) -> str:
        return self.real_name

    def get_short_name(self) -> str:
        return self.real_name

    @property
    def is_district_admin(self) -> bool:
        """An active account with the admin role. The role alone decides: is_superuser only follows it."""
        return self.is_active and self.role == self.Role.ADMIN

    @property
    def is_safety_officer(self) -> bool:
        return self.is_active and self.role == self.Role.OFFICER

    def apply_role_flags(self) -> None:
        """Set is_staff and is_superuser to what the role gives (ROLE_FLAGS), both ways."""
        for name, value in ROLE_FLAGS.get(self.role, ROLE_FLAGS["staff"]).items():
            setattr(self, name, value)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._was_active = instance.__dict__.get("is_active")  # a disabling save is told apart (services)
        return instance

    def save(self, *args, **kwargs):
        self.apply_role_flags()
        update_fields = kwargs.get("update_fields")
        touches_role = update_fields is None or bool(ROLE_FIELDS & set(update_fields))
        if update_fields is not None and touches_role:
            kwargs["update_fields"] = {*update_fields, *FLAG_FIELDS}
        new = self._state.adding
        super().save(*args, **kwargs)
        if touches_role:
            type(self)._default_manager.filter(pk=self.pk).derive_memberships_from_role(new=new)


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
def rights_follow_the_role(sender, instance, action, reverse, pk_set, **kwargs):
    """Groups or permissions given or taken by hand (Wagtail's account admin, a shell) are put back to the role's."""
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        users = User._default_manager.filter(pk=instance.pk)
    elif pk_set is not None:
        users = User._default_manager.filter(pk__in=pk_set)
    else:  # a group or permission cleared of all its accounts: only officers can have lost what their role gives
        users = User._default_manager.filter(role=User.Role.OFFICER)
    users.derive_memberships_from_role()
