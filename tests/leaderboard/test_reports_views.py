"""The report pages in the Wagtail admin: figures, charts, filters; a safety officer sees only their institution;
staff are kept out."""

import pytest
from django.urls import reverse

from tests.leaderboard.report_factories import build_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(inst_a, inst_b, officer_a, officer_b, district_admin):
    return build_campaign(inst_a, inst_b, officer_a, officer_b)


def test_district_admin_dashboard_shows_every_institution_and_charts(campaign, client_for, district_admin):
    response = client_for(district_admin).get(reverse("leaderboard_reports"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "甲镇卫生院" in html and "乙镇卫生院" in html
    assert html.count('<figure class="report-chart">') == 3  # bars per institution, score histogram, daily line
    assert 'class="bar s-exam"' in html and 'class="line s-exam"' in html
    assert 'data-kpi="sat_share">50%' in html and 'data-kpi="pass_rate">50%' in html
    assert "报表测试考试" in html


def test_officer_dashboard_lists_and_pages_show_only_their_institution(campaign, client_for, officer_a, inst_b):
    client = client_for(officer_a)
    dashboard = client.get(reverse("leaderboard_reports")).content.decode()
    assert "甲镇卫生院" in dashboard and "乙镇卫生院" not in dashboard
    assert 'data-kpi="roster">5<' in dashboard and 'data-kpi="sat_share">60%' in dashboard
    followup = client.get(reverse("leaderboard_report_followup")).content.decode()
    assert "甲四" in followup and "138****0004" in followup and "后勤" in followup
    assert "13800000004" not in followup  # masked; revealed one at a time (tests/privacy/test_masking.py)
    assert "乙" not in followup.split("data-not-studied", 1)[1]  # nobody from B in the lists
    items = client.get(reverse("leaderboard_report_items", args=[campaign["exam"].pk])).content.decode()
    assert "甲三" in items and "乙一" not in items
    # Asking for institution B is refused (Wagtail turns PermissionDenied into a redirect with a message).
    forbidden = client.get(reverse("leaderboard_reports"), {"institution": inst_b.pk})
    assert forbidden.status_code in (302, 403)
    assert "乙镇卫生院" not in forbidden.content.decode()


def test_bad_filter_is_reported_with_the_field(campaign, client_for, district_admin):
    response = client_for(district_admin).get(reverse("leaderboard_reports"), {"from": "not-a-date"})
    assert response.status_code == 400
    assert "参数 from 须为日期" in response.content.decode()


def test_item_analysis_page_shows_figures_and_flags(campaign, client_for, officer_a):
    html = client_for(officer_a).get(reverse("leaderboard_report_items", args=[campaign["exam"].pk])).content.decode()
    assert ">100<" in html and "过易" in html  # Q1 within A: everyone right (difficulty index 100, no ".0")
    assert "用时过短" in html and "切屏次数多" in html


def test_staff_cannot_open_reports(campaign, client_for):
    client = client_for(campaign["a1"])
    for url in (reverse("leaderboard_reports"), reverse("leaderboard_report_followup")):
        response = client.get(url)
        assert response.status_code in (302, 403)
        assert "甲镇卫生院" not in response.content.decode()


def test_menu_item_for_managers(campaign, client_for, officer_a):
    html = client_for(officer_a).get("/admin/").content.decode()
    assert reverse("leaderboard_reports") in html
