"""An officer of institution A never sees or edits anything of institution B: views, API and Wagtail admin."""

import io

import pandas as pd
import pytest
from django.urls import reverse

from elearn.org.models import User
from elearn.org.permissions import can_manage_institution, can_manage_user, managed_users


def test_permission_helper_rules(officer_a, staff_a, staff_b, inst_a, inst_b, district_admin):
    assert can_manage_institution(district_admin, inst_b)
    assert can_manage_institution(officer_a, inst_a) and can_manage_institution(officer_a, inst_a.pk)
    assert not can_manage_institution(officer_a, inst_b) and not can_manage_institution(officer_a, None)
    assert not can_manage_institution(staff_a, inst_a)
    assert can_manage_user(officer_a, staff_a) and not can_manage_user(officer_a, staff_b)
    assert can_manage_user(staff_a, staff_a) and not can_manage_user(staff_a, officer_a)
    officer_a.is_active = False
    assert not can_manage_institution(officer_a, inst_a)


def test_officer_never_manages_an_admin_of_the_same_institution(officer_a, inst_a):
    admin = User.objects.create_user("ADM1", "pw", real_name="管理员", role=User.Role.ADMIN, institution=inst_a)
    assert not can_manage_user(officer_a, admin)
    assert admin not in managed_users(officer_a)


# --- Wagtail admin -------------------------------------------------------------------------------


def test_admin_staff_listing_is_scoped(client_for, officer_a, staff_a, staff_b):
    response = client_for(officer_a).get(reverse("staff:index"))
    assert response.status_code == 200
    html = response.content.decode()
    assert staff_a.real_name in html and staff_b.real_name not in html


@pytest.mark.parametrize("view", ["staff:edit", "staff:delete", "staff:inspect"])
def test_admin_refuses_another_institutions_staff_by_url(client_for, officer_a, staff_b, view):
    response = client_for(officer_a).get(reverse(view, args=[staff_b.pk]))
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert "/admin/" in response["Location"]


def test_admin_edit_cannot_move_staff_to_another_institution(client_for, officer_a, staff_a, inst_b):
    client = client_for(officer_a)
    data = {
        "employee_no": staff_a.employee_no,
        "real_name": "改名",
        "mobile": staff_a.mobile,
        "institution": inst_b.pk,
        "department": "x",
        "role": "staff",
        "is_active": "on",
    }
    client.post(reverse("staff:edit", args=[staff_a.pk]), data)
    staff_a.refresh_from_db()
    assert staff_a.institution_id != inst_b.pk and staff_a.real_name != "改名"


def test_admin_institutions_scoped(client_for, officer_a, inst_a, inst_b):
    client = client_for(officer_a)
    html = client.get(reverse("institutions:index")).content.decode()
    assert inst_a.name in html and inst_b.name not in html
    assert client.get(reverse("institutions:edit", args=[inst_b.pk])).status_code in (302, 403)


def test_district_admin_sees_everyone_in_admin(client_for, district_admin, staff_a, staff_b):
    html = client_for(district_admin).get(reverse("staff:index")).content.decode()
    assert staff_a.real_name in html and staff_b.real_name in html


def test_staff_has_no_admin(client_for, staff_a):
    response = client_for(staff_a).get("/admin/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_admin_dashboard_is_in_chinese_with_site_name(client_for, district_admin):
    html = client_for(district_admin).get("/admin/").content.decode()
    assert "<title>控制面板 - 安全生产月学习竞赛平台</title>" in html


# --- API -----------------------------------------------------------------------------------------


def test_api_staff_and_institutions_scoped(api_for, officer_a, staff_a, staff_b, inst_a):
    api = api_for(officer_a)
    ids = {row["id"] for row in api.get("/api/v1/staff/").json()["results"]}
    assert staff_a.pk in ids and staff_b.pk not in ids
    assert api.get(f"/api/v1/staff/{staff_b.pk}/").status_code == 404
    assert [i["id"] for i in api.get("/api/v1/institutions/").json()["results"]] == [inst_a.pk]


def test_api_staff_member_sees_nobody(api_for, staff_a, staff_b):
    assert api_for(staff_a).get("/api/v1/staff/").json()["results"] == []
    assert api_for(staff_a).get("/api/v1/me/").json()["employee_no"] == staff_a.employee_no


def test_api_requires_login(client):
    assert client.get("/api/v1/staff/").status_code == 403


def _xlsx(rows):
    buffer = io.BytesIO()
    pd.DataFrame(rows, columns=["姓名", "工号", "手机号", "单位", "科室/岗位", "角色"]).to_excel(buffer, index=False)
    buffer.seek(0)
    buffer.name = "r.xlsx"
    return buffer


def test_api_roster_import_dry_run_then_commit(api_for, officer_a, inst_a, inst_b):
    api = api_for(officer_a)
    bad = api.post(
        "/api/v1/roster-import/", {"file": _xlsx([["乙", "Z1", "", inst_b.name, "", ""]])}, format="multipart"
    )
    assert bad.status_code == 200 and bad.json()["rejected"] == [
        {"row": 2, "column": "单位", "reason": f"无权导入单位“{inst_b.name}”的人员"}
    ]
    refused = api.post(
        "/api/v1/roster-import/",
        {"file": _xlsx([["乙", "Z1", "", inst_b.name, "", ""]]), "commit": True},
        format="multipart",
    )
    assert refused.status_code == 400 and refused.json()["error"] == "rows_rejected"
    assert not refused.json()["report"]["committed"] and refused.json()["report"]["rejected"][0]["column"] == "单位"
    ok = api.post(
        "/api/v1/roster-import/",
        {"file": _xlsx([["甲", "Z2", "", inst_a.name, "", ""]]), "commit": True},
        format="multipart",
    )
    assert ok.status_code == 201 and ok.json()["counts"]["create"] == 1 and len(ok.json()["passwords"]) == 1
    assert not User.objects.filter(employee_no="Z1").exists() and User.objects.filter(employee_no="Z2").exists()


def test_api_roster_import_refused_for_staff(api_for, staff_a, inst_a):
    response = api_for(staff_a).post(
        "/api/v1/roster-import/", {"file": _xlsx([["甲", "Z3", "", inst_a.name, "", ""]])}, format="multipart"
    )
    assert response.status_code == 403


def test_schema_documents_only_the_versioned_api(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    assert schema["paths"] and all(path.startswith("/api/v1/") for path in schema["paths"])
