"""Holes found in an outside review of issue 20 (personal information): each test failed before its fix."""

import datetime as dt

import pytest
from django.utils import timezone

from elearn.org.phones import mask_mobile
from elearn.privacy import selectors, services
from elearn.privacy.models import Departure

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/admin/staff/?q={}", "/admin/staff/results/?q={}"])
def test_people_search_cannot_rebuild_a_hidden_number(client_for, officer_a, staff_a, inst_a, url):
    """The listing shows 138****5678; a search that matched the hidden middle digits would tell them one guess at a
    time (about 40 searches with partial matches), a full number without any recorded reveal."""
    from tests.factories import UserFactory

    staff_a.mobile = "13812345678"
    staff_a.save(update_fields=["mobile"])
    other = UserFactory(institution=inst_a, mobile="13999990000")
    client = client_for(officer_a)
    for probe in ("1234", "8123", "13812345678"):
        html = client.get(url.format(probe)).content.decode()
        assert staff_a.real_name not in html, probe
    # searching still works by name and 工号
    html = client.get(url.format(other.employee_no)).content.decode()
    assert other.real_name in html


def test_person_enabled_again_in_the_account_admin_is_not_anonymised(client_for, officer_a, staff_a):
    """Marked as left, then switched back on in 人员 (came back, or marked by mistake): the nightly run must not wipe
    the name of an active colleague and disable them again."""
    services.person_mark_left(actor=officer_a, person=staff_a, left_on=timezone.localdate())
    staff_a.refresh_from_db()
    response = client_for(officer_a).post(
        f"/admin/staff/edit/{staff_a.pk}/",
        {
            "employee_no": staff_a.employee_no,
            "real_name": staff_a.real_name,
            "mobile": mask_mobile(staff_a.mobile),
            "institution": staff_a.institution_id,
            "department": staff_a.department,
            "role": staff_a.role,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    staff_a.refresh_from_db()
    assert staff_a.is_active
    later = timezone.now() + dt.timedelta(days=400)
    assert staff_a.pk not in services.retention_apply(now=later, dry_run=True).anonymised
    result = services.retention_apply(now=later)
    staff_a.refresh_from_db()
    assert staff_a.pk not in result.anonymised
    assert staff_a.is_active and not staff_a.real_name.startswith("已匿名")
    assert "账号已重新启用，不会匿名化" in client_for(officer_a).get("/admin/privacy/departures/").content.decode()
    # once disabled again, the departure takes effect as recorded
    staff_a.is_active = False
    staff_a.save(update_fields=["is_active"])
    assert staff_a.pk in services.retention_apply(now=later).anonymised
    assert Departure.objects.get(user=staff_a).anonymised_at is not None


def test_my_data_names_the_institution_of_who_looked(district_admin, officer_a, staff_a, inst_a):
    """关于我的访问记录's 操作人单位 is the institution of who acted: the district admin (no institution) is not shown as
    the nurse's own hospital."""
    services.mobile_reveal(actor=district_admin, person=staff_a, context="跟进")
    services.mobile_reveal(actor=officer_a, person=staff_a, context="跟进")
    about = next(c for c in selectors.my_data(staff_a) if c.key == "access_about_me")
    by_role = {row["by_role"]: row["by_institution"] for row in about.rows}
    assert by_role == {"区卫健局管理员": "", "单位安全员": inst_a.name}
