"""Campaign figures read from the database (tests/leaderboard/report_factories.py builds the data; the hand
computation of every figure is in the comments) and the officer's scope."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from leaderboard.reports import selectors as rs
from tests.leaderboard.report_factories import build_campaign

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(inst_a, inst_b, officer_a, officer_b, district_admin):
    return build_campaign(inst_a, inst_b, officer_a, officer_b)


def by_inst(data):
    return {row["institution_id"]: row for row in data["institutions"]}


def test_dashboard_figures_for_the_district_admin(campaign, district_admin, inst_a, inst_b):
    data = rs.dashboard(district_admin, rs.ReportFilters())
    assert data["exam"] == campaign["exam"]
    a, b = by_inst(data)[inst_a.pk], by_inst(data)[inst_b.pk]
    # A: roster a1..a4 + officer_a = 5; badges a1, a2, officer_a -> 3/5 = 60.0
    #    audience 5, sat a1 a2 a3 = 3 -> 60.0; passed a1 (100%), a2 (66.67%) of 3 graded -> 66.7
    #    mean (100 + 66.67 + 33.33) / 3 = 66.67 -> 66.7; median 66.67 -> 66.7; players a1 -> 1/5 = 20.0
    assert (a["roster"], a["required_done"], a["required_share"]) == (5, 3, 60.0)
    assert (a["audience"], a["sat"], a["sat_share"]) == (5, 3, 60.0)
    assert (a["graded"], a["passed"], a["pass_rate"]) == (3, 2, 66.7)
    assert (a["mean_score"], a["median_score"]) == (66.7, 66.7)
    assert (a["players"], a["competition_share"]) == (1, 20.0)
    # B: roster b1, b2, officer_b = 3; badge b2 -> 33.3; sat b1 -> 1/3 = 33.3; b1 scored 0 -> pass rate 0.0, mean 0.0
    assert (b["roster"], b["required_share"], b["sat_share"], b["pass_rate"], b["mean_score"]) == (
        3,
        33.3,
        33.3,
        0.0,
        0.0,
    )
    assert b["competition_share"] == 33.3  # b1 played: 1/3
    # Everybody: sat 4/8 = 50.0; passed 2/4 = 50.0; mean (100+66.67+33.33+0)/4 = 50.0; median (33.33+66.67)/2 = 50.0
    total = data["total"]
    assert (total["roster"], total["sat_share"], total["pass_rate"], total["mean_score"], total["median_score"]) == (
        8,
        50.0,
        50.0,
        50.0,
        50.0,
    )
    # Histogram of percent scores: 0 -> 0-10, 33.33 -> 30-40, 66.67 -> 60-70, 100 -> 90-100
    counts = {b["label"]: b["count"] for b in data["histogram"] if b["count"]}
    assert counts == {"0-10": 1, "30-40": 1, "60-70": 1, "90-100": 1}
    # Everything happened today: 4 studied (badges), 4 started the exam, 2 played.
    today = data["daily"][-1]
    assert (today["study"], today["exam"], today["competition"]) == (4, 4, 2)


def test_officer_dashboard_shows_only_their_institution(campaign, officer_a, inst_a):
    data = rs.dashboard(officer_a, rs.ReportFilters())
    assert [row["institution_id"] for row in data["institutions"]] == [inst_a.pk]
    assert data["total"]["roster"] == 5 and data["total"]["sat"] == 3
    # Totals are institution A's: B's 0% never enters the histogram.
    assert sum(b["count"] for b in data["histogram"]) == 3
    assert data["daily"][-1]["competition"] == 1


def test_filters_reject_other_institutions_and_bad_values(campaign, officer_a, inst_b, district_admin):
    with pytest.raises(PermissionDenied):
        rs.parse_filters(officer_a, {"institution": str(inst_b.pk)})
    with pytest.raises(rs.ReportFilterError) as bad:
        rs.parse_filters(district_admin, {"from": "2026-13-01"})
    assert bad.value.field == "from"
    with pytest.raises(rs.ReportFilterError):
        rs.parse_filters(district_admin, {"from": "2026-06-10", "to": "2026-06-01"})
    with pytest.raises(rs.ReportFilterError):
        rs.parse_filters(district_admin, {"institution": "99999999999999999999"})
    ok = rs.parse_filters(district_admin, {"institution": str(inst_b.pk), "from": "2026-06-01", "to": "2026-06-30"})
    assert ok.institution_id == inst_b.pk and ok.date_to == dt.date(2026, 6, 30)


def test_date_range_limits_competition_and_daily_series(campaign, district_admin):
    # A range in the past: nobody joined a game then, so competition participation is 0 everywhere.
    filters = rs.ReportFilters(date_from=dt.date(2026, 6, 1), date_to=dt.date(2026, 6, 3))
    data = rs.dashboard(district_admin, filters)
    assert data["total"]["players"] == 0
    assert [d["day"] for d in data["daily"]] == [dt.date(2026, 6, 1), dt.date(2026, 6, 2), dt.date(2026, 6, 3)]
    assert all(d["exam"] == 0 for d in data["daily"])


def test_followup_lists_for_an_officer(campaign, officer_a):
    data = rs.followup(officer_a, rs.ReportFilters())
    # Not finished the required module in A: a3 and a4 (a1, a2, officer_a have the badge).
    assert {row["user"].real_name for row in data["not_studied"]} == {"甲三", "甲四"}
    a4 = next(row for row in data["not_studied"] if row["user"].real_name == "甲四")
    assert (a4["user"].department, a4["user"].mobile, a4["unfinished"]) == ("后勤", "13800000004", ["消防安全必修"])
    # Not sat: a4 and officer_a; nobody from B.
    assert {u.pk for u in data["not_sat"]} == {campaign["a4"].pk, officer_a.pk}


def test_item_analysis_by_hand(campaign, district_admin):
    # Graded attempts a1, a2, a3, b1; in units of 10 points:
    #         a1 a2 a3 b1
    #   Q1     1  1  1  0    F = 75.0
    #   Q2     1  1  0  0    F = 50.0
    #   Q3     1  0  0  0    F = 25.0
    #   total  3  2  1  0
    # Q1: x = 1,1,1,0 rest = 2,1,0,0; means .75/.75; dx = .25,.25,.25,-.75; drest = 1.25,.25,-.75,-.75
    #     cov = .3125+.0625-.1875+.5625 = .75; Vx = .75; Vrest = 1.5625+.0625+.5625+.5625 = 2.75
    #     r = .75 / sqrt(2.0625) = .5222 -> 52.2
    # Q2: x = 1,1,0,0 rest = 2,1,1,0; dx = .5,.5,-.5,-.5; drest = 1,0,0,-1; cov = 1; Vx = 1; Vrest = 2
    #     r = 1/sqrt(2) = .7071 -> 70.7
    # Q3: x = 1,0,0,0 rest = 2,2,1,0; dx = .75,-.25,-.25,-.25; drest = .75,.75,-.25,-1.25
    #     cov = .5625-.1875+.0625+.3125 = .75; Vx = .75; Vrest = 2.75 -> 52.2
    # (correlation ignores the scale, so 10-point questions give the same figures)
    q1, q2, q3 = (q.pk for q in campaign["questions"])
    data = rs.item_analysis(campaign["exam"], district_admin)
    items = {i["question_id"]: i for i in data["items"]}
    assert [(items[q]["facility"], items[q]["discrimination"]) for q in (q1, q2, q3)] == [
        (75.0, 52.2),
        (50.0, 70.7),
        (25.0, 52.2),
    ]
    # Option B is the bank's correct answer: chosen by everyone who got the question right.
    assert [o["share"] for o in items[q1]["options"] if o["label"] == "B"] == [75.0]
    assert items[q1]["options"][1]["text"] == "119"
    assert data["attempts"] == 4
    # Weak categories: A earned 60 of 90 points on 消防 = 66.7 (not weak); B 0 of 30 = 0.0 (weak).
    cats = {c["institution"]: (c["facility"], c["weak"]) for c in data["categories"]}
    assert cats == {"甲镇卫生院": (66.7, False), "乙镇卫生院": (0.0, True)}


def test_item_analysis_for_an_officer_uses_only_their_attempts(campaign, officer_a):
    # a1, a2, a3 only (totals 3, 2, 1):
    #   Q1: everyone right -> F = 100.0 (too easy), no variance -> D undefined
    #   Q2: x = 1,1,0 rest = 2,1,1: dx = 1/3,1/3,-2/3; drest = 2/3,-1/3,-1/3; cov = 1/3; Vx = Vrest = 2/3 -> r = .5
    #   Q3: x = 1,0,0 rest = 2,2,1: dx = 2/3,-1/3,-1/3; drest = 1/3,1/3,-2/3; cov = 1/3; V = 2/3 each -> r = .5
    q1, q2, q3 = (q.pk for q in campaign["questions"])
    items = {i["question_id"]: i for i in rs.item_analysis(campaign["exam"], officer_a)["items"]}
    assert (items[q1]["facility"], items[q1]["discrimination"], items[q1]["flags"]) == (100.0, None, ["too_easy"])
    assert (items[q2]["facility"], items[q2]["discrimination"]) == (66.7, 50.0)
    assert (items[q3]["facility"], items[q3]["discrimination"]) == (33.3, 50.0)


def test_integrity_signals_are_scoped(campaign, district_admin, officer_b):
    # Durations 300, 280, 5, 320 s on a 3-question paper: median (280+300)/2 = 290;
    # threshold = max(3 questions * 3 s = 9, 25% of 290 = 72.5) = 72.5 s -> only a3 (5 s) is fast.
    data = rs.integrity(campaign["exam"], district_admin)
    assert [r["real_name"] for r in data["fast"]] == ["甲三"]
    assert data["fast"][0]["threshold"] == 72.5
    assert [(r["real_name"], r["tab_switches"]) for r in data["tab_switches"]] == [("甲三", 6)]
    # Officer B sees only b1's attempt: nothing to flag.
    scoped = rs.integrity(campaign["exam"], officer_b)
    assert scoped["fast"] == [] and scoped["tab_switches"] == []
