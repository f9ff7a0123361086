"""Adversarial review of 单位考核 in Chromium: messy real names (long, emoji, a leading '='), every criterion unmet,
at 1366x768 as the district admin and an officer and at 360x740 as an officer. Screenshots in /tmp/review-scorecard/."""

from pathlib import Path

import pytest

from content.demo import ensure_page_tree
from tests.campaign.test_scorecard_review_attacks import _messy_world
from tests.e2e.conftest import no_horizontal_scroll, screenshot

OUT = Path("/tmp/review-scorecard")


@pytest.fixture
def messy(transactional_db, inst_a, inst_b, officer_a, officer_b):
    ensure_page_tree()
    return _messy_world(inst_a, inst_b, officer_a, officer_b)


def _shot(page, name):
    OUT.mkdir(parents=True, exist_ok=True)
    screenshot(page, OUT / f"{name}.png", full_page=True)


def test_scorecard_screens_with_messy_names(server, desktop, phone, login, district_admin, officer_b, inst_b, messy):
    campaign = messy["campaign"]
    login(desktop, district_admin, next_path="/admin/scorecard/")
    desktop.goto(f"{server}/admin/scorecard/?campaign={campaign.pk}")
    _shot(desktop, "district-1366")
    desktop.goto(f"{server}/admin/scorecard/{inst_b.pk}/?campaign={campaign.pk}")
    _shot(desktop, "institution-admin-1366")

    officer_desktop = desktop.context.browser.new_context(viewport={"width": 1366, "height": 768}, locale="zh-CN")
    page = officer_desktop.new_page()
    login(page, officer_b, next_path="/admin/scorecard/")
    page.goto(f"{server}/admin/scorecard/")
    _shot(page, "officer-1366")
    officer_desktop.close()

    login(phone, officer_b, next_path="/admin/scorecard/")
    phone.goto(f"{server}/admin/scorecard/")
    _shot(phone, "officer-360")
    assert no_horizontal_scroll(phone)
    # What to do to reach 达标 and the points must be on the screen, not in a table scrolled sideways (the 差距 and
    # 得分 columns were off the right edge: the criteria table's box scrolled sideways).
    table = phone.locator("table[data-criteria]")
    assert table.evaluate("el => el.parentElement.scrollWidth <= el.parentElement.clientWidth + 1")
    assert table.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    for text in ("还差 2 人完成必修", "8.3 / 25", "还差 1 次培训"):
        box = phone.get_by_text(text, exact=False).first.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 360 + 1, (text, box)
    phone.locator('[data-criterion="trainings"]').scroll_into_view_if_needed()
    screenshot(phone, OUT / "officer-360-criteria.png", full_page=False)
