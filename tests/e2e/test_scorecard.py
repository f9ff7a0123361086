"""单位考核 in a desktop browser (1366x768): the district admin's table of 30 institutions (ranked, unmet
requirements marked, sortable, filtered by kind) and one institution's page; both fit the window without sideways
scrolling. A safety officer lands on their own institution's page (on a phone too)."""

import datetime as dt

import pytest
from django.utils import timezone

from content.demo import ensure_page_tree
from drills.models import Drill
from elearn.org.models import Institution
from tests.campaign.scorecard_world import drill, make_campaign
from tests.factories import OfficerFactory
from tests.leaderboard import report_bulk


@pytest.fixture
def district(transactional_db):
    ensure_page_tree()  # the admin's page explorer needs Wagtail's root, which earlier flushes removed
    bulk = report_bulk.build(institutions=30, staff=600, questions_per_paper=5, bank_size=10, sat_share=0.7, days=5)
    campaign = make_campaign(starts_on=timezone.localdate() - dt.timedelta(days=6))
    for n, inst in enumerate(bulk.institutions):
        if n % 3:
            drill(inst, title=f"{inst.short_name}消防疏散演练")
        if n % 4 == 0:
            drill(inst, kind=Drill.Kind.TRAINING, category=Drill.Category.SELF_RESCUE, title="心肺复苏培训")
    # A long name and an institution without anyone on its roster.
    Institution.objects.filter(pk=bulk.institutions[1].pk).update(
        name="区人民医院（区急救中心、区妇幼保健计划生育服务中心）", kind=Institution.Kind.HOSPITAL
    )
    Institution.objects.create(name="区卫生健康综合监督执法大队", kind=Institution.Kind.DIRECT)
    return bulk, campaign


def fits(page) -> bool:
    """Neither the page nor the table's box scrolls sideways."""
    document = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    box = page.locator(".scorecard-scroll, table.scorecard-table").first
    inner = box.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    right = box.bounding_box()
    return document and inner and right["x"] + right["width"] <= 1366 + 1


def test_district_table_and_an_institution_page_at_1366(server, desktop, login, shot, district_admin, district):
    bulk, campaign = district
    login(desktop, district_admin, next_path="/admin/scorecard/")
    desktop.goto(f"{server}/admin/scorecard/")
    desktop.wait_for_selector("[data-scorecard=district]")
    rows = desktop.locator("table[data-district] tbody tr")
    assert rows.count() == 31
    assert desktop.locator("td[data-state=unmet] .mark").count() > 0
    assert "无在册人员" in rows.last.inner_text(), "ranked institutions first, the one without people last"
    assert rows.first.locator("td.rank").inner_text() == "1"
    shot(desktop, "scorecard-district-1366", full_page=False)
    assert fits(desktop), "the district table fits 1366 px"

    # Sorting by a column, then filtering by kind.
    desktop.click("table[data-district] thead a.sort >> text=学习完成率")
    desktop.wait_for_selector("th[aria-sort] >> text=学习完成率")
    desktop.select_option("select[name=kind]", "hospital")
    desktop.click("form.scorecard-filters button[type=submit]")
    desktop.wait_for_selector("[data-scorecard=district]")
    assert desktop.locator("table[data-district] tbody tr").count() == 1

    # One institution's page: each criterion with its requirement and what is missing.
    desktop.click("table[data-district] tbody tr td.name a")
    desktop.wait_for_selector("[data-scorecard=institution]")
    assert desktop.locator("table[data-criteria] tbody tr").count() == 6
    body = desktop.inner_text("body")
    assert "区人民医院" in body and "下载活动总结（PDF）" in body and "全区排名" in body
    shot(desktop, "scorecard-institution-1366", full_page=False)
    assert fits(desktop), "the institution page fits 1366 px"


def test_officer_lands_on_their_own_page(server, desktop, phone, login, shot, district):
    bulk, campaign = district
    mine, other = bulk.institutions[3], bulk.institutions[4]
    officer = OfficerFactory(institution=mine)
    login(desktop, officer, next_path="/admin/scorecard/")
    desktop.goto(f"{server}/admin/scorecard/")
    desktop.wait_for_selector("[data-scorecard=institution]")
    body = desktop.inner_text("body")
    assert mine.name in body and other.name not in body and "全区排名" not in body
    assert fits(desktop)
    shot(desktop, "scorecard-officer-1366", full_page=False)
    # On a phone (360x740) the page does not scroll sideways: the tables scroll inside their own box.
    login(phone, officer, next_path="/admin/scorecard/")
    phone.goto(f"{server}/admin/scorecard/")
    phone.wait_for_selector("[data-scorecard=institution]")
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shot(phone, "scorecard-officer-phone", full_page=False)
