"""Roster import: preview names every bad row (row, column, reason); commit is all or nothing; re-import is a no-op."""

import io

import pandas as pd
import pytest

from elearn.org.exceptions import RosterRejected
from elearn.org.models import User
from elearn.org.roster import roster_plan
from elearn.org.services import roster_import
from tests.factories import UserFactory

HEADER = ["姓名", "工号", "手机号", "单位", "科室/岗位", "角色"]


def xlsx(rows, header=HEADER) -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame(rows, columns=header).to_excel(buffer, index=False)
    return buffer.getvalue()


def csv_gbk(rows, header=HEADER) -> bytes:
    return pd.DataFrame(rows, columns=header).to_csv(index=False).encode("gbk")


@pytest.fixture
def good_rows(inst_a):
    return [
        ["张三", "A001", "13800000001", inst_a.name, "内科", "职工"],
        ["李四", "A002", "138 0000 0002", inst_a.short_name, "护理部", ""],
        ["王五", "A003", "", inst_a.name, "保卫科", "单位安全员"],
    ]


def test_preview_writes_nothing_and_commit_creates_with_one_time_passwords(district_admin, good_rows, inst_a):
    plan = roster_plan(data=xlsx(good_rows), filename="r.xlsx", actor=district_admin)
    assert plan.ok and plan.counts() == {"create": 3, "update": 0, "unchanged": 0, "rejected_rows": 0}
    assert not User.objects.filter(employee_no__startswith="A00").exists()

    result = roster_import(data=xlsx(good_rows), filename="r.xlsx", actor=district_admin)
    assert (result.created, result.updated) == (3, 0)
    assert [p[1] for p in result.passwords] == ["A001", "A002", "A003"]
    li = User.objects.get(employee_no="A002")
    assert li.mobile == "13800000002" and li.institution == inst_a and li.role == User.Role.STAFF
    assert li.must_change_password and li.check_password(result.passwords[1][3])
    assert User.objects.get(employee_no="A003").role == User.Role.OFFICER
    inst_a.refresh_from_db()
    assert inst_a.headcount == 3


def test_reimporting_the_same_file_changes_nothing(district_admin, good_rows):
    roster_import(data=xlsx(good_rows), filename="r.xlsx", actor=district_admin)
    before = list(User.objects.order_by("pk").values())
    again = roster_import(data=xlsx(good_rows), filename="r.xlsx", actor=district_admin)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert again.passwords == []
    assert list(User.objects.order_by("pk").values()) == before


def test_bad_rows_are_named_and_nothing_is_written(district_admin, good_rows, inst_a):
    UserFactory(employee_no="X9", mobile="13900000009", institution=inst_a)
    rows = good_rows + [
        ["赵六", "", "13800000004", inst_a.name, "内科", ""],  # row 5: missing 工号
        ["钱七", "A005", "13800000005", "不存在卫生院", "内科", ""],  # row 6: unknown 单位
        ["孙八", "A006", "13800000001", inst_a.name, "内科", ""],  # row 7: phone duplicates row 2
        ["周九", "A007", "13900000009", inst_a.name, "内科", ""],  # row 8: phone used by X9
        ["吴十", "A008", "12345", inst_a.name, "内科", "校长"],  # row 9: bad phone, unknown role
    ]
    plan = roster_plan(data=xlsx(rows), filename="bad.xlsx", actor=district_admin)
    found = {(i.row, i.column) for i in plan.rejected}
    assert found == {(5, "工号"), (6, "单位"), (7, "手机号"), (8, "手机号"), (9, "手机号"), (9, "角色")}
    reasons = {(i.row, i.column): i.reason for i in plan.rejected}
    assert "不存在卫生院" in reasons[(6, "单位")] and "第 2 行" in reasons[(7, "手机号")]
    with pytest.raises(RosterRejected):
        roster_import(data=xlsx(rows), filename="bad.xlsx", actor=district_admin)
    assert not User.objects.filter(employee_no__startswith="A00").exists()


def test_gbk_csv_with_alias_headers_and_float_phones(district_admin, inst_a):
    header = ["职工姓名", "工号", "手机", "单位名称", "科室", "身份", "备注"]
    rows = [["陈一", "B01", "13800000011.0", inst_a.name, "药剂科", "职工", "x"]]
    plan = roster_plan(data=csv_gbk(rows, header), filename="r.csv", actor=district_admin)
    assert plan.ok and plan.create[0].mobile == "13800000011" and plan.create[0].real_name == "陈一"
    assert plan.unmapped_columns == ["备注"]


def test_officer_imports_only_own_institution_and_never_admins(officer_a, inst_a, inst_b):
    rows = [
        ["甲", "C01", "", inst_a.name, "", "职工"],
        ["乙", "C02", "", inst_b.name, "", "职工"],
        ["丙", "C03", "", inst_a.name, "", "区卫健局管理员"],
    ]
    plan = roster_plan(data=xlsx(rows), filename="r.xlsx", actor=officer_a)
    assert {(i.row, i.column) for i in plan.rejected} == {(3, "单位"), (4, "角色")}


def test_officer_cannot_take_over_another_institutions_employee_number(officer_a, inst_a, staff_b):
    rows = [["冒名", staff_b.employee_no, "", inst_a.name, "", "职工"]]
    plan = roster_plan(data=xlsx(rows), filename="r.xlsx", actor=officer_a)
    assert [(i.row, i.column) for i in plan.rejected] == [(2, "工号")]


@pytest.mark.parametrize(
    "filename,data,message",
    [
        ("empty.xlsx", b"", "空的"),
        ("r.pdf", b"%PDF-1.4", "不支持的文件类型"),
        ("fake.xlsx", b"not a zip at all", "不是有效的 Excel"),
        ("old.xls", b"\xd0\xcf\x11\xe0", ".xlsx"),
    ],
)
def test_unreadable_files_get_a_clear_error(district_admin, filename, data, message):
    from elearn.spreadsheets import SpreadsheetError

    with pytest.raises(SpreadsheetError, match=message):
        roster_plan(data=data, filename=filename, actor=district_admin)
