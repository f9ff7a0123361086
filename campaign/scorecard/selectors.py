"""The institution scorecard (单位考核): each institution's campaign figures against the notice's requirements.

Reads only, through the owners' selectors:
- study completion, exam participation and pass rate: leaderboard.reports (people_frame + analytics.summary_row,
  the figures of 活动报表, which take study progress from courses.selectors and exam grades from
  quizzes.results.selectors), each institution for its campaign exam (`exam_for`: the latest published exam
  overlapping the campaign whose audience includes the institution);
- 五个一 completion: campaign.tasks.selectors.completion_by_institution;
- drills and trainings held: drills.selectors.held_by_institution;
- hazard reports: hazards.selectors.counts_by_institution (reports sent straight to the bureau left out).
The requirements come from the Campaign; the arithmetic is campaign.scorecard.rules. Every read takes the viewer
and narrows through elearn.org.permissions: a safety officer gets only their own institution, and ranks only exist
for a viewer who sees every institution.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from django.core.exceptions import PermissionDenied
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from campaign.scorecard import rules
from campaign.tasks import selectors as task_selectors
from campaign.tasks.models import Campaign
from drills import selectors as drill_selectors
from elearn.org.models import Institution
from elearn.org.permissions import can_manage_institution, managed_institutions, sees_every_institution
from hazards import selectors as hazard_selectors
from leaderboard.reports import analytics
from leaderboard.reports import selectors as report_selectors
from quizzes.exams.models import Exam

LABELS = {
    rules.STUDY: gettext_lazy("学习完成率"),
    rules.EXAM_PARTICIPATION: gettext_lazy("考试参与率"),
    rules.EXAM_PASS: gettext_lazy("考试合格率"),
    rules.TASKS: gettext_lazy("“五个一”完成率"),
    rules.DRILLS: gettext_lazy("应急演练"),
    rules.TRAININGS: gettext_lazy("自救互救培训"),
}
SORT_KEYS = ("rank", "name", "roster", *rules.CRITERIA, "hazards", "score")


# --------------------------------------------------------------------------- the campaign and its exam


MAX_ID = 2**31 - 1


def parse_id(raw) -> int | None:
    """An id from a URL or query string (?campaign=, an institution), else None: ASCII digits only (isdigit() alone
    also accepts "²" or "١", which int() refuses or reads as another number), within the database's integer."""
    raw = str(raw or "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= 10 and int(raw) <= MAX_ID:
        return int(raw)
    return None


def campaign_for(campaign_id: int | None = None) -> Campaign | None:
    """The campaign asked for, else the current one (Campaign.objects.current())."""
    if campaign_id is not None:
        return Campaign.objects.filter(pk=campaign_id).first()
    return Campaign.objects.current()


def campaigns():
    return Campaign.objects.order_by("-starts_on", "pk")


def _bounds(campaign: Campaign) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(campaign.starts_on, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(campaign.ends_on + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def campaign_exams(campaign: Campaign) -> list[Exam]:
    """The published exams whose window overlaps the campaign's dates, the one opening last first."""
    start, end = _bounds(campaign)
    return list(
        Exam.objects.published()
        .filter(opens_at__lt=end, closes_at__gt=start)
        .prefetch_related("institutions")
        .order_by("-opens_at", "-pk")
    )


def exam_for(exams: list[Exam], institution_id: int) -> Exam | None:
    """An institution's campaign exam: the first of `exams` (campaign_exams) whose audience includes it (an exam
    listing no institutions is for every institution)."""
    for exam in exams:
        ids = {i.pk for i in exam.institutions.all()}
        if not ids or institution_id in ids:
            return exam
    return None


def campaign_exam(campaign: Campaign, institution_id: int | None = None) -> Exam | None:
    """The campaign's exam (of one institution when given)."""
    exams = campaign_exams(campaign)
    if institution_id is None:
        return exams[0] if exams else None
    return exam_for(exams, institution_id)


# --------------------------------------------------------------------------- the figures


@dataclass(frozen=True)
class Line:
    """One criterion of one institution, ready to show."""

    result: rules.Result
    label: str
    link: str = ""

    @property
    def key(self) -> str:
        return self.result.key

    @property
    def state(self) -> str:
        return self.result.state

    @property
    def value_text(self) -> str:
        r = self.result
        if r.state == rules.UNAVAILABLE:
            return "—"
        if r.is_rate:
            if r.value is None:
                return _("无人参考") if r.key == rules.EXAM_PASS and r.state == rules.UNMET else "—"
            return f"{r.value:.1f}%" + pgettext("括号", "（") + f"{r.done}/{r.of}" + pgettext("括号", "）")
        return _("%(n)s 次") % {"n": r.value}

    @property
    def requirement_text(self) -> str:
        r = self.result
        if r.target == 0:
            return _("不考核")
        return f"≥ {r.target}%" if r.is_rate else _("≥ %(n)s 次") % {"n": r.target}

    @property
    def state_text(self) -> str:
        return {
            rules.MET: _("达标"),
            rules.UNMET: _("未达标"),
            rules.NOT_APPLICABLE: _("不适用"),
            rules.UNAVAILABLE: _("暂无数据"),
        }[self.result.state]

    @property
    def missing_text(self) -> str:
        """What is missing, in words ("还差 2 人"), or why the criterion is left out."""
        r = self.result
        if r.state == rules.UNAVAILABLE:
            return _("该项数据暂不可用，不计分")
        if r.state == rules.NOT_APPLICABLE:
            if r.target == 0:
                return _("本次活动不考核此项")
            return {
                rules.STUDY: _("没有必修模块，不计分"),
                rules.EXAM_PARTICIPATION: _("本单位不在考试范围内，不计分"),
                rules.EXAM_PASS: _("本单位不在考试范围内，不计分"),
                rules.TASKS: _("本单位没有活动任务，不计分"),
            }.get(r.key, _("不计分"))
        if r.state == rules.MET:
            return ""
        if r.key == rules.EXAM_PASS and not r.of:
            return _("尚无人参考")
        if r.is_rate:
            noun = {
                rules.STUDY: _("还差 %(n)s 人完成必修"),
                rules.EXAM_PARTICIPATION: _("还差 %(n)s 人参考"),
                rules.EXAM_PASS: _("还差 %(n)s 人合格"),
                rules.TASKS: _("还差 %(n)s 项任务通过"),
            }[r.key]
            return noun % {"n": r.missing}
        noun = _("还差 %(n)s 次演练") if r.key == rules.DRILLS else _("还差 %(n)s 次培训")
        return noun % {"n": r.missing}

    @property
    def points_text(self) -> str:
        return "—" if self.result.points is None else f"{self.result.points:.1f} / {self.result.weight}"


@dataclass
class Card:
    """One institution's scorecard."""

    institution: Institution
    roster: int
    figures: dict  # leaderboard.reports.analytics.summary_row for the institution
    tasks: object | None  # campaign.tasks.selectors.TaskCompletion, None when unavailable
    drills: object | None  # drills.selectors.DrillCounts
    hazards: object | None  # hazards.selectors.HazardCounts, None when unavailable
    score: rules.Score
    lines: list[Line]
    exam: Exam | None = None  # the exam its participation and pass rate are about
    rank: int | None = None
    ranked_among: int = 0
    hazards_link: str = ""

    @property
    def no_roster(self) -> bool:
        return self.roster <= 0

    @property
    def total(self) -> float | None:
        return self.score.total

    def line(self, key: str) -> Line:
        return next(line for line in self.lines if line.key == key)

    @property
    def unmet(self) -> list[Line]:
        return [line for line in self.lines if line.state == rules.UNMET]

    @property
    def hazards_text(self) -> str:
        h = self.hazards
        if h is None:
            return "—"
        return _("上报 %(r)s · 整改 %(f)s · 逾期 %(o)s") % {"r": h.reported, "f": h.rectified, "o": h.overdue}


@dataclass
class Scorecard:
    campaign: Campaign
    exams: list[Exam]  # the exams the cards shown count (usually one)
    cards: list[Card]
    sources: dict[str, bool] = field(default_factory=dict)  # which figures are available
    ranked: bool = False

    @property
    def unavailable(self) -> list[str]:
        names = {"tasks": _("“五个一”任务"), "drills": _("应急演练与培训"), "hazards": _("隐患排查")}
        return [str(names[k]) for k, ok in self.sources.items() if not ok]


def _link(names: tuple[str, ...], args=(), query: str = "") -> str:
    for name in names:
        try:
            url = reverse(name, args=args)
        except NoReverseMatch:
            continue
        return f"{url}?{query}" if query else url
    return ""


def _links(inst_id: int, exam: Exam | None) -> dict[str, str]:
    """Where each criterion's underlying list is (admin pages of the owning apps)."""
    q = f"institution={inst_id}"
    exam_q = f"{q}&exam={exam.pk}" if exam is not None else q
    links = {
        rules.STUDY: _link(("leaderboard_report_followup",), query=exam_q),
        rules.TASKS: _link(("campaign_tasks_review",), query=q),
        rules.DRILLS: _link(("drills_admin_index",), query=f"{q}&kind=drill"),
        rules.TRAININGS: _link(("drills_admin_index",), query=f"{q}&kind=training"),
        "hazards": _link(("hazards_admin_list",), query=q),
    }
    if exam is not None:
        links[rules.EXAM_PARTICIPATION] = _link(("quizzes_results_exam",), args=[exam.pk], query=f"{q}&tab=absent")
        links[rules.EXAM_PASS] = _link(("quizzes_results_exam",), args=[exam.pk], query=q)
    return links


def study_exam_figures(viewer, campaign: Campaign, exam: Exam | None, institution_id: int | None = None) -> dict:
    """{institution id: 活动报表's per-institution figures (roster, required_people/done, audience, sat, graded,
    passed, ...)} for the institutions `viewer` manages, computed by leaderboard.reports as its dashboard does."""
    filters = report_selectors.ReportFilters(
        institution_id=institution_id, date_from=campaign.starts_on, date_to=campaign.ends_on
    )
    people = report_selectors.people_frame(viewer, filters, exam)
    if not len(people):
        return {}
    return {int(row["institution_id"]): _plain(row) for row in analytics.institution_summary(people).to_dict("records")}


def _plain(row: dict) -> dict:
    """numpy numbers to Python ones and NaN to None (for templates, JSON and spreadsheets)."""
    out = {}
    for key, value in row.items():
        value = value.item() if hasattr(value, "item") else value
        out[key] = None if isinstance(value, float) and value != value else value
    return out


def _no_people(inst_id: int) -> dict:
    """The figures of an institution with nobody on its roster (as 活动报表 shows it)."""
    empty = pd.DataFrame(columns=report_selectors.PEOPLE_COLUMNS)
    return _plain(analytics.summary_row(inst_id, empty))


def _measures(campaign: Campaign, figures: dict, tasks, drills) -> list[rules.Measure]:
    return [
        rules.Measure(rules.STUDY, figures["required_done"], campaign.study_target_percent, figures["required_people"]),
        rules.Measure(
            rules.EXAM_PARTICIPATION, figures["sat"], campaign.exam_participation_target_percent, figures["audience"]
        ),
        rules.pass_measure(
            passed=figures["passed"],
            graded=figures["graded"],
            audience=figures["audience"],
            target=campaign.exam_pass_target_percent,
        ),
        rules.Measure(
            rules.TASKS,
            tasks.done if tasks is not None else None,
            campaign.tasks_target_percent,
            tasks.expected if tasks is not None else None,
        ),
        rules.Measure(rules.DRILLS, drills.drills if drills is not None else None, campaign.required_drills),
        rules.Measure(rules.TRAININGS, drills.trainings if drills is not None else None, campaign.required_trainings),
    ]


def _sources(campaign: Campaign) -> tuple[dict, dict, dict | None]:
    tasks = task_selectors.completion_by_institution(campaign)
    drills = drill_selectors.held_by_institution(campaign.starts_on, campaign.ends_on)
    # Reports sent straight to the bureau are left out (the hazards app's rule): an officer must not learn from
    # their score that someone reported their management, and the score is the same whoever looks at it.
    hazards = hazard_selectors.counts_by_institution(campaign.starts_on, campaign.ends_on, include_bureau=False)
    return tasks, drills, hazards


def scorecard(viewer, campaign: Campaign, *, institution_id: int | None = None, kind: str | None = None) -> Scorecard:
    """The scorecard of every institution `viewer` manages (or one of them), ranked when the viewer sees every
    institution. `kind` narrows the institutions shown; ranks stay those of the whole district."""
    if institution_id is not None and not can_manage_institution(viewer, institution_id):
        raise PermissionDenied
    institutions = list(managed_institutions(viewer).order_by("kind", "name"))
    ranked = sees_every_institution(viewer)
    # A ranked view needs every institution's figures; otherwise only the one asked for.
    scope = None if ranked else institution_id
    if scope is not None:
        institutions = [inst for inst in institutions if inst.pk == scope]
    exams = campaign_exams(campaign)
    exam_of = {inst.pk: exam_for(exams, inst.pk) for inst in institutions}
    figures: dict[int, dict] = {}
    # One read per exam in use (usually one for the whole district): every institution's figures for its own exam.
    for exam in {e.pk: e for e in exam_of.values() if e is not None}.values() or [None]:
        found = study_exam_figures(viewer, campaign, exam, scope)
        figures |= {pk: row for pk, row in found.items() if exam_of.get(pk) == exam}
    if None in exam_of.values() and any(e is not None for e in exam_of.values()):
        found = study_exam_figures(viewer, campaign, None, scope)
        figures |= {pk: row for pk, row in found.items() if exam_of.get(pk) is None}
    tasks, drills, hazards = _sources(campaign)
    drill_none = drill_selectors.DrillCounts()
    cards = []
    for inst in institutions:
        exam = exam_of[inst.pk]
        row = figures.get(inst.pk) or _no_people(inst.pk)
        task_row = tasks.get(inst.pk) or task_selectors.TaskCompletion()
        drill_row = drills.get(inst.pk) or drill_none
        hazard_row = hazards.get(inst.pk) or hazard_selectors.HazardCounts()
        score = rules.score(
            _measures(campaign, row, task_row, drill_row),
            roster=row["roster"],
            overdue_hazards=getattr(hazard_row, "overdue", None),
        )
        links = _links(inst.pk, exam)
        lines = [Line(result, str(LABELS[result.key]), links.get(result.key, "")) for result in score.criteria]
        card = Card(inst, row["roster"], row, task_row, drill_row, hazard_row, score, lines, exam=exam)
        card.hazards_link = links.get("hazards", "")
        cards.append(card)
    if ranked:
        ranks = rules.rank((card.institution.pk, card.total) for card in cards)
        among = sum(1 for card in cards if card.total is not None)
        for card in cards:
            card.rank, card.ranked_among = ranks[card.institution.pk], among
    if institution_id is not None:
        cards = [card for card in cards if card.institution.pk == institution_id]
    if kind:
        cards = [card for card in cards if card.institution.kind == kind]
    return Scorecard(
        campaign=campaign,
        exams=list({c.exam.pk: c.exam for c in cards if c.exam is not None}.values()),
        cards=cards,
        sources={"tasks": True, "drills": True, "hazards": True},
        ranked=ranked,
    )


def sort_cards(cards: list[Card], key: str, descending: bool) -> list[Card]:
    """Cards sorted by a column; cards without a figure for it go last either way, then by institution order."""

    def figure(card: Card):
        if key == "rank":
            return card.rank
        if key == "name":
            return card.institution.name
        if key == "roster":
            return card.roster
        if key == "score":
            return card.total
        if key == "hazards":
            return getattr(card.hazards, "overdue", None)
        result = card.line(key).result
        if not result.counted:
            return None
        return result.value if result.value is not None else 0

    present = [c for c in cards if figure(c) is not None]
    absent = [c for c in cards if figure(c) is None]
    present.sort(key=figure, reverse=descending)
    return present + absent


def card_for(viewer, campaign: Campaign, institution_id: int) -> Card | None:
    """One institution's card (PermissionDenied for one the viewer does not manage; None if it does not exist)."""
    if not Institution.objects.filter(pk=institution_id).exists():
        return None
    found = scorecard(viewer, campaign, institution_id=institution_id).cards
    return found[0] if found else None


def drills_held(viewer, campaign: Campaign, institution_id: int):
    """The drills and trainings the institution held in the campaign, by date (for the summary PDF)."""
    if not can_manage_institution(viewer, institution_id):
        raise PermissionDenied
    return (
        drill_selectors.drills_for(viewer)
        .held(campaign.starts_on, campaign.ends_on)
        .filter(institution_id=institution_id)
        .order_by("date", "pk")
    )
