"""隐患随手拍 end to end: on a 360x740 phone a member of staff sends a named report and an anonymous one with camera
photos (JPEG with GPS EXIF) through the outbox form; the institution's officer handles both to 已验收 in the admin
(desktop 1366x768), never seeing the report sent straight to the bureau; the anonymous reporter follows theirs by
the receipt code and sees 已验收. The receipt code never reaches the server's access log."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from hazards import services
from hazards.models import HazardReport, State
from tests.e2e.conftest import access_log_path, no_horizontal_scroll
from tests.factories import InstitutionFactory, OfficerFactory, UserFactory
from tests.hazards.factories import gps_jpeg

pytestmark = pytest.mark.e2e


def camera_photo(name: str, color=(200, 60, 40)) -> dict:
    return {"name": name, "mimeType": "image/jpeg", "buffer": gps_jpeg(color, size=(2400, 1800)).read()}


def fill_report(page, *, description: str, anonymous: bool) -> None:
    page.set_input_files("input[name=photos]", [camera_photo(f"{uuid.uuid4().hex[:6]}.jpg")])
    page.check("input[name=category][value=fire]")
    page.fill("input[name=location]", "门诊楼")
    page.fill("input[name=place]", "三楼东侧楼梯间")
    page.fill("textarea[name=description]", description)
    page.check("input[name=judgement][value=maybe_major]")
    if anonymous:
        page.check("input[name=anonymous]")


def handle_to_verified(page, server, report: HazardReport) -> None:
    page.goto(f"{server}/admin/hazards/{report.pk}/")
    page.locator("form[data-action=accept] button").click()
    expect(page.locator("form[data-action=start]")).to_be_visible()
    page.locator("form[data-action=start] button").click()
    form = page.locator("form[data-action=rectified]")
    expect(form).to_be_visible()
    form.locator("input[type=file]").set_input_files([camera_photo("fixed.jpg", (30, 160, 60))])
    form.locator("input[name=note]").fill("已清理杂物，通道畅通")
    form.locator("button").click()
    expect(page.locator("form[data-action=verify]")).to_be_visible()
    page.locator("form[data-action=verify] button").click()
    expect(page.locator("[data-state]")).to_have_attribute("data-state", "verified")


def test_named_and_anonymous_reports_handled_to_verified(server, phone, desktop, login, shot):
    inst = InstitutionFactory(name="城西卫生院")
    staff = UserFactory(institution=inst, real_name="赵护士")
    officer = OfficerFactory(institution=inst, real_name="钱安全员")
    bureau = services.report_create(
        reporter=UserFactory(institution=inst),
        institution=inst,
        category="other",
        anonymous=True,
        directed_to_bureau=True,
        description="院领导要求关闭烟感报警",
        client_uuid=uuid.uuid4(),
    ).report

    # --- the named report on the phone (我的 -> 隐患随手拍) -----------------------------------------------------------
    login(phone, staff, "/me/")
    phone.locator("[data-me-hazards] a", has_text="隐患随手拍").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("隐患随手拍")
    fill_report(phone, description="消防通道堆放纸箱", anonymous=False)
    assert no_horizontal_scroll(phone)
    shot(phone, "hazards-phone-form")
    phone.get_by_role("button", name="提交").click()
    expect(phone).to_have_url(re.compile(r".*/hazards/\d+/$"), timeout=30000)
    expect(phone.locator("[data-state]").first).to_have_attribute("data-state", "pending")
    named = HazardReport.objects.get(anonymous=False)
    assert named.reporter_id == staff.pk and named.photos.count() == 1

    # --- the anonymous report: the receipt code shown once -----------------------------------------------------------
    phone.goto(f"{server}/hazards/new/")
    fill_report(phone, description="配电室门锁损坏，无人管理", anonymous=True)
    phone.get_by_role("button", name="提交").click()
    expect(phone).to_have_url(re.compile(r".*/hazards/receipt/$"), timeout=30000)  # the #code is taken out
    code = phone.locator("[data-receipt-code]").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){6}", code)
    assert no_horizontal_scroll(phone)
    shot(phone, "hazards-phone-receipt")
    anonymous = HazardReport.objects.get(anonymous=True, directed_to_bureau=False)
    assert anonymous.reporter_id is None and anonymous.photos.count() == 1
    phone.goto(f"{server}/hazards/mine/")
    expect(phone.locator("[data-hazard]")).to_have_count(1)  # only the named one

    # --- the officer on the desktop ----------------------------------------------------------------------------------
    login(desktop, officer, "/admin/hazards/")
    expect(desktop.locator("[data-hazard-row]")).to_have_count(2)
    expect(desktop.locator("body")).not_to_contain_text("院领导要求关闭烟感报警")
    shot(desktop, "hazards-admin-list")
    for report in (named, anonymous):
        handle_to_verified(desktop, server, report)
    shot(desktop, "hazards-admin-detail")
    desktop.goto(f"{server}/admin/hazards/{bureau.pk}/")
    expect(desktop.locator("[data-hazard-admin-detail]")).to_have_count(0)
    assert HazardReport.objects.filter(state=State.VERIFIED).count() == 2

    # --- the anonymous reporter follows by receipt code ----------------------------------------------------------------
    phone.goto(f"{server}/hazards/follow/")
    phone.fill("input[name=receipt]", code.lower().replace("-", " "))
    phone.get_by_role("button", name="查看").click()
    expect(phone.locator("[data-state]").first).to_have_attribute("data-state", "verified")
    expect(phone.locator("[data-timeline]")).to_contain_text("已验收")
    assert no_horizontal_scroll(phone)
    shot(phone, "hazards-phone-follow")

    # the board shows the fix without the reporter
    phone.goto(f"{server}/hazards/board/")
    expect(phone.locator("[data-board-item]")).to_have_count(2)
    expect(phone.locator("[data-board-item]").first).to_be_visible()
    for item in phone.locator("[data-board-item]").all():
        expect(item).not_to_contain_text("赵护士")

    log = access_log_path(int(server.rsplit(":", 1)[1])).read_text(errors="ignore")
    assert code not in log and code.replace("-", "") not in log
