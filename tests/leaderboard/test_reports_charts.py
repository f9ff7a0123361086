"""Chart geometry for the dashboard's inline SVG (leaderboard.reports.charts)."""

from leaderboard.reports import charts


def test_nice_max_rounds_up_to_a_readable_axis():
    assert [charts.nice_max(v) for v in (0, 0.7, 1, 57, 100, 101, 4321)] == [1.0, 0.8, 1.0, 60.0, 100.0, 120.0, 5000.0]


def test_grouped_bars_scale_to_the_axis_and_skip_missing_values():
    chart = charts.grouped_bars(
        ["甲", "乙"], [("参考率", [50.0, None], "s-exam"), ("合格率", [100.0, 25.0], "s-pass")],
        width=300, height=200, max_value=100, label_space=40, unit="%",
    )  # fmt: skip
    plot_h = 200 - charts.PAD_TOP - 40
    first, second = chart["groups"]
    assert [b["css"] for b in first["bars"]] == ["s-exam", "s-pass"]
    assert [b["css"] for b in second["bars"]] == ["s-pass"]  # None draws no bar
    # 50% of the plot height, then the full height; bars stand on the baseline.
    assert first["bars"][0]["h"] == round(plot_h / 2, 1) and first["bars"][1]["h"] == plot_h
    assert all(round(b["y"] + b["h"], 1) == chart["baseline"] for g in chart["groups"] for b in g["bars"])
    assert first["bars"][0]["title"] == "甲 · 参考率: 50%"
    assert [t["label"] for t in chart["ticks"]] == ["0", "25", "50", "75", "100"]


def test_line_chart_points_and_labels():
    chart = charts.line_chart(["06-01", "06-02", "06-03"], [("考试", [0, 5, 10], "s-exam")], width=300, height=200)
    points = [tuple(map(float, p.split(","))) for p in chart["lines"][0]["points"].split()]
    assert points[0][0] == charts.PAD_LEFT and points[-1][1] == charts.PAD_TOP  # 10 is the axis top (nice_max 10)
    assert points[0][1] == chart["baseline"]
    assert [x["label"] for x in chart["xlabels"]] == ["06-01", "06-02", "06-03"]
