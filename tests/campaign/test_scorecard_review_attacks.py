"""Adversarial outside review of the institution scorecard (单位考核, issue 16 part 3): each test is a hole found by
attacking the admin page, the Excel export, the PDF and the API as a curious officer, a hostile query string or real
(messy) institution and campaign names, kept so it stays closed."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campaign.scorecard import pdf, rules
from hazards.models import HazardReport
from tests.campaign.scorecard_world import build_world, drill, make_campaign
from tests.hazards.factories import submit

POPPLER = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext, pdfinfo) not installed")
LONG_NAME = "清河区第一人民医院东院区综合门诊部"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _pdf_text(body: bytes, tmp_path, *args: str) -> str:
    path = tmp_path / "summary.pdf"
    path.write_bytes(body)
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def _pages(body: bytes, tmp_path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(body)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


# --- hostile query strings --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["²", "¹²", "①"])
def test_a_campaign_id_written_in_other_digits_is_a_404_not_a_500(district_admin, officer_a, inst_a, api_for, raw):
    """`?campaign=²`: str.isdigit() accepts superscripts and circled digits that int() refuses, so every entry point
    (district table, institution page, PDF, Excel, both API endpoints) answered 500 with a ValueError."""
    make_campaign()
    admin, officer = _client(district_admin), _client(officer_a)
    urls = [
        reverse("campaign_scorecard"),
        reverse("campaign_scorecard_institution", args=[inst_a.pk]),
        reverse("campaign_scorecard_pdf", args=[inst_a.pk]),
        reverse("campaign_scorecard_export"),
    ]
    for url in urls:
        assert admin.get(url, {"campaign": raw}).status_code == 404, url
    for url in urls[1:3]:
        assert officer.get(url, {"campaign": raw}).status_code == 404, url
    api = api_for(district_admin)
    assert api.get("/api/v1/campaign/scorecard/", {"campaign": raw}).status_code == 404
    assert api.get(f"/api/v1/campaign/scorecard/{inst_a.pk}/", {"campaign": raw}).status_code == 404
    assert api_for(officer_a).get(f"/api/v1/campaign/scorecard/{inst_a.pk}/", {"campaign": raw}).status_code == 404


# --- wrong figures ----------------------------------------------------------------------------------------------------


def _measures(study, participation, passed, tasks, drills=0, trainings=0):
    M = rules.Measure
    return [
        M(rules.STUDY, study[0], 100, study[1]),
        M(rules.EXAM_PARTICIPATION, participation[0], 100, participation[1]),
        rules.pass_measure(passed=passed[0], graded=passed[1], audience=participation[1], target=90),
        M(rules.TASKS, tasks[0], 100, tasks[1]),
        M(rules.DRILLS, drills, 1),
        M(rules.TRAININGS, trainings, 1),
    ]


def test_the_shown_total_is_the_sum_of_the_shown_points():
    """2/3 of study (16.7), 1/3 of participation (6.7) and 1/3 of the tasks (6.7), nothing else: the page showed the
    parts 16.7 + 6.7 + 0.0 + 6.7 + 0.0 + 0.0 = 30.1 and the total 30.0 (the exact sum rounded once)."""
    score = rules.score(_measures((2, 3), (1, 3), (0, 1), (1, 3)), roster=3)
    assert [r.points for r in score.criteria] == [16.7, 6.7, 0.0, 6.7, 0.0, 0.0]
    assert score.total == 30.1
    # With a criterion left out, the total is the shown parts scaled to 100 (and a penalty comes off that).
    scaled = rules.score(_measures((2, 3), (0, 0), (0, 0), (1, 3)), roster=3, overdue_hazards=1)
    shown = sum(r.points for r in scaled.criteria if r.counted)
    assert scaled.max_points == 65
    assert scaled.total == round(shown * 100 / 65 - 2, 1) == 34.0


def test_the_total_on_every_entry_point_is_the_sum_of_the_points_on_the_page(
    district_admin, officer_a, inst_a, inst_b, officer_b, api_for
):
    """The same check through the real figures: 乙 of the worked world (8.3 + 6.7 + 0 + 6.7 = 21.7) on the API."""
    world = build_world(inst_a, inst_b, officer_a, officer_b)
    body = api_for(district_admin).get("/api/v1/campaign/scorecard/", {"campaign": world["campaign"].pk}).json()
    for card in body["institutions"]:
        if card["total"] is None:
            continue
        counted = [c for c in card["criteria"] if c["state"] in ("met", "unmet")]
        weight = sum(c["weight"] for c in counted)
        shown = sum(c["points"] for c in counted)
        assert card["total"] == round(max(0, shown * 100 / weight - card["penalty"]), 1), card["institution"]


# --- real input in the PDF ------------------------------------------------------------------------------------------


def _messy_world(inst_a, inst_b, officer_a, officer_b, *, drills=12):
    world = build_world(inst_a, inst_b, officer_a, officer_b)
    campaign = world["campaign"]
    campaign.name = "2026年清河区卫生健康系统“安全生产月”暨医疗机构安全隐患排查整治百日攻坚专项行动（第二阶段）"
    campaign.theme = "人人讲安全、个个会应急——畅通生命通道，共建平安医院，守护群众健康"
    campaign.save()
    inst_b.name = f"{LONG_NAME}🏥🚒"
    inst_b.save()
    for n in range(drills):
        drill(
            inst_b,
            title=f"{LONG_NAME}第{n + 1}次消防疏散与灭火实战演练🔥",
            date=campaign.starts_on + dt.timedelta(days=n % 5),
        )
    report = submit(world["b1"], inst_b).report
    HazardReport.objects.filter(pk=report.pk).update(state="accepted", deadline=timezone.localdate() - dt.timedelta(1))
    return world


def test_emoji_are_left_out_of_the_pdf_instead_of_drawn_as_other_characters():
    """STSong-Light's 2-byte encoding draws 🏥 as two unrelated CJK characters (㳟 鈀 ...): they are dropped."""
    assert pdf._drawable(f"{LONG_NAME}🏥🚒") == LONG_NAME
    assert pdf._drawable("演练🔥️") == "演练"
    assert pdf._drawable("“五个一”完成率 ≥ 90%（3/4）") == "“五个一”完成率 ≥ 90%（3/4）"


@POPPLER
def test_a_messy_institution_gets_a_readable_one_page_summary(
    district_admin, officer_a, officer_b, inst_a, inst_b, tmp_path
):
    """An emoji in the institution's name came out as 㳟/鈀-like characters; a long theme cut the campaign's period
    (活动时间：2026年11月27日 至 2…); a long campaign name lost 活动总结. Still one A4 page, the hazards above the
    signatures, with 12 drills and every criterion unmet."""
    world = _messy_world(inst_a, inst_b, officer_a, officer_b)
    campaign = world["campaign"]
    response = _client(district_admin).get(
        reverse("campaign_scorecard_pdf", args=[inst_b.pk]), {"campaign": campaign.pk}
    )
    assert response.status_code == 200
    assert _pages(response.content, tmp_path) == 1
    text = _pdf_text(response.content, tmp_path)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert LONG_NAME in lines  # the whole name, alone on its line: nothing garbled after it
    period = f"活动时间：{campaign.starts_on.year}年{campaign.starts_on.month}月{campaign.starts_on.day}日 至 "
    period += f"{campaign.ends_on.year}年{campaign.ends_on.month}月{campaign.ends_on.day}日"
    assert period in text.replace("\n", "")
    assert "活动总结" in text
    assert "另有" in text and "逾期未整改 1 条" in text
    # Layout order: the hazards sentence sits above 单位意见 (the signature block), not on it.
    assert text.index("逾期未整改 1 条") < text.index("单位意见")


@POPPLER
def test_the_officers_summary_pdf_is_one_page_too(officer_a, officer_b, inst_a, inst_b, tmp_path):
    world = _messy_world(inst_a, inst_b, officer_a, officer_b, drills=30)
    response = _client(officer_b).get(
        reverse("campaign_scorecard_pdf", args=[inst_b.pk]), {"campaign": world["campaign"].pk}
    )
    assert response.status_code == 200
    assert _pages(response.content, tmp_path) == 1
    assert "全区第" not in _pdf_text(response.content, tmp_path)  # ranks are the district admin's
