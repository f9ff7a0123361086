"""Reading a staff roster (姓名, 工号, 手机号, 单位, 科室/岗位, 角色) into a plan: what would be created, updated,
left unchanged and rejected (row, column, reason). Nothing here writes; `services.roster_import` commits a plan."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from elearn.org.models import Institution, User
from elearn.org.permissions import can_manage_institution, can_manage_user
from elearn.org.phones import normalise_mobile
from elearn.spreadsheets import SpreadsheetError, control_character, read_table

# Canonical column -> accepted header spellings.
COLUMNS: dict[str, tuple[str, ...]] = {
    "姓名": ("姓名", "名字", "职工姓名", "员工姓名"),
    "工号": ("工号", "职工号", "员工编号", "人员编号", "编号"),
    "手机号": ("手机号", "手机", "手机号码", "联系电话", "电话"),
    "单位": ("单位", "单位名称", "所在单位", "机构", "医疗机构"),
    "科室/岗位": ("科室/岗位", "科室", "岗位", "部门", "科室岗位", "科室（岗位）"),
    "角色": ("角色", "身份", "权限"),
}
REQUIRED = ("姓名", "工号", "单位")
TEMPLATE_HEADER = list(COLUMNS)

ROLE_WORDS = {
    "": User.Role.STAFF,
    "职工": User.Role.STAFF,
    "员工": User.Role.STAFF,
    "普通职工": User.Role.STAFF,
    "staff": User.Role.STAFF,
    "安全员": User.Role.OFFICER,
    "单位安全员": User.Role.OFFICER,
    "officer": User.Role.OFFICER,
    "管理员": User.Role.ADMIN,
    "区卫健局管理员": User.Role.ADMIN,
    "admin": User.Role.ADMIN,
}
EMPLOYEE_NO_MAX = User._meta.get_field("employee_no").max_length
FIELDS = ("real_name", "mobile", "institution_id", "department", "role")


@dataclass(frozen=True)
class RowIssue:
    row: int
    column: str
    reason: str


@dataclass
class RosterRow:
    row: int
    employee_no: str
    real_name: str
    mobile: str
    institution: Institution
    department: str
    role: str

    def values(self) -> dict:
        return {
            "real_name": self.real_name,
            "mobile": self.mobile,
            "institution_id": self.institution.pk,
            "department": self.department,
            "role": self.role,
        }


@dataclass
class RosterPlan:
    filename: str
    create: list[RosterRow] = field(default_factory=list)
    update: list[tuple[RosterRow, User, list[str]]] = field(default_factory=list)
    unchanged: list[RosterRow] = field(default_factory=list)
    rejected: list[RowIssue] = field(default_factory=list)
    unmapped_columns: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected

    def counts(self) -> dict[str, int]:
        return {
            "create": len(self.create),
            "update": len(self.update),
            "unchanged": len(self.unchanged),
            "rejected_rows": len({issue.row for issue in self.rejected}),
        }


def _map_header(header: list[str]) -> tuple[dict[str, str], list[str]]:
    mapping, unmapped = {}, []
    for name in header:
        key = name.replace(" ", "")
        for canonical, spellings in COLUMNS.items():
            if key in spellings and canonical not in mapping:
                mapping[canonical] = name
                break
        else:
            unmapped.append(name)
    return mapping, unmapped


def _looks_like_header(cells: list[str]) -> bool:
    mapping, _unmapped = _map_header([c.replace("\n", "") for c in cells])
    return all(column in mapping for column in REQUIRED)


def roster_plan(*, data: bytes, filename: str, actor: User) -> RosterPlan:
    """Validate every row against the database and the actor's rights; raises SpreadsheetError if unreadable."""
    table = read_table(data, filename, header_matches=_looks_like_header)
    mapping, unmapped = _map_header(list(table.frame.columns))
    plan = RosterPlan(filename=filename, unmapped_columns=unmapped)

    institutions: dict[str, Institution] = {}
    for inst in Institution.objects.all():
        institutions[inst.name] = inst
        if inst.short_name:
            institutions.setdefault(inst.short_name, inst)

    rows = []
    for index, record in table.frame.iterrows():
        row_no = table.spreadsheet_row(index)
        cells = {col: (str(record[mapping[col]]).strip() if col in mapping else "") for col in COLUMNS}
        rows.append((row_no, cells))

    employee_nos = [r["工号"] for _, r in rows if r["工号"]]
    existing = {u.employee_no: u for u in User.objects.filter(employee_no__in=employee_nos)}
    mobiles = [normalise_mobile(r["手机号"]) for _, r in rows]
    mobile_owner = {u.mobile: u for u in User.objects.filter(mobile__in=[m for m in mobiles if m])}

    seen_employee: dict[str, int] = {}
    seen_mobile: dict[str, int] = {}
    for row_no, cells in rows:
        issues: list[RowIssue] = []

        def reject(column: str, reason: str, row_no=row_no, issues=issues) -> None:
            issues.append(RowIssue(row_no, column, reason))

        for column, value in cells.items():
            if bad := control_character(value):
                reject(column, _("含有不可见的控制字符 %(char)s，请删除后重新上传") % {"char": bad})
        if issues:
            plan.rejected.extend(issues)
            continue

        employee_no = cells["工号"]
        if not employee_no:
            reject("工号", _("工号不能为空"))
        elif len(employee_no) > EMPLOYEE_NO_MAX:
            reject("工号", _("工号超过 %(n)d 个字符") % {"n": EMPLOYEE_NO_MAX})
        elif employee_no in seen_employee:
            reject("工号", _("工号与第 %(row)d 行重复") % {"row": seen_employee[employee_no]})
        else:
            seen_employee[employee_no] = row_no

        real_name = cells["姓名"]
        if not real_name:
            reject("姓名", _("姓名不能为空"))
        elif len(real_name) > 50:
            reject("姓名", _("姓名超过 50 个字"))

        institution = institutions.get(cells["单位"])
        if not cells["单位"]:
            reject("单位", _("单位不能为空"))
        elif institution is None:
            reject("单位", _("未知单位“%(name)s”，请先在系统中添加该单位") % {"name": cells["单位"]})
        elif not can_manage_institution(actor, institution):
            reject("单位", _("无权导入单位“%(name)s”的人员") % {"name": institution.name})

        mobile = ""
        if cells["手机号"]:
            mobile = normalise_mobile(cells["手机号"])
            if not mobile:
                reject("手机号", _("手机号“%(value)s”格式不正确（应为 11 位手机号）") % {"value": cells["手机号"]})
            elif mobile in seen_mobile:
                reject("手机号", _("手机号与第 %(row)d 行重复") % {"row": seen_mobile[mobile]})
            elif (owner := mobile_owner.get(mobile)) is not None and owner.employee_no != employee_no:
                # Name the owner only to someone who manages that account: an officer learns nothing about people
                # outside their institution (or about an admin account), not even which 工号 holds the number.
                if can_manage_user(actor, owner):
                    reject("手机号", _("手机号已被工号 %(other)s 使用") % {"other": owner.employee_no})
                else:
                    reject("手机号", _("手机号已被你管理范围以外的账号使用"))
            if mobile and mobile not in seen_mobile:
                seen_mobile[mobile] = row_no

        role_word = cells["角色"].strip().lower()
        role = ROLE_WORDS.get(role_word) or ROLE_WORDS.get(cells["角色"].strip())
        if role is None:
            reject(
                "角色", _("未知角色“%(value)s”（可填：职工、单位安全员、区卫健局管理员）") % {"value": cells["角色"]}
            )
        elif role == User.Role.ADMIN and not actor.is_district_admin:
            reject("角色", _("只有区卫健局管理员可以导入管理员账号"))

        department = cells["科室/岗位"]
        if len(department) > 100:
            reject("科室/岗位", _("科室/岗位超过 100 个字"))

        user = existing.get(employee_no)
        if user is not None and not can_manage_user(actor, user):
            # Another institution's person, or an admin account (active or not): the same words for both, so the
            # answer tells nothing about whose 工号 it is.
            reject("工号", _("工号 %(no)s 已被你管理范围以外的账号使用") % {"no": employee_no})

        if issues:
            plan.rejected.extend(issues)
            continue
        parsed = RosterRow(row_no, employee_no, real_name, mobile, institution, department, role)
        if user is None:
            plan.create.append(parsed)
        else:
            changed = [name for name, value in parsed.values().items() if getattr(user, name) != value]
            if changed:
                plan.update.append((parsed, user, changed))
            else:
                plan.unchanged.append(parsed)
    if not rows:
        raise SpreadsheetError(_("文件“%(name)s”只有表头，没有人员数据。") % {"name": filename})
    return plan
