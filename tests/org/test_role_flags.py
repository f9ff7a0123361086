"""The role is the one source of an account's rights: Django's is_staff, is_superuser, groups and direct permissions
follow it on every kind of change, both ways (promotion and demotion). Officers never touch an admin account, active
or not, by the 人员 admin or a roster import."""

import importlib
import io

import pandas as pd
import pytest
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, models
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from elearn.org.models import User
from elearn.org.permissions import can_manage_user, managed_users
from elearn.org.roles import OFFICER_GROUP
from elearn.org.services import roster_import
from tests.factories import AdminFactory, OfficerFactory, UserFactory

HEADER = ["姓名", "工号", "手机号", "单位", "科室/岗位", "角色"]
EXPECTED = {
    User.Role.STAFF: (False, False, set()),
    User.Role.OFFICER: (True, False, {OFFICER_GROUP}),
    User.Role.ADMIN: (True, True, set()),
}


def xlsx(rows) -> bytes:
    buffer = io.BytesIO()
    pd.DataFrame(rows, columns=HEADER).to_excel(buffer, index=False)
    return buffer.getvalue()


def rights_beyond_role() -> list[str]:
    """Every account whose stored flags, groups or direct permissions differ from what its role gives."""
    wrong = []
    for user in User.objects.prefetch_related("groups", "user_permissions"):
        is_staff, is_superuser, groups = EXPECTED[user.role]
        actual = (user.is_staff, user.is_superuser, {g.name for g in user.groups.all()})
        if actual != (is_staff, is_superuser, groups) or user.user_permissions.exists():
            wrong.append(f"{user.employee_no} ({user.role}): staff/superuser/groups {actual}")
    return wrong


def fresh_client(user) -> Client:
    """A client whose session loads the account from the database, as the next request after a change would."""
    client = Client()
    client.force_login(User.objects.get(pk=user.pk))
    return client


def assert_has_no_admin_reach(user):
    user = User.objects.get(pk=user.pk)
    assert not user.is_superuser and not user.is_district_admin
    client = fresh_client(user)
    bank = client.get("/api/v1/bank/questions/")
    assert bank.status_code == 403 and b"correct_options" not in bank.content
    accounts = client.get("/admin/users/")
    assert accounts.status_code in (302, 403)
    assert accounts.status_code == 403 or "/admin/users/" not in accounts["Location"].split("?")[0]


@pytest.fixture
def admin_in_a(inst_a):
    return AdminFactory(institution=inst_a, real_name="被降级的管理员")


def test_an_admin_has_admin_reach_before_the_demotion(admin_in_a):
    """The baseline the demotion tests rely on: the same checks let an admin in."""
    client = fresh_client(admin_in_a)
    assert client.get("/api/v1/bank/questions/").status_code == 200
    assert client.get("/admin/users/").status_code == 200
    assert rights_beyond_role() == []


# --- demotion by each route -----------------------------------------------------------------------------------


def test_demoted_by_model_save(admin_in_a):
    admin_in_a.role = User.Role.STAFF
    admin_in_a.save()
    assert rights_beyond_role() == []
    assert_has_no_admin_reach(admin_in_a)


def test_demoted_by_save_with_update_fields(admin_in_a):
    admin_in_a.role = User.Role.STAFF
    admin_in_a.save(update_fields=["role"])
    assert rights_beyond_role() == []
    assert_has_no_admin_reach(admin_in_a)


def test_demoted_in_the_staff_admin_form_by_another_admin(client_for, district_admin, admin_in_a, inst_a):
    data = {
        "employee_no": admin_in_a.employee_no,
        "real_name": admin_in_a.real_name,
        "mobile": admin_in_a.mobile,
        "institution": inst_a.pk,
        "department": "院办",
        "role": "staff",
        "is_active": "on",
    }
    response = client_for(district_admin).post(reverse("staff:edit", args=[admin_in_a.pk]), data)
    assert response.status_code == 302
    admin_in_a.refresh_from_db()
    assert admin_in_a.role == User.Role.STAFF
    assert rights_beyond_role() == []
    assert_has_no_admin_reach(admin_in_a)


def test_demoted_by_a_roster_import(district_admin, admin_in_a, inst_a):
    rows = [[admin_in_a.real_name, admin_in_a.employee_no, admin_in_a.mobile, inst_a.name, "院办", "职工"]]
    result = roster_import(data=xlsx(rows), filename="r.xlsx", actor=district_admin)
    assert result.updated == 1
    assert rights_beyond_role() == []
    assert_has_no_admin_reach(admin_in_a)


def test_demoted_by_a_queryset_update(admin_in_a):
    User.objects.filter(pk=admin_in_a.pk).update(role=User.Role.STAFF)
    assert rights_beyond_role() == []
    assert_has_no_admin_reach(admin_in_a)


def test_demoted_by_bulk_update(admin_in_a):
    admin_in_a.role = User.Role.STAFF
    User.objects.bulk_update([admin_in_a], ["role"])
    assert rights_beyond_role() == []
    assert_has_no_admin_reach(admin_in_a)


def test_an_admin_demoted_to_officer_keeps_only_an_officers_reach(district_admin, admin_in_a, inst_a):
    rows = [[admin_in_a.real_name, admin_in_a.employee_no, admin_in_a.mobile, inst_a.name, "院办", "单位安全员"]]
    roster_import(data=xlsx(rows), filename="r.xlsx", actor=district_admin)
    assert rights_beyond_role() == []
    assert_has_no_admin_reach(admin_in_a)
    assert fresh_client(admin_in_a).get(reverse("staff:index")).status_code == 200  # the officer's own screens


def test_officer_demoted_to_staff_loses_the_admin_and_its_group(officer_a):
    assert fresh_client(officer_a).get("/admin/").status_code == 200
    officer_a.role = User.Role.STAFF
    officer_a.save()
    assert rights_beyond_role() == []
    assert fresh_client(officer_a).get("/admin/").status_code == 302


# --- the other direction, and every other kind of write -----------------------------------------------------


def test_promotion_gives_the_flags_of_the_new_role(staff_a):
    staff_a.role = User.Role.OFFICER
    staff_a.save()
    assert rights_beyond_role() == []
    User.objects.filter(pk=staff_a.pk).update(role=User.Role.ADMIN)
    assert rights_beyond_role() == []
    assert User.objects.get(pk=staff_a.pk).is_district_admin


def test_flags_set_by_hand_do_not_stick(staff_a, officer_a):
    staff_a.is_superuser = True
    staff_a.is_staff = True
    staff_a.save()
    User.objects.filter(pk=officer_a.pk).update(is_superuser=True)
    officer_a.is_superuser = True
    User.objects.bulk_update([officer_a], ["is_superuser"])
    assert rights_beyond_role() == []


def test_bulk_create_and_create_superuser_derive_the_flags(inst_a):
    User.objects.bulk_create(
        [
            User(employee_no="BK1", real_name="甲", role=User.Role.ADMIN, is_superuser=False),
            User(employee_no="BK2", real_name="乙", role=User.Role.OFFICER, institution=inst_a),
            User(employee_no="BK3", real_name="丙", role=User.Role.STAFF, is_superuser=True, is_staff=True),
        ]
    )
    User.objects.create_superuser("ROOT", "pw-long-enough-1")
    assert rights_beyond_role() == []
    assert User.objects.get(employee_no="ROOT").is_district_admin


def test_groups_and_permissions_given_by_hand_are_taken_back(staff_a, officer_a):
    editors, _ = Group.objects.get_or_create(name="Editors")
    staff_a.groups.add(editors)
    officer_a.groups.set([editors])
    editors.user_set.add(staff_a)
    staff_a.user_permissions.add(Permission.objects.get(codename="access_admin"))
    Group.objects.get(name=OFFICER_GROUP).user_set.clear()
    assert rights_beyond_role() == []


def test_wagtail_account_admin_cannot_make_staff_a_superuser(client_for, district_admin, staff_a):
    editors, _ = Group.objects.get_or_create(name="Editors")
    data = {
        "employee_no": staff_a.employee_no,
        "email": "x@example.com",
        "first_name": "x",
        "last_name": "y",
        "password1": "Takeover-pass-2024",
        "password2": "Takeover-pass-2024",
        "is_active": "on",
        "is_superuser": "on",
        "groups": [editors.pk],
    }
    response = client_for(district_admin).post(f"/admin/users/edit/{staff_a.pk}/", data)
    assert response.status_code == 302
    assert rights_beyond_role() == []
    assert_has_no_admin_reach(staff_a)


def test_the_data_migration_repairs_existing_rows(staff_a, officer_a, admin_in_a):
    from django.apps import apps

    editors, _ = Group.objects.get_or_create(name="Editors")
    plain = models.QuerySet(User)  # what the rows could hold before this change: no derivation on the way in
    plain.filter(pk=staff_a.pk).update(is_superuser=True, is_staff=True)
    plain.filter(pk=officer_a.pk).update(is_staff=False)
    plain.filter(pk=admin_in_a.pk).update(is_superuser=False)
    User.groups.through.objects.filter(user_id=officer_a.pk).delete()
    User.groups.through.objects.create(user_id=staff_a.pk, group_id=editors.pk)
    User.user_permissions.through.objects.create(
        user_id=staff_a.pk, permission_id=Permission.objects.get(codename="access_admin").pk
    )
    assert len(rights_beyond_role()) == 3

    migration = importlib.import_module("elearn.org.migrations.0002_role_is_the_source_of_flags")
    migration.flags_from_role(apps, None)
    assert rights_beyond_role() == []


# --- an inactive admin is still an admin account ------------------------------------------------------------------


@pytest.fixture
def inactive_admin(inst_a):
    admin = AdminFactory(institution=inst_a, real_name="停用的管理员")
    admin.is_active = False
    admin.save()
    return admin


def test_the_permission_rule_judges_the_targets_role_not_its_activity(officer_a, inactive_admin):
    assert not can_manage_user(officer_a, inactive_admin)
    assert inactive_admin not in managed_users(officer_a)


def test_an_officer_cannot_open_or_reactivate_an_inactive_admin_in_the_staff_admin(
    client_for, officer_a, inactive_admin, inst_a
):
    client = client_for(officer_a)
    for view in ("staff:edit", "staff:inspect", "staff:delete", "staff:copy"):
        response = client.get(reverse(view, args=[inactive_admin.pk]))
        assert response.status_code in (302, 403), view
    data = {
        "employee_no": inactive_admin.employee_no,
        "real_name": inactive_admin.real_name,
        "mobile": inactive_admin.mobile,
        "institution": inst_a.pk,
        "department": "",
        "role": "officer",
        "is_active": "on",
    }
    client.post(reverse("staff:edit", args=[inactive_admin.pk]), data)
    inactive_admin.refresh_from_db()
    assert not inactive_admin.is_active and inactive_admin.role == User.Role.ADMIN
    assert rights_beyond_role() == []


def test_an_officer_cannot_rewrite_an_inactive_admin_by_roster_import(officer_a, inactive_admin, inst_a):
    from elearn.org.exceptions import RosterRejected
    from elearn.org.roster import roster_plan

    rows = [[inactive_admin.real_name, inactive_admin.employee_no, "", inst_a.name, "", "单位安全员"]]
    plan = roster_plan(data=xlsx(rows), filename="r.xlsx", actor=officer_a)
    assert [(i.row, i.column) for i in plan.rejected] == [(2, "工号")]
    with pytest.raises(RosterRejected):
        roster_import(data=xlsx(rows), filename="r.xlsx", actor=officer_a)
    inactive_admin.refresh_from_db()
    assert inactive_admin.role == User.Role.ADMIN and not inactive_admin.is_active


def test_the_whole_takeover_sequence_is_refused(client_for, district_admin, officer_a, inst_a):
    """An admin is disabled; an officer of the same institution tries to bring the account back with an officer's
    role. Nothing the officer does reaches it, and the account stays without any reach."""
    admin = AdminFactory(institution=inst_a)
    client = client_for(district_admin)
    data = {
        "employee_no": admin.employee_no,
        "real_name": admin.real_name,
        "mobile": admin.mobile,
        "institution": inst_a.pk,
        "department": "",
        "role": "admin",
    }  # is_active left out: unticked
    assert client.post(reverse("staff:edit", args=[admin.pk]), data).status_code == 302
    admin.refresh_from_db()
    assert not admin.is_active and not admin.is_district_admin

    officer_client = client_for(officer_a)
    officer_client.post(reverse("staff:edit", args=[admin.pk]), {**data, "role": "officer", "is_active": "on"})
    rows = [[admin.real_name, admin.employee_no, "", inst_a.name, "", "单位安全员"]]
    preview = officer_client.post(reverse("org_roster_import"), {"file": SimpleUploadedFile("r.xlsx", xlsx(rows))})
    assert preview.status_code == 200 and not preview.context["plan"].ok  # rejected: nothing to confirm
    admin.refresh_from_db()
    assert not admin.is_active and admin.role == User.Role.ADMIN
    assert rights_beyond_role() == []


def test_officers_still_manage_their_own_staff(client_for, officer_a, staff_a, inst_a):
    assert can_manage_user(officer_a, staff_a)
    other_officer = OfficerFactory(institution=inst_a)
    assert can_manage_user(officer_a, other_officer)
    data = {
        "employee_no": staff_a.employee_no,
        "real_name": "新名字",
        "mobile": staff_a.mobile,
        "institution": inst_a.pk,
        "department": "内科",
        "role": "officer",
        "is_active": "on",
    }
    assert client_for(officer_a).post(reverse("staff:edit", args=[staff_a.pk]), data).status_code == 302
    staff_a.refresh_from_db()
    assert staff_a.real_name == "新名字" and staff_a.role == User.Role.OFFICER
    assert rights_beyond_role() == []


def test_staff_factory_accounts_start_consistent(db):
    UserFactory()
    OfficerFactory()
    AdminFactory(institution=None)
    assert rights_beyond_role() == []


@pytest.mark.django_db
def test_only_roles_that_open_the_admin_get_the_user_bar_and_candidates_pay_no_permission_queries(
    client_for, staff_a, officer_a, district_admin
):
    """Wagtail's user bar checks the admin permission, which loads every permission of the account: two queries on
    every page. A staff account holds none (its role gives none, and rights_follow_the_role takes back what is given by
    hand), so its pages skip the check; officers and admins still get the bar."""
    page = "/exams/"
    with CaptureQueriesContext(connection) as queries:
        response = client_for(staff_a).get(page)
    assert response.status_code == 200 and b"wagtail-userbar" not in response.content
    assert not [q for q in queries if "auth_permission" in q["sql"]]
    for person in (officer_a, district_admin):
        assert b"wagtail-userbar" in client_for(person).get(page).content
