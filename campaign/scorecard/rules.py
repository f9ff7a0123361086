"""The institution scorecard's arithmetic (单位考核), as a pure rule: no Django, no database, no app.

campaign.scorecard.selectors reads each institution's figures and the campaign's requirements and hands them here
as `Measure`s; what comes back says, per criterion, the value, the requirement, whether it is met, what is missing
and the points earned, and for the institution a total score out of 100 and a rank.

The rule, in full (the README and the pages repeat it):
- Six criteria with weights that add up to 100: study completion 25, exam participation 20, exam pass rate 15,
  五个一 completion 20, emergency drills held 10, self-rescue / mutual-rescue trainings held 10.
- A rate criterion earns weight x min(1, rate / requirement); a count criterion weight x min(1, held / required).
  Partial work earns partial points; doing more than required earns nothing extra.
- A criterion is met when the rate (exactly, not the rounded figure) reaches the requirement, or the count does.
- The total is the sum of the criteria's points as shown (each rounded to 0.1), so the shown parts add up to it.
- A criterion that does not apply is left out and the total is scaled to 100 over those that do: a requirement
  of 0 (不考核), nobody it applies to (no required study module, no exam audience, no task for the institution),
  or a figure whose source is not available (shown as "—").
  The pass rate applies whenever the exam has an audience in the institution: if nobody sat it, it is 0.
- Hazard reports are shown but never lower the score for being reported; each hazard past its rectification
  deadline (逾期未整改) takes 2 points off the total, at most 10. The total never goes below 0.
- An institution with nobody on its roster (无在册人员) gets no score and no rank.
- Ranks: highest total first, on the total rounded to one decimal as shown; equal totals share a rank and the next
  rank skips (1, 2, 2, 4).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

STUDY, EXAM_PARTICIPATION, EXAM_PASS, TASKS, DRILLS, TRAININGS = (
    "study",
    "exam_participation",
    "exam_pass",
    "tasks",
    "drills",
    "trainings",
)
WEIGHTS: dict[str, int] = {
    STUDY: 25,
    EXAM_PARTICIPATION: 20,
    EXAM_PASS: 15,
    TASKS: 20,
    DRILLS: 10,
    TRAININGS: 10,
}
CRITERIA: tuple[str, ...] = tuple(WEIGHTS)
RATES = frozenset({STUDY, EXAM_PARTICIPATION, EXAM_PASS, TASKS})  # the others are counts
OVERDUE_PENALTY = 2  # points off per hazard past its rectification deadline
OVERDUE_PENALTY_CAP = 10

# States of a criterion
MET, UNMET, NOT_APPLICABLE, UNAVAILABLE = "met", "unmet", "na", "unavailable"


@dataclass(frozen=True)
class Measure:
    """One criterion's figures for one institution.

    done: people who completed (rates) or events held (counts); None when the figure's source is not available.
    of: the people it applies to (rates); ignored for counts.
    target: the requirement: a percentage 0-100 for rates, a number of events for counts.
    applies: whether the criterion concerns the institution at all (default: a rate applies when `of` > 0)."""

    key: str
    done: int | None
    target: int
    of: int | None = None
    applies: bool | None = None


@dataclass(frozen=True)
class Result:
    key: str
    weight: int
    state: str  # MET | UNMET | NOT_APPLICABLE | UNAVAILABLE
    value: float | None  # the rate in % rounded to 0.1, or the count; None when there is no figure
    target: int
    done: int | None
    of: int | None
    missing: int  # how many more people (rates) or events (counts) would meet the requirement
    points: float | None  # points earned, rounded to 0.1; None when the criterion is left out

    @property
    def is_rate(self) -> bool:
        return self.key in RATES

    @property
    def counted(self) -> bool:
        return self.state in (MET, UNMET)

    @property
    def met(self) -> bool:
        return self.state == MET


@dataclass(frozen=True)
class Score:
    criteria: tuple[Result, ...]
    penalty: float  # points taken off for overdue hazards
    total: float | None  # 0-100 rounded to 0.1; None when no criterion applies or nobody is on the roster
    max_points: int  # the weights of the criteria that count (before scaling to 100)

    def result(self, key: str) -> Result:
        return next(r for r in self.criteria if r.key == key)

    @property
    def unmet(self) -> tuple[Result, ...]:
        return tuple(r for r in self.criteria if r.state == UNMET)


def _ceil(fraction: Fraction) -> int:
    return -((-fraction.numerator) // fraction.denominator)


def evaluate(measure: Measure) -> Result:
    """One criterion: its state, value, what is missing and its points."""
    weight = WEIGHTS[measure.key]
    rate = measure.key in RATES
    done, of, target = measure.done, measure.of, max(0, int(measure.target))

    def result(state, value=None, missing=0, points=None):
        return Result(measure.key, weight, state, value, target, done, of if rate else None, missing, points)

    if done is None:
        return result(UNAVAILABLE)
    done = max(0, int(done))
    if rate:
        of = max(0, int(of or 0))
        value = round(100 * done / of, 1) if of else None
        applies = of > 0 if measure.applies is None else measure.applies
        if target == 0 or not applies:
            return result(NOT_APPLICABLE, value)
        if of == 0:  # the pass rate of an exam that nobody in the institution sat: 0 points
            return result(UNMET, None, 0, 0.0)
        share = Fraction(done * 100, of * target)
        needed = _ceil(Fraction(target * of, 100))
        missing = max(0, needed - done)
        return result(MET if share >= 1 else UNMET, value, missing, round(weight * float(min(share, 1)), 1))
    if target == 0:
        return result(NOT_APPLICABLE, done)
    share = Fraction(done, target)
    return result(MET if share >= 1 else UNMET, done, max(0, target - done), round(weight * float(min(share, 1)), 1))


def pass_measure(*, passed: int | None, graded: int | None, audience: int | None, target: int) -> Measure:
    """The pass rate's measure: passed / graded, applying whenever the exam has an audience (nobody sat: 0)."""
    return Measure(EXAM_PASS, passed, target, graded, applies=bool(audience))


def overdue_penalty(overdue: int | None) -> float:
    if not overdue:
        return 0.0
    return float(min(OVERDUE_PENALTY_CAP, OVERDUE_PENALTY * max(0, int(overdue))))


def score(measures: Sequence[Measure], *, roster: int, overdue_hazards: int | None = None) -> Score:
    """The institution's criteria and total. `roster`: people on its roster (0: no score at all)."""
    results = tuple(evaluate(m) for m in measures)
    counted = [r for r in results if r.counted]
    max_points = sum(r.weight for r in counted)
    penalty = overdue_penalty(overdue_hazards)
    if roster <= 0 or not counted:
        return Score(results, penalty, None, max_points)
    # The points as shown (each rounded to 0.1), so that the shown parts add up to the shown total (30.1 = 16.7 + 6.7
    # + 6.7, not the exact 30.0): a total nobody can work out from the page is a total nobody trusts.
    earned = sum(Fraction(str(r.points)) for r in counted)
    total = float(earned * 100 / max_points) - penalty
    return Score(results, penalty, round(max(0.0, total), 1), max_points)


def rank(totals: Iterable[tuple[Hashable, float | None]]) -> dict[Hashable, int | None]:
    """{key: rank} by total, highest first; equal totals (to 0.1) share a rank, the next one skips; None unranked."""
    pairs = list(totals)
    scored = sorted((round(t, 1) for _k, t in pairs if t is not None), reverse=True)
    first = {}
    for position, total in enumerate(scored, start=1):
        first.setdefault(total, position)
    return {key: (first[round(total, 1)] if total is not None else None) for key, total in pairs}
