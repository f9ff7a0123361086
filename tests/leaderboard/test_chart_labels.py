"""The dashboard's unit chart with many units (the screen walk saw crowded, cut rotated names at 1366x768): the
x-axis names are short, slanted so neighbours keep apart, and the whole slanted name fits inside the chart."""

import math

from leaderboard.reports import charts

FONT = 12  # px, reports.css .report-chart svg


def _chart(n):
    labels = [f"第{i}镇中心卫生院分院" for i in range(n)]
    return charts.grouped_bars(
        labels, [("参考率", [50.0] * n, "s-exam"), ("合格率", [40.0] * n, "s-pass")],
        width=820, height=250, max_value=100, label_space=48, unit="%",
    )  # fmt: skip


def test_many_units_get_short_slanted_names_that_fit():
    chart = _chart(15)
    assert chart["rotate"]
    angle = math.radians(chart["angle"])
    longest = max(len(g["short"]) for g in chart["groups"])
    assert longest <= charts.ROTATED_CHARS
    assert all(g["short"].endswith("…") for g in chart["groups"])  # cut names say so
    # The slanted name's drop below its anchor stays inside the picture.
    drop = longest * FONT * math.sin(angle) + FONT
    assert chart["groups"][0]["y"] + drop <= chart["height"], (chart["groups"][0]["y"], drop, chart["height"])
    # Neighbouring slanted names stand at least a line apart.
    group_w = chart["groups"][1]["x"] - chart["groups"][0]["x"]
    assert group_w * math.sin(angle) >= FONT * 1.2
    # The bars keep the height they had (the chart grows for its names instead).
    assert chart["baseline"] == 250 - 48


def test_few_units_keep_level_names():
    chart = _chart(5)
    assert not chart["rotate"]
    assert chart["height"] == 250
    assert chart["groups"][0]["short"] == "第0镇中心卫生院分院"  # up to 10 characters kept whole, level
    assert charts.short_label("第0镇中心卫生院分院甲", 10) == "第0镇中心卫生院分…"


def test_the_template_draws_the_short_names():
    from django.template.loader import render_to_string

    html = render_to_string(
        "leaderboard/admin/includes/bar_chart.html", {"chart": _chart(15), "caption": "各单位完成情况（%）"}
    )
    assert "第0镇中…" in html and f"rotate(-{_chart(15)['angle']}" in html
    assert 'viewBox="0 0 820 250"' not in html  # grew to hold the names
