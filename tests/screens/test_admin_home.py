"""The admin home page of safety officers and the district admin shows the campaign at a glance (roster, required
modules finished, the latest exam's participation and passes, exams open now) with the screens they come for; it was
Wagtail's blank dashboard. Counts only, and an officer's are their own institution's."""

import re

import pytest

from leaderboard.reports import selectors
from tests.factories import UserFactory
from tests.quizzes.exam_factories import exam_with_sections, make_bank
from tests.quizzes.test_exam_results import sit

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(inst_a, inst_b, officer_a, officer_b, district_admin):
    category, _questions = make_bank(singles=3, multiples=1, truefalse=1, fills=1)
    exam = exam_with_sections(category, title="安全生产知识考试")
    a_pass, a_fail = UserFactory(institution=inst_a), UserFactory(institution=inst_a)
    UserFactory(institution=inst_a)  # has not sat
    b_pass = UserFactory(institution=inst_b)
    UserFactory(institution=inst_b)
    sit(exam, a_pass, correct=True)
    sit(exam, a_fail, correct=False)
    sit(exam, b_pass, correct=True)
    return exam


def _panel(html):
    match = re.search(r"data-campaign-panel>(.*?)</nav>", html, re.S)
    assert match, "no campaign panel on the admin home page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1)))


def test_officer_sees_their_institution_at_a_glance(client_for, officer_a, campaign):
    html = client_for(officer_a).get("/admin/").content.decode()
    panel = _panel(html)
    assert "本单位活动概况：甲镇卫生院" in html
    assert "2 / 4 人已参考" in panel and "1 / 2 人合格" in panel and "50%" in panel  # officer + 3 staff of 甲
    assert "正在进行的考试 1 场" in panel and "安全生产知识考试" in panel
    for url in (
        "/admin/reports/",
        "/admin/reports/followup/",
        "/study/progress/",
        f"/admin/exam-results/{campaign.pk}/",
    ):
        assert f'href="{url}' in html, url
    assert 'href="/admin/exams/"' not in html  # scheduling exams is the district's


def test_district_admin_sees_the_district(client_for, district_admin, campaign):
    html = client_for(district_admin).get("/admin/").content.decode()
    panel = _panel(html)
    assert "全区活动概况" in html and "2 个单位" in panel
    assert "3 / 7 人已参考" in panel and "2 / 3 人合格" in panel
    assert 'href="/admin/exams/"' in html


@pytest.mark.parametrize("viewer", ["officer_a", "district_admin"])
def test_the_glance_agrees_with_the_campaign_report(request, campaign, viewer):
    user = request.getfixturevalue(viewer)
    glance = selectors.glance(user)
    total = selectors.dashboard(user, selectors.ReportFilters())["total"]
    assert (glance.roster, glance.required_people, glance.required_done) == (
        total["roster"],
        total["required_people"],
        total["required_done"],
    )
    assert (glance.audience, glance.sat, glance.passed) == (total["audience"], total["sat"], total["passed"])


def test_staff_get_no_panel(client_for, staff_a):
    assert client_for(staff_a).get("/admin/").status_code in (302, 403)
