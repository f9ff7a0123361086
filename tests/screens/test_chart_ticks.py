"""Charts that count people (the score histogram, daily participation) step their axis in whole people: one person
drew gridlines at 0, 0.25, 0.5, 0.75 and 1."""

import pytest

from leaderboard.reports import charts


def _labels(chart):
    return [t["label"] for t in chart["ticks"]]


@pytest.mark.parametrize(
    "top,expected",
    [
        (1, ["0", "1"]),
        (0, ["0", "1"]),
        (2, ["0", "1", "2"]),
        (3, ["0", "1", "2", "3"]),
        (7, ["0", "2", "4", "6", "8"]),
        (13, ["0", "3", "6", "9", "12", "15"]),
        (110, ["0", "30", "60", "90", "120"]),
        (1100, ["0", "300", "600", "900", "1,200"]),
    ],
)
def test_counts_step_in_whole_numbers(top, expected):
    line = charts.line_chart(["12-01", "12-02"], [("学习", [0, top], "s-study")], width=400, height=210)
    bars = charts.grouped_bars(["0-59", "60-79"], [("人数", [top, 0], "s-exam")], width=400, height=210)
    assert _labels(line) == _labels(bars) == expected


def test_shares_and_means_keep_their_steps():
    shares = charts.grouped_bars(["甲", "乙"], [("参考率", [33.3, 50.0], "s")], max_value=100, unit="%")
    assert _labels(shares) == ["0", "25", "50", "75", "100"]
    means = charts.line_chart(["a", "b"], [("平均", [0.5, 2.5], "s")], width=400, height=210)
    assert _labels(means) == ["0", "0.625", "1.25", "1.875", "2.5"]


def test_the_dashboard_axes_count_people_in_whole_steps(client_for, district_admin, staff_a):
    html = client_for(district_admin).get("/admin/reports/").content.decode()
    assert "0.25" not in html and "0.75" not in html
