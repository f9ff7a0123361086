"""The campaign dashboard in a desktop browser (1366x768): the district admin sees every institution with the
charts; an export shows its progress and a download link; a safety officer sees only their institution."""

import pytest

from content.demo import ensure_page_tree
from leaderboard.reports.models import ReportExport
from tests.factories import OfficerFactory
from tests.leaderboard import report_bulk


@pytest.fixture
def bulk_campaign(transactional_db):
    ensure_page_tree()  # the admin's page explorer needs Wagtail's root, which earlier flushes removed
    return report_bulk.build(institutions=12, staff=360, questions_per_paper=10, bank_size=20, sat_share=0.8, days=14)


def test_dashboard_at_1366_for_the_district_admin(server, desktop, login, shot, district_admin, bulk_campaign):
    login(desktop, district_admin, next_path="/admin/reports/")
    desktop.goto(f"{server}/admin/reports/")
    desktop.wait_for_selector("[data-report=dashboard]")
    body = desktop.inner_text("body")
    assert "活动报表" in body and bulk_campaign.exam.title in body
    # One row per institution, the three charts drawn as inline SVG with bars and lines.
    assert desktop.locator("table[data-institutions] tbody tr").count() == 12
    assert desktop.locator("select[name=institution] option").count() == 13  # 全部单位 + each one
    assert desktop.locator("figure.report-chart").count() == 3
    assert desktop.locator("figure.report-chart rect.bar").count() > 12
    assert desktop.locator("figure.report-chart polyline.line").count() == 3
    assert desktop.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(desktop, "reports-dashboard-1366", full_page=False)
    # The admin scrolls inside its own container: a tall window shows the whole dashboard in one picture.
    desktop.set_viewport_size({"width": 1366, "height": 2200})
    shot(desktop, "reports-dashboard-1366-full", full_page=False)
    desktop.set_viewport_size({"width": 1366, "height": 768})

    # Item analysis: the planted too-easy and too-hard questions are flagged.
    desktop.click("nav.report-nav >> text=试题分析与诚信")
    desktop.wait_for_selector("[data-report=items]")
    items = desktop.inner_text("table[data-items]")
    assert "过易" in items and "过难" in items
    shot(desktop, "reports-items-1366")

    # Export: the progress page ends with a download link.
    desktop.goto(f"{server}/admin/reports/")
    desktop.click("button[name=format][value=xlsx]")
    desktop.wait_for_selector("[data-download]:not([hidden]) a[data-download-link]", timeout=30000)
    assert "已完成" in desktop.inner_text("[data-step]")
    shot(desktop, "reports-export-1366", full_page=False)
    with desktop.expect_download() as info:
        desktop.click("a[data-download-link]")
    assert info.value.suggested_filename.endswith(".xlsx")


def test_officer_dashboard_shows_only_their_institution(server, desktop, login, shot, bulk_campaign):
    mine, other = bulk_campaign.institutions[0], bulk_campaign.institutions[1]
    officer = OfficerFactory(institution=mine)
    login(desktop, officer, next_path="/admin/reports/")
    desktop.goto(f"{server}/admin/reports/")
    desktop.wait_for_selector("[data-report=dashboard]")
    rows = desktop.locator("table[data-institutions] tbody tr")
    assert rows.count() == 1 and mine.name in rows.first.inner_text()
    assert desktop.locator("select[name=institution] option").all_inner_texts() == [mine.name]
    assert other.name not in desktop.inner_text("body")
    shot(desktop, "reports-dashboard-officer-1366", full_page=False)


def test_progress_page_polls_until_the_file_is_ready(server, desktop, login, bulk_campaign):
    officer = OfficerFactory(institution=bulk_campaign.institutions[0])
    export = ReportExport.objects.create(
        requested_by=officer, status=ReportExport.Status.RUNNING, progress=40, step="汇总各单位"
    )
    login(desktop, officer)
    desktop.goto(f"{server}/admin/reports/exports/{export.pk}/")
    assert "汇总各单位 · 40%" in desktop.inner_text("[data-step]")
    assert desktop.locator("[data-download]").is_hidden()
    # The background task finishes: the page notices on its next poll and shows the link.
    ReportExport.objects.filter(pk=export.pk).update(
        status=ReportExport.Status.DONE, progress=100, content=b"a,b\n", filename="report.csv", format="csv", size=4
    )
    desktop.wait_for_selector("[data-download]:not([hidden]) a[data-download-link]", timeout=15000)
    assert desktop.inner_text("[data-filename]") == "report.csv"
