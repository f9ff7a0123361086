"""Review walk of drills (issue 16, part 4): a double-clicked 保存 records one drill, the QR code fills a projector
screen, roster picking among ~100 staff with a search, the district admin's 未完成名单, and the phone's check-in and
我的 → 演练 at 360x740."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from drills import checkin
from drills.models import Attendance, Drill
from tests.drills.factories import DrillFactory
from tests.e2e.conftest import no_horizontal_scroll, screenshot
from tests.factories import PASSWORD, UserFactory

TIMEOUT = 15_000
OUT = Path("/tmp/review16d")


def _shot(page, name, full_page=True):
    OUT.mkdir(parents=True, exist_ok=True)
    screenshot(page, OUT / f"{name}.png", full_page=full_page)


def test_double_clicked_save_records_one_drill(server, desktop, login, inst_a, officer_a):
    login(desktop, officer_a, next_path="/admin/drills/new/")
    expect(desktop.locator("[data-drill-form]")).to_be_visible(timeout=TIMEOUT)
    desktop.select_option("#id_kind", "drill")
    desktop.select_option("#id_category", "fire")
    desktop.fill("#id_title", "🚒 门诊楼消防疏散演练（第1次）")
    desktop.fill("#id_date", "2026-03-02")
    desktop.fill("#id_starts_at", "09:00")
    desktop.fill("#id_ends_at", "10:30")
    desktop.fill("#id_duration_minutes", "90")
    desktop.fill("#id_scenario", "模拟二楼配电间起火，组织疏散。" * 150)
    _shot(desktop, "officer-form-filled")
    desktop.dblclick("[data-drill-form] button[type=submit]")
    desktop.wait_for_url(re.compile(r"/admin/drills/\d+/$"), timeout=TIMEOUT)
    desktop.wait_for_load_state("networkidle")
    _shot(desktop, "officer-form-saved")
    assert Drill.objects.count() == 1


def test_walk_qr_roster_missing_and_phone(
    server, browser, desktop, phone, login, inst_a, inst_b, officer_a, district_admin
):
    staff = [UserFactory(institution=inst_a, department=f"科室{i % 7}", real_name=f"职工{i:03d}") for i in range(100)]
    drill = DrillFactory(institution=inst_a, title="门诊楼消防疏散演练", planned_participants=100)
    login(desktop, officer_a, next_path=f"/admin/drills/{drill.pk}/qr/")
    expect(desktop.locator("[data-qr]")).to_be_visible(timeout=TIMEOUT)
    box = desktop.locator("[data-qr]").bounding_box()
    _shot(desktop, "qr-1366x768", full_page=False)
    assert box["height"] >= 0.6 * 768, box  # readable from the back of a room

    desktop.goto(f"{server}/admin/drills/{drill.pk}/roster/")
    expect(desktop.locator("[data-roster]")).to_be_visible(timeout=TIMEOUT)
    _shot(desktop, "roster-100")
    desktop.fill("input[name=q]", "职工05")
    desktop.press("input[name=q]", "Enter")
    desktop.wait_for_load_state("networkidle")
    rows = desktop.locator("[data-roster] tbody tr")
    assert rows.count() == 10
    desktop.locator("[data-roster] tbody input[type=checkbox]").first.check()
    desktop.click("[data-roster] button[type=submit]")
    desktop.wait_for_url(re.compile(rf"/admin/drills/{drill.pk}/$"), timeout=TIMEOUT)
    _shot(desktop, "attendance-list")
    assert Attendance.objects.filter(drill=drill).count() == 1

    admin = browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    try:
        page = admin.new_page()
        login(page, district_admin, next_path="/admin/drills/missing/")
        expect(page.locator("[data-missing]")).to_be_visible(timeout=TIMEOUT)
        _shot(page, "missing")
    finally:
        admin.close()

    me = staff[0]
    url = f"{server}/drills/checkin/{checkin.make_token(drill.pk, drill.checkin_secret)}/?from=singlemessage"
    phone.goto(url)
    expect(phone.locator("#id_username")).to_be_visible(timeout=TIMEOUT)
    _shot(phone, "phone-login-from-scan")
    phone.fill("#id_username", me.employee_no)
    phone.fill("#id_password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(re.compile(r"/drills/checkin/"), timeout=TIMEOUT)
    _shot(phone, "phone-checkin-ready")
    phone.click("button.checkin-button")
    expect(phone.locator("h1")).to_have_text("签到成功", timeout=TIMEOUT)
    _shot(phone, "phone-checkin-done")
    assert no_horizontal_scroll(phone)
    phone.goto(f"{server}/me/")
    _shot(phone, "phone-me")
    phone.goto(f"{server}/drills/mine/")
    expect(phone.locator("[data-my-drill]")).to_contain_text("门诊楼消防疏散演练")
    _shot(phone, "phone-mine")
    assert no_horizontal_scroll(phone)
