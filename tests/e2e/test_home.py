"""A member of staff logs in on a phone and sees the campaign home page."""

from content.demo import seed_home
from tests.e2e.conftest import no_horizontal_scroll


def test_staff_logs_in_on_a_phone_and_sees_the_campaign(server, phone, login, shot, staff_a):
    seed_home()
    phone.goto(server + "/")
    assert "人人讲安全、个个会应急" in phone.content()
    login(phone, staff_a)
    assert phone.url.rstrip("/") == server
    body = phone.inner_text("body")
    assert "人人讲安全、个个会应急" in body and staff_a.real_name in body
    assert no_horizontal_scroll(phone)
    shot(phone, "home-phone-360")


def test_wrong_password_is_refused_with_a_clear_message(server, phone, staff_a):
    phone.goto(server + "/accounts/login/")
    phone.fill("#id_username", staff_a.employee_no)
    phone.fill("#id_password", "wrong-password")
    phone.click("button[type=submit]")
    assert "工号/手机号或密码不正确" in phone.inner_text("body")
