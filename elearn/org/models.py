"""Institution and User (with its role: staff, safety officer, district admin) and the user manager."""

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
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


class UserManager(BaseUserManager):
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
        return self.is_active and (self.role == self.Role.ADMIN or self.is_superuser)

    @property
    def is_safety_officer(self) -> bool:
        return self.is_active and self.role == self.Role.OFFICER

    def save(self, *args, **kwargs):
        # The role decides admin access; keep Django's flags in step so Wagtail's checks agree with ours.
        self.is_staff = self.role in (self.Role.ADMIN, self.Role.OFFICER) or self.is_superuser
        if self.role == self.Role.ADMIN:
            self.is_superuser = True
        super().save(*args, **kwargs)
        if self.role == self.Role.OFFICER:
            from elearn.org.roles import officer_group

            self.groups.add(officer_group())
