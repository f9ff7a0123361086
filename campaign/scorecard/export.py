"""The district scorecard as an Excel workbook: one row per institution, every criterion's figure, requirement and
whether it is met, the hazard counts, the total and the rank. Cells are written by elearn.spreadsheets (formula-safe:
an institution named "=HYPERLINK(...)" stays text)."""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone

from campaign.scorecard import rules
from campaign.scorecard.selectors import Scorecard
from elearn.spreadsheets import workbook_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CRITERION_COLUMNS = {
    rules.STUDY: "学习完成率%",
    rules.EXAM_PARTICIPATION: "考试参与率%",
    rules.EXAM_PASS: "考试合格率%",
    rules.TASKS: "“五个一”完成率%",
    rules.DRILLS: "应急演练（次）",
    rules.TRAININGS: "自救互救培训（次）",
}


def header() -> list[str]:
    out = ["排名", "单位", "类型", "在册人数"]
    for title in CRITERION_COLUMNS.values():
        out += [title, f"{title.rstrip('%')}要求", f"{title.rstrip('%')}是否达标", f"{title.rstrip('%')}得分"]
    return out + ["隐患上报", "隐患已整改", "隐患逾期", "重大隐患", "逾期扣分", "综合得分", "说明"]


def _met(line) -> str:
    return {rules.MET: "是", rules.UNMET: "否", rules.NOT_APPLICABLE: "不适用", rules.UNAVAILABLE: "暂无数据"}[
        line.state
    ]


def rows(data: Scorecard) -> Iterator[list]:
    for card in data.cards:
        row = [card.rank if card.rank is not None else "", card.institution.name]
        row += [card.institution.get_kind_display(), card.roster]
        for key in CRITERION_COLUMNS:
            line = card.line(key)
            r = line.result
            value = "" if r.value is None else r.value
            row += [value, r.target, _met(line), "" if r.points is None else r.points]
        h = card.hazards
        row += [h.reported, h.rectified, h.overdue, h.major] if h is not None else ["", "", "", ""]
        row += [card.score.penalty, "" if card.total is None else card.total]
        row.append("无在册人员" if card.no_roster else "；".join(f"{x.label}：{x.missing_text}" for x in card.unmet))
        yield row


def workbook(data: Scorecard) -> tuple[str, bytes]:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"scorecard-campaign{data.campaign.pk}-{stamp}.xlsx"
    return name, workbook_bytes([("单位考核", header(), rows(data))])
