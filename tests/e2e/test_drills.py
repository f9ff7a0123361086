"""Drills end to end: an officer records a drill with a photo on the desktop, shows its check-in QR code full screen
(1366x768, nothing to scroll), a member of staff scans it on a 360x740 phone (login, then back) and is checked in,
staff of another institution are refused, and the officer's screen counts the check-in."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import expect

from drills import checkin
from drills.models import Attendance, Drill
from tests.drills.factories import _around_now, jpeg_with_gps, span_minutes
from tests.e2e.conftest import no_horizontal_scroll
from tests.factories import PASSWORD, UserFactory

TIMEOUT = 15_000
FITS = (
    "() => document.documentElement.scrollHeight <= window.innerHeight"
    " && document.documentElement.scrollWidth <= window.innerWidth + 1"
)


def test_drill_record_qr_and_phone_checkin(
    server, browser, desktop, phone, login, shot, tmp_path, inst_a, inst_b, officer_a
):
    from django.utils import timezone

    staff = UserFactory(institution=inst_a, real_name="扫码职工")
    stranger = UserFactory(institution=inst_b, real_name="外院职工")
    photo = tmp_path / "drill.jpg"
    photo.write_bytes(jpeg_with_gps().read())
    start, end = _around_now()

    # 1. The officer records the drill, with a photo, in the admin.
    login(desktop, officer_a, next_path="/admin/drills/new/")
    expect(desktop.locator("[data-drill-form]")).to_be_visible(timeout=TIMEOUT)
    desktop.select_option("#id_kind", "drill")
    desktop.select_option("#id_category", "fire")
    desktop.fill("#id_title", "门诊楼消防疏散演练")
    desktop.fill("#id_date", timezone.localdate().isoformat())
    desktop.fill("#id_starts_at", start.strftime("%H:%M"))
    desktop.fill("#id_ends_at", end.strftime("%H:%M"))
    desktop.fill("#id_place", "门诊楼一楼")
    desktop.fill("#id_scenario", "模拟二楼配电间起火，组织疏散。")
    # The form takes whole minutes, so the span is of the times as typed (shorter than 60 near midnight).
    typed = [dt.datetime.strptime(t.strftime("%H:%M"), "%H:%M").time() for t in (start, end)]
    desktop.fill("#id_duration_minutes", str(min(60, span_minutes(*typed))))
    desktop.fill("#id_planned_participants", "30")
    desktop.fill("#id_problems", "个别人员不熟悉疏散路线")
    desktop.fill("#id_improvements", "张贴疏散示意图")
    desktop.set_input_files("#id_photos", str(photo))
    desktop.click("[data-drill-form] button[type=submit]")
    desktop.wait_for_url(re.compile(r"/admin/drills/\d+/$"), timeout=TIMEOUT)
    drill = Drill.objects.get(title="门诊楼消防疏散演练")
    assert drill.institution == inst_a and drill.photos.count() == 1
    expect(desktop.locator("[data-photo] img")).to_be_visible()
    assert desktop.locator("[data-photo] img").evaluate("img => img.naturalWidth") > 0  # served by the checked view
    shot(desktop, "drills-officer-record")

    # 2. The full-screen QR page fits the laptop's screen.
    desktop.click("[data-open-qr]")
    desktop.wait_for_url(re.compile(r"/admin/drills/\d+/qr/$"), timeout=TIMEOUT)
    expect(desktop.locator("[data-count]")).to_have_text("0")
    assert desktop.locator("[data-qr]").evaluate("img => img.naturalWidth") > 0
    assert desktop.evaluate(FITS), "the QR page must not scroll at 1366x768"
    shot(desktop, "drills-qr-1366x768", full_page=False)

    # 3. A member of staff scans it: not logged in yet -> login -> back to the check-in page -> 签到成功.
    url = f"{server}/drills/checkin/{checkin.make_token(drill.pk, drill.checkin_secret)}/"
    phone.goto(url)
    expect(phone.locator("#id_username")).to_be_visible(timeout=TIMEOUT)
    phone.fill("#id_username", staff.employee_no)
    phone.fill("#id_password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(re.compile(r"/drills/checkin/"), timeout=TIMEOUT)
    phone.click("button.checkin-button")
    expect(phone.locator("h1")).to_have_text("签到成功", timeout=TIMEOUT)
    expect(phone.locator("[data-drill-title]")).to_have_text("门诊楼消防疏散演练")
    assert no_horizontal_scroll(phone)
    shot(phone, "drills-phone-checked-in")
    phone.goto(url)
    expect(phone.locator("h1")).to_have_text("已签到")
    assert Attendance.objects.filter(drill=drill, user=staff).count() == 1

    # 4. Staff of another institution are refused, without the drill's title.
    other = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True, locale="zh-CN")
    try:
        page = other.new_page()
        login(page, stranger, next_path="/")
        page.goto(url)
        expect(page.locator("[data-refusal]")).to_contain_text("不是本单位的演练", timeout=TIMEOUT)
        expect(page.locator("body")).not_to_contain_text("门诊楼消防疏散演练")
        shot(page, "drills-phone-foreign-refused")
    finally:
        other.close()
    assert not Attendance.objects.filter(user=stranger).exists()

    # 5. The officer's screen counts the check-in (polling), and 我的 lists it for the staff member.
    expect(desktop.locator("[data-count]")).to_have_text("1", timeout=TIMEOUT)
    shot(desktop, "drills-qr-counted", full_page=False)
    phone.goto(f"{server}/drills/mine/")
    expect(phone.locator("[data-my-drill]")).to_contain_text("门诊楼消防疏散演练")
    assert no_horizontal_scroll(phone)
    shot(phone, "drills-phone-mine")
