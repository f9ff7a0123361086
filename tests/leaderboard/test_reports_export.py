"""The campaign workbook and CSVs: sheets, scope, formula injection neutralised, the background task with its
progress page and download link (only for the person who asked)."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from leaderboard.reports import export as report_export
from leaderboard.reports import selectors as rs
from leaderboard.reports.models import ReportExport
from tests.leaderboard.report_factories import build_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(inst_a, inst_b, officer_a, officer_b, district_admin):
    return build_campaign(inst_a, inst_b, officer_a, officer_b)


def sheet_rows(content: bytes, name: str) -> list[tuple]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [tuple(c for c in row) for row in book[name].iter_rows(values_only=True)]


def test_workbook_has_the_four_sheets_with_the_figures(campaign, district_admin):
    _name, plain = report_export.build(district_admin, rs.ReportFilters())
    assert "手机号" not in sheet_rows(plain, "个人成绩")[0] and "手机号" not in sheet_rows(plain, "未参与名单")[0]
    # 含手机号: the mobile column after 姓名 in both person sheets (the figures below use its column numbers).
    name, content = report_export.build(district_admin, rs.ReportFilters(), include_mobile=True)
    assert name.endswith(".xlsx")
    assert sheet_rows(content, "个人成绩")[0][4] == "手机号" == sheet_rows(content, "未参与名单")[0][4]
    book = load_workbook(io.BytesIO(content), read_only=True)
    assert book.sheetnames == ["单位汇总", "个人成绩", "未参与名单", "试题分析"]
    summary = {row[0]: row for row in sheet_rows(content, "单位汇总")[1:]}
    # 甲: roster 5, 3 of 5 completed (60.0), audience 5, sat 3 (60.0), pass rate 66.7
    assert summary["甲镇卫生院"][1:8] == (5, 5, 3, 60.0, 5, 3, 60.0)
    assert summary["甲镇卫生院"][10] == 66.7
    people = sheet_rows(content, "个人成绩")
    assert len(people) == 1 + 8
    a1 = next(r for r in people if r[3] == "甲一")
    assert (a1[7], a1[8], a1[10], a1[11], a1[14]) == ("合格", 30, 100, "是", 1)
    absent = {r[3]: r for r in sheet_rows(content, "未参与名单")[1:]}
    # a3: module unfinished (sat the exam); a4: both; b2: not sat (has the badge); officers have not sat.
    assert set(absent) == {
        "甲三",
        "甲四",
        "乙一",
        "乙二",
        campaign["officer_a"].real_name,
        campaign["officer_b"].real_name,
    }
    assert absent["甲四"][5] == "消防安全必修" and absent["甲四"][6] == "是"
    assert absent["甲三"][6] in (None, "")
    items = sheet_rows(content, "试题分析")
    assert [r[7] for r in items[1:]] == [75.0, 50.0, 25.0]


def test_officer_workbook_holds_only_their_institution(campaign, officer_a):
    _name, content = report_export.build(officer_a, rs.ReportFilters())
    text = repr([sheet_rows(content, s) for s in ("单位汇总", "个人成绩", "未参与名单")])
    assert "甲镇卫生院" in text and "乙" not in text


def test_formula_injection_is_neutralised(campaign, district_admin, inst_a):
    a1 = campaign["a1"]
    a1.real_name, a1.department = '=HYPERLINK("http://x")', "+cmd|' /C calc'!A0"
    a1.save()
    _name, content = report_export.build(district_admin, rs.ReportFilters(), fmt="csv", sheet="people")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    row = next(r for r in rows if "HYPERLINK" in r[3])
    assert row[3].startswith("'=") and row[1].startswith("'+")
    _name, xlsx = report_export.build(district_admin, rs.ReportFilters())
    cells = [r for r in sheet_rows(xlsx, "个人成绩") if r[3] and "HYPERLINK" in r[3]][0]
    assert cells[3].startswith("'=")


def test_export_runs_as_a_task_with_progress_and_download(campaign, client_for, officer_a, officer_b):
    client = client_for(officer_a)
    response = client.post(reverse("leaderboard_report_export_create"), {"format": "xlsx"})
    assert response.status_code == 302
    export = ReportExport.objects.get(requested_by=officer_a)
    assert response["Location"] == reverse("leaderboard_report_export", args=[export.pk])
    # The configured backend in tests runs the task at once; the progress page shows the link.
    assert (export.status, export.progress) == ("done", 100)
    page = client.get(response["Location"]).content.decode()
    assert "data-status-url" in page and reverse("leaderboard_report_export_download", args=[export.pk]) in page
    status = client.get(reverse("leaderboard_report_export_status", args=[export.pk])).json()
    assert status["status"] == "done" and status["download_url"].endswith("/download/")
    download = client.get(status["download_url"])
    assert download.status_code == 200 and download["Content-Disposition"].startswith("attachment")
    assert "乙" not in repr(sheet_rows(download.content, "个人成绩"))
    # Another officer cannot see or fetch it.
    other = client_for(officer_b)
    assert other.get(reverse("leaderboard_report_export_status", args=[export.pk])).status_code == 404
    assert other.get(reverse("leaderboard_report_export_download", args=[export.pk])).status_code == 404


def test_csv_export_of_one_sheet(campaign, client_for, district_admin):
    client = client_for(district_admin)
    client.post(reverse("leaderboard_report_export_create"), {"format": "csv", "sheet": "absent"})
    export = ReportExport.objects.get(requested_by=district_admin)
    assert export.filename.endswith(
        "-absent-" + export.filename.rsplit("-", 2)[-2] + "-" + export.filename.rsplit("-", 1)[-1]
    )
    rows = list(csv.reader(io.StringIO(bytes(export.content).decode("utf-8-sig"))))
    assert rows[0] == report_export.ABSENT_HEADER and len(rows) == 1 + 6
    bad = client.post(reverse("leaderboard_report_export_create"), {"format": "csv", "sheet": "nope"})
    assert bad.status_code == 400 and "工作表" in bad.content.decode()


def test_failed_export_is_recorded(campaign, district_admin, monkeypatch):
    from leaderboard.reports import services as report_services

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(report_export, "build", boom)
    export = report_services.report_export_request(viewer=district_admin, filters=rs.ReportFilters())
    assert export.status == "failed" and "disk full" in export.message
