"""The one-page 活动总结 PDF of one institution: the campaign, each criterion against its requirement, the total,
the drills and trainings held (with dates), the hazard reports, and signature lines.

Drawn like the certificate (quizzes.results.certificates): reportlab's canvas, Chinese in the CID font STSong-Light
that every PDF reader supplies (nothing embedded), the same line breaking. Always exactly one A4 page: long lists
are cut to what fits and say how many more there are.
"""

from __future__ import annotations

import io

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from campaign.scorecard import rules
from quizzes.results import certificates

INK = certificates.INK
MUTED = certificates.MUTED
RED = colors.HexColor("#b71c1c")
GREEN = colors.HexColor("#2e7d32")
RULE = colors.HexColor("#c9d1dc")
HEAD_BG = colors.HexColor("#eef2f7")
MAX_DRILLS = 8


def _date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _drawable(value) -> str:
    """`value` without what STSong-Light cannot draw: characters beyond the BMP (emoji, which the CID font's 2-byte
    encoding turns into two unrelated CJK characters), variation selectors and zero-width joiners left by them."""
    return "".join(ch for ch in str(value) if ord(ch) <= 0xFFFF and ch != "\u200d" and not "\ufe00" <= ch <= "\ufe0f")


def render_summary_pdf(card, *, campaign, exam, drills, issuer: str | None = None) -> bytes:
    """PDF bytes of `card` (campaign.scorecard.selectors.Card) for `campaign`; `drills`: the Drill rows held."""
    font = certificates._font()
    issuer = issuer or settings.ELEARN_SITE_NAME
    buffer = io.BytesIO()
    width, height = A4
    c = canvas.Canvas(buffer, pagesize=A4)
    inst = card.institution
    c.setTitle(_drawable(f"{campaign.name} 活动总结 {inst.name}"))
    c.setAuthor(issuer)
    c.setSubject(_drawable(campaign.name))
    left, right = 18 * mm, width - 18 * mm
    y = height - 22 * mm

    def text(x, y, value, size=10.5, color=INK, align="left", face=font):
        value = _drawable(value)
        c.setFont(face, size)
        c.setFillColor(color)
        if align == "right":
            c.drawRightString(x, y, value)
        elif align == "center":
            c.drawCentredString(x, y, value)
        else:
            c.drawString(x, y, value)

    def fit(value: str, size: float, room: float) -> str:
        """`value` cut with … to `room` points wide."""
        value = _drawable(value)
        if c.stringWidth(value, font, size) <= room:
            return value
        while value and c.stringWidth(value + "…", font, size) > room:
            value = value[:-1]
        return value + "…"

    # --- heading
    # A long campaign name takes two lines rather than losing "活动总结"; the period is never cut for the theme.
    heading = certificates._wrap(c, _drawable(f"{campaign.name} 活动总结"), font, 18, right - left)
    if len(heading) > 2:
        rest = "".join(heading[1:]).removesuffix("活动总结").rstrip()
        heading = [heading[0], fit(rest, 18, right - left - c.stringWidth(" 活动总结", font, 18)) + " 活动总结"]
    for part in heading:
        text(width / 2, y, part, size=18, align="center")
        y -= 9 * mm
    text(width / 2, y, fit(inst.name, 14, right - left), size=14, align="center")
    y -= 7 * mm
    period = f"活动时间：{_date(campaign.starts_on)} 至 {_date(campaign.ends_on)}"
    theme = f"主题：{campaign.theme}" if campaign.theme else ""
    if theme and c.stringWidth(_drawable(f"{theme}　{period}"), font, 9.5) > right - left:
        text(width / 2, y, fit(theme, 9.5, right - left), size=9.5, color=MUTED, align="center")
        y -= 5 * mm
        theme = ""
    text(width / 2, y, f"{theme}　{period}" if theme else period, size=9.5, color=MUTED, align="center")
    y -= 5 * mm
    roster = "无在册人员" if card.no_roster else f"在册 {card.roster} 人"
    exam_text = f"考试：{exam.title}" if exam is not None else "本活动期间无考试"
    text(width / 2, y, fit(f"{roster}　{exam_text}", 9.5, right - left), size=9.5, color=MUTED, align="center")
    y -= 8 * mm

    # --- the criteria table
    columns = [left, left + 42 * mm, left + 66 * mm, left + 108 * mm, left + 126 * mm, right]
    heads = ["考核项目", "要求", "完成情况", "结论", "得分 / 分值"]
    row_h = 7.5 * mm

    def row(values, y, *, head=False, colours=None):
        if head:
            c.setFillColor(HEAD_BG)
            c.rect(left, y - row_h + 2.2 * mm, right - left, row_h, stroke=0, fill=1)
        for i, value in enumerate(values):
            room = columns[i + 1] - columns[i] - 3 * mm
            colour = (colours or {}).get(i, INK)
            text(columns[i] + 1.5 * mm, y, fit(str(value), 10, room), size=10, color=colour)
        c.setStrokeColor(RULE)
        c.setLineWidth(0.6)
        c.line(left, y - row_h + 2.2 * mm, right, y - row_h + 2.2 * mm)
        return y - row_h

    y = row(heads, y, head=True)
    for line in card.lines:
        state_colour = {rules.MET: GREEN, rules.UNMET: RED}.get(line.state, MUTED)
        y = row(
            [line.label, line.requirement_text, line.value_text, line.state_text, line.points_text],
            y,
            colours={3: state_colour},
        )
    if card.no_roster:
        total = "无在册人员，不计分"
    elif card.total is None:
        total = "—"
    else:
        total = f"{card.total:.1f} 分"
        if card.score.penalty:
            total += f"（含逾期隐患扣 {card.score.penalty:.0f} 分）"
        if card.rank is not None:
            total += f"　全区第 {card.rank} 名 / {card.ranked_among} 个单位"
    y -= 1.5 * mm
    text(left + 1.5 * mm, y, "综合得分", size=12)
    text(columns[1] + 1.5 * mm, y, fit(total, 12, right - columns[1] - 3 * mm), size=12)
    y -= 6 * mm
    weights = "、".join(f"{line.label}{line.result.weight}" for line in card.lines)
    note = (
        f"计分：{weights}，按完成比例得分，达到要求得满分；不适用或暂无数据的项目不计分，总分按其余项目折算为"
        f"100分；每条逾期未整改隐患扣{rules.OVERDUE_PENALTY}分，最多扣{rules.OVERDUE_PENALTY_CAP}分。"
    )
    for part in certificates._wrap(c, note, font, 8, right - left):
        text(left, y, part, size=8, color=MUTED)
        y -= 4 * mm
    y -= 2 * mm

    # --- what is missing (one line each)
    text(left, y, "尚需改进", size=11.5)
    y -= 6 * mm
    missing = [f"{n}. {line.label}：{line.missing_text}" for n, line in enumerate(card.unmet, start=1)]
    if not missing:
        missing = ["—"] if card.total is None else ["各项要求均已达到。"]
    for item in missing:
        text(left + 2 * mm, y, fit(item, 10, right - left - 4 * mm), size=10)
        y -= 5 * mm
    y -= 2 * mm

    # --- drills and trainings held
    drills = list(drills)
    counts = card.drills
    summary = (
        f"应急演练 {counts.drills} 次，自救互救培训 {counts.trainings} 次，特殊岗位培训 {counts.special_trainings} 次，"
        f"参加 {counts.attendances} 人"
        if counts is not None
        else "—"
    )
    text(left, y, "应急演练与培训", size=11.5)
    text(right, y, fit(summary, 9, right - left - 40 * mm), size=9, color=MUTED, align="right")
    y -= 6 * mm
    if not drills:
        text(left + 2 * mm, y, "本活动期间尚未记录演练或培训。", size=10, color=MUTED)
        y -= 5 * mm
    base = 40 * mm  # the signature block's baseline
    # What fits above the hazards and the signatures: the page stays one page however many drills there are.
    fits = max(1, min(MAX_DRILLS, int((y - base - 40 * mm) // (5 * mm))))
    shown = drills[:fits] if len(drills) <= fits else drills[: fits - 1]
    for d in shown:
        kind = d.get_kind_display()
        category = d.get_category_display()
        text(left + 2 * mm, y, _date(d.date), size=10)
        text(left + 32 * mm, y, fit(f"{kind}（{category}）", 10, 38 * mm), size=10)
        text(left + 72 * mm, y, fit(d.title, 10, right - left - 74 * mm), size=10)
        y -= 5 * mm
    if len(drills) > len(shown):
        text(left + 2 * mm, y, f"另有 {len(drills) - len(shown)} 次，见平台记录。", size=9, color=MUTED)
        y -= 5 * mm
    y -= 2 * mm

    # --- hazards
    text(left, y, "隐患排查", size=11.5)
    y -= 6 * mm
    h = card.hazards
    if h is None:
        hazards = "—（隐患上报数据暂不可用）"
    else:
        hazards = (
            f"上报 {h.reported} 条，已整改 {h.rectified} 条，逾期未整改 {h.overdue} 条，其中重大隐患 {h.major} 条。"
        )
    text(left + 2 * mm, y, fit(hazards, 10, right - left - 4 * mm), size=10)

    # --- signatures, at the foot of the page
    text(left, base + 12 * mm, "单位意见：", size=10.5)
    c.setStrokeColor(INK)
    c.setLineWidth(0.6)
    third = (right - left) / 3
    for i, label in enumerate(("单位负责人（签字）", "安全员（签字）", "日期")):
        x = left + i * third
        text(x, base, label, size=10)
        c.line(x, base - 8 * mm, x + third - 8 * mm, base - 8 * mm)
    text(right, base - 16 * mm, "（单位盖章）", size=10, color=MUTED, align="right")
    generated = timezone.localtime()
    text(
        left,
        14 * mm,
        f"{issuer}　生成于 {generated:%Y-%m-%d %H:%M}",  # no "·": STSong-Light has no glyph for U+00B7
        size=8,
        color=MUTED,
    )

    c.showPage()
    c.save()
    return buffer.getvalue()
