"""/api/v1/reports/... and /api/v1/report-exports/...: the same figures as the dashboard, through the same permission
helper (a safety officer gets only their institution; staff get 403)."""

import io

import pytest
from openpyxl import load_workbook

from tests.leaderboard.report_factories import build_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(inst_a, inst_b, officer_a, officer_b, district_admin):
    return build_campaign(inst_a, inst_b, officer_a, officer_b)


def test_dashboard_api_for_the_district_admin(campaign, api_for, district_admin, inst_a, inst_b):
    body = api_for(district_admin).get("/api/v1/reports/dashboard/").json()
    rows = {r["institution_id"]: r for r in body["institutions"]}
    assert set(rows) == {inst_a.pk, inst_b.pk}
    # Same hand-computed figures as tests/leaderboard/test_reports_selectors.py.
    assert (rows[inst_a.pk]["sat_share"], rows[inst_a.pk]["pass_rate"], rows[inst_a.pk]["mean_score"]) == (
        60.0,
        66.7,
        66.7,
    )
    assert (body["total"]["sat_share"], body["total"]["pass_rate"], body["total"]["median_score"]) == (50.0, 50.0, 50.0)
    assert body["exam"]["id"] == campaign["exam"].pk
    assert len(body["histogram"]) == 10 and body["daily"][-1]["exam"] == 4


def test_officer_api_is_scoped_everywhere(campaign, api_for, officer_a, inst_a, inst_b):
    api = api_for(officer_a)
    body = api.get("/api/v1/reports/dashboard/").json()
    assert [r["institution_id"] for r in body["institutions"]] == [inst_a.pk]
    assert api.get("/api/v1/reports/dashboard/", {"institution": inst_b.pk}).status_code == 403
    followup = api.get("/api/v1/reports/followup/").json()
    names = {r["user"]["real_name"] for r in followup["not_studied"]} | {u["real_name"] for u in followup["not_sat"]}
    assert names == {"甲三", "甲四", officer_a.real_name}
    assert all(u["institution"] == "甲镇卫生院" for u in followup["not_sat"])
    items = api.get("/api/v1/reports/items/", {"exam": campaign["exam"].pk}).json()
    assert items["attempts"] == 3 and {c["institution"] for c in items["categories"]} == {"甲镇卫生院"}
    integrity = api.get("/api/v1/reports/integrity/", {"exam": campaign["exam"].pk}).json()
    assert [r["real_name"] for r in integrity["fast"]] == ["甲三"]


def test_item_analysis_api_figures(campaign, api_for, district_admin):
    body = api_for(district_admin).get("/api/v1/reports/items/", {"exam": campaign["exam"].pk}).json()
    got = [(i["facility"], i["discrimination"]) for i in body["items"]]
    assert got == [(75.0, 52.2), (50.0, 70.7), (25.0, 52.2)]  # worked out in test_reports_selectors.py


def test_staff_and_bad_input(campaign, api_for, district_admin):
    staff = api_for(campaign["a1"])
    for url in ("/api/v1/reports/dashboard/", "/api/v1/reports/followup/", "/api/v1/report-exports/"):
        assert staff.get(url).status_code in (403, 405)
    assert staff.post("/api/v1/report-exports/", {"format": "xlsx"}).status_code == 403
    bad = api_for(district_admin).get("/api/v1/reports/dashboard/", {"to": "2026-02-30"})
    assert bad.status_code == 400 and bad.json()["error"] == "to"


def test_export_api_task_progress_and_download(campaign, api_for, officer_a, officer_b):
    api = api_for(officer_a)
    created = api.post("/api/v1/report-exports/", {"format": "xlsx"}, format="json")
    assert created.status_code == 202
    export = created.json()
    assert export["status"] == "done" and export["progress"] == 100
    status = api.get(f"/api/v1/report-exports/{export['id']}/").json()
    download = api.get(status["download_url"])
    assert download.status_code == 200
    book = load_workbook(io.BytesIO(download.content), read_only=True)
    people = [r[3] for r in book["个人成绩"].iter_rows(min_row=2, values_only=True)]
    assert "甲一" in people and "乙一" not in people
    assert api_for(officer_b).get(f"/api/v1/report-exports/{export['id']}/").status_code == 404
    csv_missing_sheet = api.post("/api/v1/report-exports/", {"format": "csv"}, format="json")
    assert csv_missing_sheet.status_code == 400 and csv_missing_sheet.json()["error"] == "sheet"
