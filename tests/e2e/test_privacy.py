"""Personal information in a browser: a safety officer reveals one masked number with one tap on the 未参考名单 (the
number appears in place as a phone link, and the reveal is in the access log); a member of staff meets the notice at
first login on a 360 px phone and gets on after acknowledging it."""

import pytest

from content.demo import ensure_page_tree
from elearn.privacy.models import AccessLog, NoticeAcknowledgement
from tests.e2e.conftest import start_server, stop_server
from tests.factories import PASSWORD
from tests.leaderboard.report_factories import build_campaign


@pytest.fixture
def campaign(transactional_db, inst_a, inst_b, officer_a, officer_b, district_admin):
    ensure_page_tree()
    return build_campaign(inst_a, inst_b, officer_a, officer_b)


def test_officer_reveals_one_number_with_one_tap(server, desktop, login, shot, campaign, officer_a):
    a4 = campaign["a4"]
    path = f"/admin/exam-results/{campaign['exam'].pk}/?tab=absent"
    login(desktop, officer_a, next_path=path)
    desktop.goto(server + path)
    desktop.wait_for_selector("table[data-absentees]")
    row = desktop.locator("table[data-absentees] tr", has_text=a4.real_name)
    assert "138****0004" in row.inner_text() and "13800000004" not in desktop.content()
    row.locator("form[data-privacy-reveal] button").click()
    desktop.wait_for_selector('a[href="tel:13800000004"]')
    assert row.locator('a[href="tel:13800000004"]').inner_text() == "13800000004"
    assert desktop.url.endswith(path), "revealed in place, no page change"
    shot(desktop, "privacy-reveal-absentees", full_page=False)
    entry = AccessLog.objects.get(action=AccessLog.Action.REVEAL)
    assert (entry.actor_id, entry.subject_id, entry.with_mobile) == (officer_a.pk, a4.pk, True)
    assert campaign["exam"].title in entry.what
    # The officer's access log shows the reveal (and the look at the list before it).
    desktop.goto(f"{server}/admin/privacy/access-log/")
    desktop.wait_for_selector("[data-access-log]")
    log = desktop.inner_text("[data-access-log] table")
    assert "显示手机号" in log and a4.real_name in log and "未参考名单" in log
    shot(desktop, "privacy-access-log", full_page=False)


def test_first_login_shows_the_notice_on_a_phone(transactional_db, phone, shot, staff_a):
    ensure_page_tree()
    proc, server = start_server(extra_env={"ELEARN_PRIVACY_NOTICE_REQUIRED": "1"})
    try:
        phone.goto(f"{server}/accounts/login/?next=/exams/")
        phone.fill("#id_username", staff_a.employee_no)
        phone.fill("#id_password", PASSWORD)
        phone.click("button[type=submit]")
        phone.wait_for_selector("[data-privacy-notice]")
        body = phone.inner_text("body")
        assert "个人信息处理告知" in body and "谁能看到" in body and "保存多久" in body
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        shot(phone, "privacy-notice-360")
        phone.click("text=我已阅读并知晓")
        phone.wait_for_load_state("networkidle")
        assert phone.url.endswith("/exams/")
        assert NoticeAcknowledgement.objects.filter(user=staff_a).count() == 1
        phone.goto(f"{server}/me/data/")
        phone.wait_for_selector("[data-my-data]")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        shot(phone, "privacy-my-data-360")
    finally:
        stop_server(proc)
