"""The campaign workbook (summary by institution, per-person results, not-participated list, item analysis) and a
CSV of each sheet. Rows come from leaderboard.reports.selectors (scoped to the viewer); cells are written by
elearn.spreadsheets, which neutralises formula injection in every cell."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pandas as pd
from django.utils import timezone
from django.utils.translation import gettext as _

from elearn.org.disclosure import DOWNLOAD, EXPORT, disclose
from elearn.spreadsheets import csv_bytes, workbook_bytes
from leaderboard.reports import analytics, selectors

SHEETS = {"summary": "单位汇总", "people": "个人成绩", "absent": "未参与名单", "items": "试题分析"}
STATUS_LABELS = {
    "passed": "合格",
    "failed": "不合格",
    "in_progress": "作答中",
    "absent": "未参考",
    "not_in_audience": "非应考人员",
}

SUMMARY_HEADER = [
    "单位",
    "在册人数",
    "有必修人数",
    "必修完成人数",
    "必修完成率%",
    "应考人数",
    "参考人数",
    "参考率%",
    "已评分人数",
    "合格人数",
    "合格率%",
    "平均分(百分制)",
    "中位数(百分制)",
    "竞赛参与人数",
    "竞赛参与率%",
]
# The people and absent sheets carry the mobile number only when the export asked for it (含手机号, recorded in the
# access log by the entry point that asked): `header(sheet, include_mobile)` and the row builders add the column.
MOBILE_COLUMN = "手机号"
PEOPLE_HEADER = [
    "单位",
    "科室/岗位",
    "工号",
    "姓名",
    "必修模块数",
    "已完成必修",
    "考试状态",
    "成绩",
    "满分",
    "百分制",
    "是否合格",
    "作答次数",
    "交卷时间",
    "竞赛场次",
]
ABSENT_HEADER = ["单位", "科室/岗位", "工号", "姓名", "未完成的必修模块", "未参考考试"]
MOBILE_AFTER = 4  # the mobile column follows 姓名 in both sheets
ITEMS_HEADER = [
    "题目编号",
    "分类",
    "题型",
    "题干",
    "作答人数",
    "平均得分",
    "满分",
    "难度系数(Facility)",
    "区分度(Discrimination)",
    "选项选择率",
    "标记",
]
TYPE_LABELS = {"single": "单选", "multiple": "多选", "truefalse": "判断", "fill": "填空"}


@dataclass
class ReportData:
    filters: selectors.ReportFilters
    exam: object
    people: pd.DataFrame
    summary: list[dict]
    items: list[dict]
    include_mobile: bool = False


def collect(
    viewer,
    filters: selectors.ReportFilters,
    progress: Callable[[int, str], None] | None = None,
    sheets: tuple[str, ...] = tuple(SHEETS),
    include_mobile: bool = False,
) -> ReportData:
    """Read what the `sheets` need (all four for the workbook), once, reporting progress (percent, step)."""
    progress = progress or (lambda pct, step: None)
    progress(5, "读取考试与人员")
    exam = selectors.selected_exam(viewer, filters)
    people = selectors.people_frame(viewer, filters, exam)
    progress(40, "汇总各单位")
    names = {i.pk: i.name for i in selectors.report_institutions(viewer, filters.institution_id)}
    by_inst = (
        {r["institution_id"]: r for r in analytics.institution_summary(people).to_dict("records")}
        if len(people)
        else {}
    )
    summary = [
        {"institution": name, **selectors._clean(by_inst.get(pk) or analytics.summary_row(pk, people.iloc[0:0]))}
        for pk, name in names.items()
    ]
    progress(55, "试题分析")
    items = []
    if exam is not None and "items" in sheets:
        answers = selectors.answer_frame(selectors.graded_attempts(people))
        items = selectors.item_analysis(exam, viewer, filters.institution_id, answers=answers)["items"]
    progress(75, "写入文件")
    return ReportData(
        filters=filters, exam=exam, people=people, summary=summary, items=items, include_mobile=include_mobile
    )


def _n(value):
    """A figure for a cell: None stays empty."""
    return "" if value is None else value


def summary_rows(data: ReportData) -> Iterator[list]:
    for r in data.summary:
        yield [
            r["institution"],
            r["roster"],
            r["required_people"],
            r["required_done"],
            _n(r["required_share"]),
            r["audience"],
            r["sat"],
            _n(r["sat_share"]),
            r["graded"],
            r["passed"],
            _n(r["pass_rate"]),
            _n(r["mean_score"]),
            _n(r["median_score"]),
            r["players"],
            _n(r["competition_share"]),
        ]


def _when(value) -> str:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return ""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def people_rows(data: ReportData) -> Iterator[list]:
    for r in data.people.itertuples(index=False):
        graded = r.percent == r.percent and r.percent is not None  # not NaN
        yield [
            r.institution,
            r.department,
            r.employee_no,
            r.real_name,
            *([r.mobile] if data.include_mobile else []),
            int(r.required),
            int(r.required_done),
            STATUS_LABELS.get(r.status, r.status),
            float(r.score) if graded else "",
            float(r.max_score) if graded else "",
            float(r.percent) if graded else "",
            ("是" if r.passed else "否") if graded else "",
            int(r.attempts),
            _when(r.submitted_at) if graded else "",
            int(r.games),
        ]


def absent_rows(data: ReportData) -> Iterator[list]:
    people = data.people
    missing = people.loc[(people["required_done"] < people["required"]) | (people["in_audience"] & ~people["sat"])]
    for r in missing.itertuples(index=False):
        yield [
            r.institution,
            r.department,
            r.employee_no,
            r.real_name,
            *([r.mobile] if data.include_mobile else []),
            r.unfinished,
            "是" if (r.in_audience and not r.sat) else "",
        ]


def item_rows(data: ReportData) -> Iterator[list]:
    for item in data.items:
        yield [
            item["question_id"],
            item["category"],
            TYPE_LABELS.get(item["type"], item["type"]),
            item["stem"],
            item["attempts"],
            _n(item["mean_score"]),
            _n(item["max_points"]),
            _n(item["facility"]),
            _n(item["discrimination"]),
            "；".join(f"{o['label']} {o['share']}%" for o in item["options"] if o["share"] is not None),
            "、".join(item["flag_labels"]),
        ]


SHEET_BUILDERS = {
    "summary": (SUMMARY_HEADER, summary_rows),
    "people": (PEOPLE_HEADER, people_rows),
    "absent": (ABSENT_HEADER, absent_rows),
    "items": (ITEMS_HEADER, item_rows),
}


def filename(data: ReportData, fmt: str, sheet: str = "") -> str:
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    scope = f"-inst{data.filters.institution_id}" if data.filters.institution_id else ""
    exam = f"-exam{data.exam.pk}" if data.exam is not None else ""
    part = f"-{sheet}" if sheet else ""
    return f"campaign-report{scope}{exam}{part}-{stamp}.{fmt}"


def header(sheet: str, include_mobile: bool = False) -> list[str]:
    base = SHEET_BUILDERS[sheet][0]
    if include_mobile and sheet in ("people", "absent"):
        return [*base[:MOBILE_AFTER], MOBILE_COLUMN, *base[MOBILE_AFTER:]]
    return list(base)


def workbook(data: ReportData) -> bytes:
    return workbook_bytes(
        (SHEETS[key], header(key, data.include_mobile), builder(data)) for key, (_h, builder) in SHEET_BUILDERS.items()
    )


def csv_sheet(data: ReportData, sheet: str) -> bytes:
    return csv_bytes(header(sheet, data.include_mobile), SHEET_BUILDERS[sheet][1](data))


def build(
    viewer,
    filters: selectors.ReportFilters,
    *,
    fmt: str = "xlsx",
    sheet: str = "",
    progress: Callable[[int, str], None] | None = None,
    include_mobile: bool = False,
) -> tuple[str, bytes]:
    """(file name, bytes) of the workbook, or of one sheet as CSV; mobile numbers only with `include_mobile`."""
    if fmt == "csv" and sheet not in SHEETS:
        raise ValueError(f"unknown sheet {sheet!r}")
    data = collect(
        viewer, filters, progress, sheets=(sheet,) if fmt == "csv" else tuple(SHEETS), include_mobile=include_mobile
    )
    content = csv_sheet(data, sheet) if fmt == "csv" else workbook(data)
    return filename(data, fmt, sheet if fmt == "csv" else ""), content


# --- the access log: what the HTML and API entry points note when an export is asked for or downloaded ------------


def note_export_request(request, export) -> None:
    """Note an export request for the access log: which sheets, which scope, with or without mobile numbers."""
    sheet = SHEETS.get(export.sheet) or _("全部工作表")
    disclose(
        request,
        action=EXPORT,
        what=_("申请导出活动报表（%(format)s，%(sheet)s）") % {"format": export.format, "sheet": sheet},
        institution=export.params.get("institution"),
        with_mobile=export.params.get("mobile") is True,
        detail={"export": str(export.pk), **export.params},
    )


def note_export_download(request, export) -> None:
    disclose(
        request,
        action=DOWNLOAD,
        what=_("下载报表导出文件：%(name)s") % {"name": export.filename},
        institution=export.params.get("institution"),
        with_mobile=export.params.get("mobile") is True,
        detail={"export": str(export.pk)},
    )
