"""Chart geometry for the report dashboard, drawn on the server as inline SVG (no JavaScript library, no CDN).

Pure functions: figures in, coordinates out. The templates (elearn/templates/leaderboard/admin/includes/*.html)
turn them into <svg> elements, so every label is escaped by Django's templates.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

PAD_LEFT, PAD_RIGHT, PAD_TOP = 44, 12, 16
LEVEL_CHARS, ROTATED_CHARS, ROTATE_ANGLE, LABEL_FONT = 10, 5, 45, 12  # x-axis names: length, slant (deg), px


def short_label(label: str, chars: int) -> str:
    """A name cut to `chars` characters, the cut shown by "…"."""
    return label if len(label) <= chars else label[: chars - 1] + "…"


def nice_max(value: float) -> float:
    """A round axis maximum at or above `value` (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 x 10^n); 1 for nothing."""
    if value <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if value <= step * exp:
            return step * exp
    return 10 * exp


def whole_max(value: float) -> int:
    """An axis maximum for counts (people, answers): a whole number at or above `value`, round where possible
    (1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20 ...); 1 for nothing."""
    return max(1, math.ceil(nice_max(value)))


def _ticks(top: float, plot_h: float, *, whole: bool = False) -> list[dict]:
    """Gridlines from 0 to `top`: 4 steps, or 5, 6 or 3 when that makes whole-number steps (30 -> 0, 6, ... 30).
    `whole` (an axis of counts): every step a whole number, so 1 person is never split into 0.25 steps (top 1 -> 0, 1;
    top 3 -> 0, 1, 2, 3)."""
    if whole:
        count = next(c for c in (4, 5, 6, 3, 2, 1) if float(top / c).is_integer())
        return [
            {"y": round(PAD_TOP + plot_h - plot_h * i / count, 1), "label": f"{int(top * i / count):,}"}
            for i in range(count + 1)
        ]
    count = next((c for c in (4, 5, 6, 3) if top < 4 or float(top / c).is_integer()), 4)
    ticks = []
    for i in range(count + 1):
        value = top * i / count
        label = f"{value:g}" if value < 1000 else f"{value:,.0f}"
        ticks.append({"y": round(PAD_TOP + plot_h - plot_h * i / count, 1), "label": label})
    return ticks


def _all_whole(values) -> bool:
    """Are all the values whole numbers (counts of people or answers, not shares or means)?"""
    return all(float(v).is_integer() for v in values)


def grouped_bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None], str]],
    *,
    width: int = 1100,
    height: int = 300,
    max_value: float | None = None,
    label_space: int = 70,
    unit: str = "",
) -> dict:
    """Bars for each label, one per series ((name, values, css class)). None values draw no bar.
    More than 8 labels: short names (ROTATED_CHARS) slanted at ROTATE_ANGLE, and the picture grows below the plot
    so the whole slanted name fits (the bars keep their height)."""
    rotate = len(labels) > 8
    chars = ROTATED_CHARS if rotate else LEVEL_CHARS
    if rotate:
        longest = min(max((len(x) for x in labels), default=0), chars)
        needed = math.ceil(12 + longest * LABEL_FONT * math.sin(math.radians(ROTATE_ANGLE)) + LABEL_FONT)
        if needed > label_space:
            height += needed - label_space
            label_space = needed
    plot_w = width - PAD_LEFT - PAD_RIGHT
    plot_h = height - PAD_TOP - label_space
    values = [v for _, vals, _ in series for v in vals if v is not None]
    whole = _all_whole(values) and (max_value is None or float(max_value).is_integer())
    if max_value is not None:
        top = max_value
    else:
        top = whole_max(max(values, default=0)) if whole else nice_max(max(values, default=0))
    n = max(len(labels), 1)
    group_w = plot_w / n
    bar_w = max(2.0, min(28.0, (group_w * 0.8) / max(len(series), 1)))
    groups = []
    for i, label in enumerate(labels):
        x0 = PAD_LEFT + i * group_w + (group_w - bar_w * len(series)) / 2
        bars = []
        for j, (name, vals, css) in enumerate(series):
            value = vals[i] if i < len(vals) else None
            if value is None:
                continue
            h = plot_h * min(float(value), top) / top if top else 0
            bars.append(
                {
                    "x": round(x0 + j * bar_w, 1),
                    "y": round(PAD_TOP + plot_h - h, 1),
                    "w": round(bar_w - 1, 1),
                    "h": round(h, 1),
                    "css": css,
                    "title": f"{label} · {name}: {value:g}{unit}",
                }
            )
        groups.append(
            {
                "label": label,
                "short": short_label(label, chars),
                "x": round(PAD_LEFT + (i + 0.5) * group_w, 1),
                "y": PAD_TOP + plot_h + 12,
                "bars": bars,
            }
        )
    return {
        "width": width,
        "height": height,
        "plot_left": PAD_LEFT,
        "plot_right": width - PAD_RIGHT,
        "baseline": PAD_TOP + plot_h,
        "ticks": _ticks(top, plot_h, whole=whole),
        "groups": groups,
        "legend": [{"name": name, "css": css} for name, _, css in series],
        "rotate": rotate,
        "angle": ROTATE_ANGLE,
    }


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float], str]],
    *,
    width: int = 1100,
    height: int = 260,
    label_every: int | None = None,
) -> dict:
    """Polylines over the labels (days), one per series ((name, values, css class))."""
    label_space = 36
    pad_right = PAD_RIGHT + 14  # room for the last day's label, centred on the last point
    plot_w = width - PAD_LEFT - pad_right
    plot_h = height - PAD_TOP - label_space
    values = [v for _, vals, _ in series for v in vals]
    whole = _all_whole(values)
    top = whole_max(max(values, default=0)) if whole else nice_max(max(values, default=0))
    n = len(labels)
    step = plot_w / (n - 1) if n > 1 else 0

    def x(i):
        return round(PAD_LEFT + (i * step if n > 1 else plot_w / 2), 1)

    def y(v):
        return round(PAD_TOP + plot_h - plot_h * float(v) / top, 1)

    lines = []
    for name, vals, css in series:
        points = [(x(i), y(v)) for i, v in enumerate(vals)]
        lines.append(
            {
                "name": name,
                "css": css,
                "points": " ".join(f"{px},{py}" for px, py in points),
                "dots": [
                    {"x": px, "y": py, "title": f"{labels[i]} {name}: {vals[i]:g}"} for i, (px, py) in enumerate(points)
                ],
            }
        )
    every = label_every or max(1, math.ceil(n / 12))
    return {
        "width": width,
        "height": height,
        "plot_left": PAD_LEFT,
        "plot_right": width - pad_right,
        "baseline": PAD_TOP + plot_h,
        "ticks": _ticks(top, plot_h, whole=whole),
        "xlabels": [
            {"x": x(i), "label": labels[i]} for i in range(n) if i % every == 0 or (i == n - 1 and (n - 1) % every > 1)
        ],
        "lines": lines,
        "legend": [{"name": name, "css": css} for name, _, css in series],
    }
