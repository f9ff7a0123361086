"""Mobile numbers shown only as needed: masked by one rule everywhere (officer pages, admin forms, API, exports), one
number revealed with one tap by a manager who looks after the person, every reveal and every export recorded."""

import io
import json

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from elearn.org.phones import mask_mobile
from elearn.privacy.models import AccessLog
from leaderboard.reports.models import ReportExport
from quizzes.results.selectors import exam_absentees
from tests.leaderboard.report_factories import build_campaign

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("stored", "shown"),
    [
        ("13812341234", "138****1234"),
        ("+86 138-1234-5678", "138****5678"),
        ("0086 13812345678", "138****5678"),
        ("138123456789", "138****6789"),  # malformed, longer: still never whole
        ("1381234", "13****34"),
        ("12345", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_one_masking_rule(stored, shown):
    assert mask_mobile(stored) == shown


@pytest.fixture
def campaign(inst_a, inst_b, officer_a, officer_b, district_admin):
    return build_campaign(inst_a, inst_b, officer_a, officer_b)


def _xlsx_text(content: bytes) -> str:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return repr([[list(r) for r in sheet.iter_rows(values_only=True)] for sheet in book.worksheets])


def test_absentee_list_masks_and_one_tap_reveals_with_a_record(campaign, client_for, officer_a):
    a4 = campaign["a4"]  # has not sat the exam
    client = client_for(officer_a)
    page = client.get(reverse("quizzes_results_exam", args=[campaign["exam"].pk]), {"tab": "absent"})
    html = page.content.decode()
    assert "138****0004" in html and "13800000004" not in html
    reveal_url = reverse("privacy:reveal", args=[a4.pk])
    assert f'action="{reveal_url}"' in html, "the reveal button sits beside the masked number"
    before = AccessLog.objects.filter(action=AccessLog.Action.REVEAL).count()
    answer = client.post(reveal_url, {"context": "未参考名单：安全"}, HTTP_ACCEPT="application/json")
    assert answer.status_code == 200 and answer.json()["mobile"] == "13800000004"
    entry = AccessLog.objects.get(action=AccessLog.Action.REVEAL)
    assert before == 0
    assert (entry.actor, entry.subject, entry.institution_id, entry.with_mobile, entry.count) == (
        officer_a,
        a4,
        a4.institution_id,
        True,
        1,
    )
    assert entry.what == "未参考名单：安全"
    # Without script the form posts and a page shows the number (recorded too).
    page = client.post(reveal_url, {"context": "x"})
    assert page.status_code == 200 and "13800000004" in page.content.decode()
    assert AccessLog.objects.filter(action=AccessLog.Action.REVEAL, subject=a4).count() == 2


def test_reveal_is_refused_outside_the_viewers_people_and_records_nothing(campaign, client_for, api_for, officer_a):
    b1, a1 = campaign["b1"], campaign["a1"]
    client = client_for(officer_a)
    refused = client.post(reverse("privacy:reveal", args=[b1.pk]), HTTP_ACCEPT="application/json")
    assert refused.status_code == 403 and "13800000011" not in refused.content.decode()
    staff = api_for(a1)
    answer = staff.post("/api/v1/privacy/reveal/", {"user": campaign["a2"].pk}, format="json")
    assert answer.status_code == 403 and "13800000002" not in answer.content.decode()
    officer = api_for(officer_a)
    assert officer.post("/api/v1/privacy/reveal/", {"user": b1.pk}, format="json").status_code == 404
    assert not AccessLog.objects.exists()
    answer = officer.post("/api/v1/privacy/reveal/", {"user": a1.pk, "context": "电话通知补考"}, format="json")
    assert answer.status_code == 200 and answer.json() == {"user": a1.pk, "mobile": "13800000001"}
    entry = AccessLog.objects.get()
    assert (entry.action, entry.subject_id, entry.what, entry.actor_id) == (
        "reveal",
        a1.pk,
        "电话通知补考",
        officer_a.pk,
    )


def test_api_lists_mask_every_number(campaign, api_for, officer_a, district_admin):
    api = api_for(officer_a)
    exam = campaign["exam"].pk
    bodies = [
        api.get("/api/v1/staff/").content.decode(),
        api.get(f"/api/v1/staff/{campaign['a1'].pk}/").content.decode(),
        api.get("/api/v1/exam-results/absentees/", {"exam": exam}).content.decode(),
        api.get("/api/v1/exam-results/", {"exam": exam}).content.decode(),
        api.get("/api/v1/reports/followup/").content.decode(),
    ]
    for body in bodies:
        for key in ("a1", "a2", "a3", "a4"):
            number = campaign[key].mobile
            assert number not in body
    assert "138****0004" in bodies[2] and "138****0004" in bodies[4]
    # Each of those responses showed other people's data: five entries, about A's people.
    entries = list(AccessLog.objects.order_by("pk"))
    assert [e.action for e in entries] == ["view"] * 5
    assert {e.institution_id for e in entries} == {officer_a.institution_id}
    assert entries[1].subject_id == campaign["a1"].pk


def test_results_exports_carry_mobile_only_when_asked_and_are_recorded(campaign, client_for, officer_a):
    client = client_for(officer_a)
    url = reverse("quizzes_results_export", args=[campaign["exam"].pk, "absent"])
    plain = client.get(url)
    assert plain.status_code == 200
    text = _xlsx_text(plain.content)
    assert "甲四" in text and "13800000004" not in text and "手机号" not in text
    with_mobile = client.get(url, {"mobile": "1"})
    text = _xlsx_text(with_mobile.content)
    assert "13800000004" in text and "手机号" in text
    results = _xlsx_text(client.get(reverse("quizzes_results_export", args=[campaign["exam"].pk, "results"])).content)
    assert "13800000001" not in results and "甲一" in results
    absent = exam_absentees(campaign["exam"], officer_a).count()
    assert absent >= 1
    entries = list(AccessLog.objects.filter(action=AccessLog.Action.EXPORT).order_by("pk"))
    assert [(e.with_mobile, e.count, e.institution_id, e.actor_id) for e in entries] == [
        (False, absent, officer_a.institution_id, officer_a.pk),
        (True, absent, officer_a.institution_id, officer_a.pk),
        (False, 3, officer_a.institution_id, officer_a.pk),  # a1, a2, a3 sat it
    ]


def test_report_export_with_mobile_is_recorded_when_asked_and_when_downloaded(campaign, api_for, district_admin):
    api = api_for(district_admin)
    asked = api.post(
        "/api/v1/report-exports/", {"format": "csv", "sheet": "absent", "include_mobile": True}, format="json"
    )
    assert asked.status_code == 202
    export = ReportExport.objects.get(pk=asked.json()["id"])
    assert export.params.get("mobile") is True and "13800000004" in bytes(export.content).decode("utf-8-sig")
    plain = api.post("/api/v1/report-exports/", {"format": "csv", "sheet": "absent"}, format="json")
    plain_export = ReportExport.objects.get(pk=plain.json()["id"])
    content = bytes(plain_export.content).decode("utf-8-sig")
    assert "甲四" in content and "13800000004" not in content and "手机号" not in content
    download = api.get(f"/api/v1/report-exports/{export.pk}/download/")
    assert download.status_code == 200
    entries = [(e.action, e.with_mobile, e.detail.get("export")) for e in AccessLog.objects.order_by("pk")]
    assert entries == [
        ("export", True, str(export.pk)),
        ("export", False, str(plain_export.pk)),
        ("download", True, str(export.pk)),
    ]


def test_report_export_form_offers_the_option_and_records_it(campaign, client_for, officer_a):
    client = client_for(officer_a)
    page = client.get(reverse("leaderboard_report_followup")).content.decode()
    assert 'name="mobile" value="1"' in page
    client.post(reverse("leaderboard_report_export_create"), {"format": "csv", "sheet": "people", "mobile": "1"})
    export = ReportExport.objects.get(requested_by=officer_a)
    assert "13800000001" in bytes(export.content).decode("utf-8-sig")
    entry = AccessLog.objects.get(action="export")
    assert entry.with_mobile and entry.institution_id == officer_a.institution_id


def test_staff_admin_form_shows_the_number_masked_and_keeps_it(campaign, client_for, officer_a):
    a1 = campaign["a1"]
    client = client_for(officer_a)
    form = client.get(reverse("staff:edit", args=[a1.pk])).content.decode()
    assert "138****0001" in form and "13800000001" not in form
    inspect = client.get(reverse("staff:inspect", args=[a1.pk])).content.decode()
    assert "138****0001" in inspect and "13800000001" not in inspect
    assert reverse("privacy:reveal", args=[a1.pk]) in inspect
    data = {
        "employee_no": a1.employee_no,
        "real_name": a1.real_name,
        "mobile": "138****0001",  # left as shown
        "institution": a1.institution_id,
        "department": "内科二",
        "role": "staff",
        "is_active": "on",
    }
    assert client.post(reverse("staff:edit", args=[a1.pk]), data).status_code == 302
    a1.refresh_from_db()
    assert (a1.mobile, a1.department) == ("13800000001", "内科二")
    data["mobile"] = "139 0000 1111"
    assert client.post(reverse("staff:edit", args=[a1.pk]), data).status_code == 302
    a1.refresh_from_db()
    assert a1.mobile == "13900001111"
    data["mobile"] = "12345"
    bad = client.post(reverse("staff:edit", args=[a1.pk]), data)
    assert bad.status_code == 200 and "格式不正确" in bad.content.decode()
    views = AccessLog.objects.filter(action="view", subject=a1).count()
    assert views >= 2  # the edit form and the inspect page were recorded


def test_staff_member_sees_their_own_number_in_full_on_my_data(campaign, client_for):
    a1 = campaign["a1"]
    page = client_for(a1).get(reverse("privacy:my_data")).content.decode()
    assert "13800000001" in page
    document = json.loads(client_for(a1).get(reverse("privacy:my_data_download", args=["json"])).content)
    profile = next(t for t in document["tables"] if t["key"] == "profile")
    assert profile["rows"][0]["mobile"] == "13800000001"
