"""Login with 工号 or mobile, forced password change for imported accounts, throttling, roster import page."""

import io

import pandas as pd
from django.core.cache import cache
from django.urls import reverse

from elearn.org.models import User
from elearn.org.passwords import initial_password_hash
from tests.factories import PASSWORD


def _login(client, username, password=PASSWORD):
    return client.post(reverse("org:login"), {"username": username, "password": password})


def test_login_with_employee_number_or_mobile(client, staff_a):
    assert _login(client, staff_a.employee_no).status_code == 302
    client.logout()
    assert _login(client, f" {staff_a.mobile} ").status_code == 302
    client.logout()
    response = _login(client, staff_a.mobile, "nope")
    assert response.status_code == 200 and "工号/手机号或密码不正确" in response.content.decode()


def test_imported_account_must_change_password_first(client, inst_a):
    user = User.objects.create(
        employee_no="N1",
        real_name="新人",
        institution=inst_a,
        must_change_password=True,
        password=initial_password_hash("Init-pass-1"),
    )
    assert _login(client, "N1", "Init-pass-1").status_code == 302
    response = client.get("/me/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("org:password_change"))
    assert client.get("/api/v1/me/").status_code == 403
    bad = client.post(
        reverse("org:password_change"),
        {"old_password": "Init-pass-1", "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert bad.status_code == 200
    ok = client.post(
        reverse("org:password_change") + "?next=/me/",
        {"old_password": "Init-pass-1", "new_password1": "Fresh-pass-42", "new_password2": "Fresh-pass-42"},
    )
    assert ok.status_code == 302 and ok["Location"] == "/me/"
    user.refresh_from_db()
    assert not user.must_change_password and user.check_password("Fresh-pass-42")
    assert user.password.startswith("md5$") or user.password.startswith("pbkdf2_sha256$")
    assert client.get("/me/").status_code == 200


def test_login_is_throttled_per_account(client, staff_a):
    cache.clear()
    for _ in range(5):
        _login(client, staff_a.employee_no, "wrong")
    response = _login(client, staff_a.employee_no)  # right password, but locked for now
    assert response.status_code == 200 and "尝试次数过多" in response.content.decode()
    cache.clear()


def test_roster_import_page_preview_then_commit_then_password_sheet(client_for, officer_a, inst_a):
    client = client_for(officer_a)
    buffer = io.BytesIO()
    pd.DataFrame(
        [["甲", "P1", "13811112222", inst_a.name, "内科", "职工"]],
        columns=["姓名", "工号", "手机号", "单位", "科室/岗位", "角色"],
    ).to_excel(buffer, index=False)
    buffer.seek(0)
    buffer.name = "roster.xlsx"
    url = reverse("org_roster_import")
    preview = client.post(url, {"action": "preview", "file": buffer})
    html = preview.content.decode()
    assert preview.status_code == 200 and 'data-count="create">1<' in html
    assert not User.objects.filter(employee_no="P1").exists()
    token = preview.context["token"]
    done = client.post(url, {"action": "commit", "token": token})
    assert User.objects.filter(employee_no="P1", institution=inst_a).exists()
    sheet = done.context["sheet_token"]
    first = client.get(reverse("org_roster_passwords", args=[sheet]))
    assert first.status_code == 200 and first["Content-Type"].startswith("application/vnd.openxmlformats")
    frame = pd.read_excel(io.BytesIO(first.content), dtype=str)
    assert list(frame["工号"]) == ["P1"] and len(frame["初始密码"][0]) == 10
    assert client.get(reverse("org_roster_passwords", args=[sheet])).status_code == 404  # only once


def test_roster_import_page_refused_for_staff(client_for, staff_a):
    assert client_for(staff_a).get(reverse("org_roster_import")).status_code in (302, 403)


def test_import_roster_command_dry_run_and_commit(tmp_path, district_admin, inst_a):
    from django.core.management import call_command

    path = tmp_path / "r.xlsx"
    pd.DataFrame(
        [["甲", "Q1", "", inst_a.name, "", ""]], columns=["姓名", "工号", "手机号", "单位", "科室/岗位", "角色"]
    ).to_excel(path, index=False)
    call_command("import_roster", str(path), "--as", district_admin.employee_no)
    assert not User.objects.filter(employee_no="Q1").exists()
    out = tmp_path / "pw.xlsx"
    call_command(
        "import_roster", str(path), "--as", district_admin.employee_no, "--commit", "--passwords-out", str(out)
    )
    assert User.objects.filter(employee_no="Q1").exists() and out.exists()
