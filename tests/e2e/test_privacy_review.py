"""Outside review of issue 20, in a browser: the notice and 我的数据 of a nurse with exam answers on a 360 px phone (no
full number of anyone else, nothing wider than the screen), and the officer's 访问记录 and 人员离职 at 1366x768 (a person
switched back on after being marked as left is shown as not going to be anonymised)."""

import pytest
from django.utils import timezone

from content.demo import ensure_page_tree
from elearn.privacy import services
from tests.e2e.conftest import start_server, stop_server
from tests.factories import PASSWORD
from tests.leaderboard.report_factories import build_campaign


@pytest.fixture
def campaign(transactional_db, inst_a, inst_b, officer_a, officer_b, district_admin):
    ensure_page_tree()
    return build_campaign(inst_a, inst_b, officer_a, officer_b)


def test_nurse_notice_and_my_data_on_a_phone(transactional_db, campaign, phone, shot, officer_a, district_admin):
    a1 = campaign["a1"]
    services.mobile_reveal(actor=officer_a, person=a1, context="未参考名单：跟进")
    services.mobile_reveal(actor=district_admin, person=a1, context="跟进")
    proc, server = start_server(extra_env={"ELEARN_PRIVACY_NOTICE_REQUIRED": "1"})
    try:
        phone.goto(f"{server}/accounts/login/?next=/me/data/")
        phone.fill("#id_username", a1.employee_no)
        phone.fill("#id_password", PASSWORD)
        phone.click("button[type=submit]")
        phone.wait_for_selector("[data-privacy-notice]")
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        shot(phone, "review-notice-360")
        phone.click("text=我已阅读并知晓")
        phone.wait_for_selector("[data-my-data]")
        html = phone.content()
        assert "13800000001" in html  # her own number, whole
        for other in ("13800000002", "13800000003", "13800000011", officer_a.real_name, district_admin.real_name):
            assert other not in html
        assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
        shot(phone, "review-my-data-360")
    finally:
        stop_server(proc)


def test_officer_access_log_and_departures_on_a_desktop(server, campaign, desktop, login, shot, officer_a):
    a2, a3 = campaign["a2"], campaign["a3"]
    services.mobile_reveal(actor=officer_a, person=a2, context="未参考名单：跟进")
    services.person_mark_left(actor=officer_a, person=a3, left_on=timezone.localdate())
    services.person_mark_left(actor=officer_a, person=a2, left_on=timezone.localdate())
    a2.refresh_from_db()
    a2.is_active = True  # switched back on in 人员
    a2.save(update_fields=["is_active"])
    login(desktop, officer_a, next_path="/admin/privacy/access-log/")
    desktop.goto(f"{server}/admin/privacy/access-log/")
    desktop.wait_for_selector("[data-access-log]")
    assert "13800000002" not in desktop.content()
    shot(desktop, "review-access-log-1366", full_page=False)
    desktop.goto(f"{server}/admin/privacy/departures/?q={a3.real_name}")
    desktop.wait_for_selector("table[data-departed]")
    departed = desktop.inner_text("table[data-departed]")
    assert "账号已重新启用，不会匿名化" in departed and "预计" in departed
    shot(desktop, "review-departures-1366", full_page=False)
