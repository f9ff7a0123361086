"""Forms whose submission must not be sent twice (elearn/static/elearn/once.js, `<form data-once>`): a second click
while the next page is still loading sends nothing. Found by an outside review: a second click on 设置奖励 while the
first was on its way granted the reward twice (the server cannot tell a second reward from a repeated one)."""

import pytest
from playwright.sync_api import expect

from hazards.models import Reward
from tests.factories import UserFactory
from tests.hazards.factories import submit, to_verified

pytestmark = pytest.mark.e2e


def test_a_second_click_on_set_reward_while_the_first_is_on_its_way_grants_one_reward(
    server, desktop, login, inst_a, district_admin
):
    report = submit(UserFactory(institution=inst_a), inst_a, bureau=True).report
    to_verified(report.pk, district_admin)
    login(desktop, district_admin, f"/admin/hazards/{report.pk}/")
    form = desktop.locator("form[data-action=reward]")
    form.locator("input[name=amount]").fill("200")
    form.locator("input[name=kind]").fill("通报表扬")
    # Two clicks in one turn of the page's script (no timing in the test); a listener that runs after the page's own
    # records which submissions were let through. The first is sent; the second never is.
    with desktop.expect_navigation():
        let_through = desktop.evaluate(
            """() => {
                const seen = [];
                window.addEventListener("submit", (ev) => seen.push(!ev.defaultPrevented));
                const button = document.querySelector("form[data-action=reward] button[type=submit]");
                button.click();
                button.click();
                return seen;
            }"""
        )
    assert let_through == [True, False]
    expect(desktop.locator("[data-hazard-admin-detail]")).to_contain_text("200", timeout=15000)
    assert Reward.objects.filter(report=report).count() == 1
