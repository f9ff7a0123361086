"""The access log: append-only (no update or delete through the application or the admin), written for every view
of other people's data that succeeded and for nothing refused, readable by the district admin with filters and an
export (itself recorded), and by officers for their own institution only. A response whose record cannot be written
is not sent."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from elearn.privacy import services
from elearn.privacy.exceptions import AppendOnly
from elearn.privacy.models import AccessLog
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _entry(actor, subject, **extra):
    return services.access_record(actor=actor, action=AccessLog.Action.VIEW, what="测试", subject=subject, **extra)


def test_entries_cannot_be_changed_or_deleted_through_the_application(officer_a, staff_a):
    entry = _entry(officer_a, staff_a)
    entry.what = "改写"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AccessLog.objects.filter(pk=entry.pk).update(what="改写")
    with pytest.raises(AppendOnly):
        AccessLog.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.what == "测试" and AccessLog.objects.count() == 1


def test_only_retention_purges_and_only_what_is_older(officer_a, staff_a):
    now = timezone.now()
    recent = _entry(officer_a, staff_a)
    AccessLog.objects.create(
        at=now - timedelta(days=10), actor=officer_a, actor_label="x", action="view", what="旧", subject=staff_a
    )
    assert AccessLog.objects.purge_before(now - timedelta(days=5)) == 1
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [recent.pk]


def test_the_admin_offers_no_screen_that_changes_an_entry(officer_a, staff_a, district_admin, client_for):
    entry = _entry(officer_a, staff_a)
    client = client_for(district_admin)
    page = client.get(reverse("privacy_access_log")).content.decode()
    assert "测试" in page
    for path in (f"/admin/privacy/access-log/{entry.pk}/delete/", f"/admin/privacy/access-log/edit/{entry.pk}/"):
        assert client.post(path).status_code == 404
    assert AccessLog.objects.filter(pk=entry.pk, what="测试").exists()


def test_officers_read_their_institutions_entries_the_admin_all_with_filters(
    officer_a, officer_b, staff_a, staff_b, district_admin, client_for, api_for
):
    _entry(officer_a, staff_a)
    _entry(officer_b, staff_b)
    services.access_record(actor=district_admin, action="export", what="全区导出", count=9)  # several institutions
    a_page = client_for(officer_a).get(reverse("privacy_access_log")).content.decode()
    assert staff_a.real_name in a_page and staff_b.real_name not in a_page and "全区导出" not in a_page
    api = api_for(officer_a)
    seen = api.get("/api/v1/access-log/").json()["results"]
    # The officer's own look at the log (just now, on the page) is an entry of their institution too.
    assert {e["institution"] for e in seen} == {staff_a.institution.name}
    assert {e["subject"] for e in seen} - {""} == {f"{staff_a.real_name}（{staff_a.employee_no}）"}
    assert [e["what"] for e in seen if not e["subject"]] == ["访问记录"]
    assert api.get("/api/v1/access-log/", {"institution": staff_b.institution_id}).status_code == 403
    admin = api_for(district_admin)
    assert admin.get("/api/v1/access-log/").json()["count"] >= 3
    only_exports = admin.get("/api/v1/access-log/", {"action": "export"}).json()["results"]
    assert [e["what"] for e in only_exports] == ["全区导出"]
    about_b = admin.get("/api/v1/access-log/", {"subject": staff_b.employee_no}).json()["results"]
    assert [e["actor_label"] for e in about_b] == [f"{officer_b.real_name}（{officer_b.employee_no}）"]
    today = timezone.localdate().isoformat()
    assert admin.get("/api/v1/access-log/", {"from": today, "to": today, "action": "view"}).json()["count"] >= 2
    bad = admin.get("/api/v1/access-log/", {"from": "yesterday"})
    assert bad.status_code == 400 and "from" in bad.content.decode()
    bad_page = client_for(district_admin).get(reverse("privacy_access_log"), {"action": "drop"})
    assert bad_page.status_code == 400 and "未知操作" in bad_page.content.decode()


def test_exporting_the_log_is_recorded(officer_a, staff_a, district_admin, client_for):
    _entry(officer_a, staff_a)
    client = client_for(district_admin)
    response = client.get(reverse("privacy_access_log_export", args=["csv"]), {"action": "view"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["时间", "操作人", "操作人角色", "操作"] and len(rows) == 2
    assert rows[1][6] == f"{staff_a.real_name}（{staff_a.employee_no}）"
    export = AccessLog.objects.get(action="export")
    assert export.actor == district_admin and export.count == 1 and export.detail == {"action": "view"}


def test_views_of_other_people_are_recorded_refusals_are_not(officer_a, staff_a, staff_b, client_for):
    client = client_for(officer_a)
    assert client.get(reverse("staff:inspect", args=[staff_a.pk])).status_code == 200
    entry = AccessLog.objects.get()
    assert (entry.action, entry.subject, entry.actor, entry.institution_id) == (
        "view",
        staff_a,
        officer_a,
        staff_a.institution_id,
    )
    assert entry.route.startswith("staff:inspect ")
    refused = client.get(reverse("staff:inspect", args=[staff_b.pk]))
    assert refused.status_code in (302, 403)
    # Wagtail finds the object, then refuses the action: nothing is recorded for a refusal.
    assert client.post(reverse("staff:delete", args=[staff_a.pk])).status_code in (302, 403)
    assert AccessLog.objects.count() == 1
    listing = client.get(reverse("staff:index"))
    assert listing.status_code == 200
    entry = AccessLog.objects.latest("pk")
    assert (entry.what, entry.subject, entry.count) == ("人员名单", None, 2)  # staff_a and officer_a


def test_a_response_is_not_sent_when_its_record_cannot_be_written(officer_a, staff_a, client_for, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("log unavailable")

    monkeypatch.setattr(services, "access_record", broken)
    client = client_for(officer_a)
    client.raise_request_exception = False
    response = client.get(reverse("staff:inspect", args=[staff_a.pk]))
    assert response.status_code == 500
    assert staff_a.real_name not in response.content.decode()


def test_the_actor_stays_named_after_their_account_changes(officer_a, staff_a):
    entry = _entry(officer_a, staff_a)
    label = entry.actor_label
    officer_a.real_name = "改名"
    officer_a.save()
    entry.refresh_from_db()
    assert entry.actor_label == label and "改名" not in label
    another = UserFactory(institution=staff_a.institution)
    assert _entry(another, staff_a).actor_role == "staff"
