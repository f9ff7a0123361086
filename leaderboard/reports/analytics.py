"""Campaign figures as pure functions over plain data (lists, dicts, pandas frames): no database, no request.

leaderboard.reports.selectors reads the rows and calls these; the dashboard, the workbook and the API show what
they return. Percentages are floats rounded to one decimal (0-100); a figure that cannot be computed is None.

Item analysis follows Moodle's quiz statistics (docs.moodle.org "Quiz statistics calculations"):
- facility index F = 100 * mean(x / x_max): the mean share of the question's marks that candidates earned;
- discrimination index D = 100 * r(x, X'), the Pearson correlation between the score on the question (x) and the
  score on the rest of the paper (X' = total - x) over the analysed attempts; undefined (None) when either varies not.
Moodle's reading of the figures: F <= 20 difficult or worse, F >= 90 very easy; D < 0 means the better candidates
did worse on the question than the weaker ones (a wrong key or a misleading stem).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence

import pandas as pd

TOO_EASY_FROM = 90.0  # facility index at or above: too easy (Moodle: 90-94 very easy, 95-100 extremely easy)
TOO_HARD_UP_TO = 20.0  # facility index at or below: too hard (Moodle: 11-20 difficult, <= 10 very difficult)
FLAG_TOO_EASY, FLAG_TOO_HARD, FLAG_NEGATIVE = "too_easy", "too_hard", "negative_discrimination"
FLAG_UNANSWERED, FLAG_MOSTLY_UNANSWERED = "unanswered", "mostly_unanswered"
FLAG_LABELS = {
    FLAG_TOO_EASY: "过易",
    FLAG_TOO_HARD: "过难",
    FLAG_NEGATIVE: "负区分度",
    FLAG_UNANSWERED: "无人作答",
    FLAG_MOSTLY_UNANSWERED: "多数未作答",
}

FAST_SECONDS_PER_QUESTION = 3.0  # an attempt quicker than this per question was hardly read
FAST_MEDIAN_FRACTION = 0.25  # ... or quicker than a quarter of the exam's median duration
MANY_TAB_SWITCHES = 5  # tab switches at or above: flagged
IDENTICAL_MIN_ANSWERED = 5  # identical answer sequences are compared only when at least this many were answered
WEAK_CATEGORY_BELOW = 60.0  # a category whose facility in an institution is below this is "weak"


# --------------------------------------------------------------------------- small figures


def percent(part, whole) -> float | None:
    """100 * part / whole rounded to 0.1; None when there is nothing to divide by."""
    if not whole:
        return None
    return round(100.0 * float(part) / float(whole), 1)


def mean(values: Iterable) -> float | None:
    values = [float(v) for v in values if v is not None]
    return round(sum(values) / len(values), 1) if values else None


def median(values: Iterable) -> float | None:
    """The middle value (the mean of the two middle values for an even count); None for no values."""
    values = sorted(float(v) for v in values if v is not None)
    if not values:
        return None
    mid = len(values) // 2
    result = values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
    return round(result, 1)


def histogram(values: Iterable, *, bins: int = 10, low: float = 0.0, high: float = 100.0) -> list[dict]:
    """Counts of `values` in `bins` equal bins over [low, high]; each bin holds [start, end) except the last, which
    also holds `high` (so a score of 100 falls in 90-100). Values outside the range are clamped into it."""
    width = (high - low) / bins
    counts = [0] * bins
    for value in values:
        if value is None:
            continue
        index = int((float(value) - low) // width)
        counts[min(max(index, 0), bins - 1)] += 1
    return [
        {
            "start": low + i * width,
            "end": low + (i + 1) * width,
            "label": f"{_num(low + i * width)}-{_num(low + (i + 1) * width)}",
            "count": counts[i],
        }
        for i in range(bins)
    ]


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


# --------------------------------------------------------------------------- per institution


SUMMARY_COLUMNS = [
    "institution_id",
    "roster",
    "required_people",
    "required_done",
    "required_share",
    "audience",
    "sat",
    "sat_share",
    "graded",
    "passed",
    "pass_rate",
    "mean_score",
    "median_score",
    "players",
    "competition_share",
]


def institution_summary(people: pd.DataFrame) -> pd.DataFrame:
    """One row per institution from one row per person on the roster.

    `people` columns: institution_id; required (number of modules required of the person), required_done (how many
    of them completed); in_audience (bool: the exam is for them), sat (bool: started a counting attempt),
    percent (their exam grade as % of the paper, NaN when not graded), passed (bool or NaN); played (bool: joined a
    competition game).

    Definitions: required_share = people who completed every required module / people with at least one;
    sat_share = sat / exam audience; pass_rate = passed / graded (people with a submitted attempt);
    mean and median over graded people's percent scores; competition_share = players / roster.
    """
    rows = []
    for inst_id, group in people.groupby("institution_id", sort=False):
        rows.append(summary_row(inst_id, group))
    return pd.DataFrame(rows, columns=SUMMARY_COLUMNS)


def summary_total(people: pd.DataFrame) -> dict:
    """The same figures over everybody in `people` (the dashboard's bottom line)."""
    return summary_row(None, people)


def summary_row(inst_id, group: pd.DataFrame) -> dict:
    roster = len(group)
    has_required = group["required"] > 0
    required_people = int(has_required.sum())
    required_done = int((has_required & (group["required_done"] >= group["required"])).sum())
    audience = int(group["in_audience"].sum())
    sat = int((group["in_audience"] & group["sat"]).sum())
    graded = group.loc[group["percent"].notna()]
    passed = int((graded["passed"] == True).sum())  # noqa: E712 (a column of objects: True/False/NaN)
    players = int(group["played"].sum())
    return {
        "institution_id": inst_id,
        "roster": roster,
        "required_people": required_people,
        "required_done": required_done,
        "required_share": percent(required_done, required_people),
        "audience": audience,
        "sat": sat,
        "sat_share": percent(sat, audience),
        "graded": len(graded),
        "passed": passed,
        "pass_rate": percent(passed, len(graded)),
        "mean_score": mean(graded["percent"].tolist()),
        "median_score": median(graded["percent"].tolist()),
        "players": players,
        "competition_share": percent(players, roster),
    }


# --------------------------------------------------------------------------- participation by day


def daily_participation(
    events: pd.DataFrame, *, start: dt.date | None = None, end: dt.date | None = None, kinds: Sequence[str] = ()
) -> pd.DataFrame:
    """Distinct people active per day and kind. `events` columns: day (datetime.date), user_id, kind.
    Returns one row per day from `start` to `end` (default: first to last event day), one column per kind (zero-filled)."""
    kinds = list(kinds) or (sorted(events["kind"].unique()) if len(events) else [])
    if len(events):
        start = start or min(events["day"])
        end = end or max(events["day"])
    if start is None or end is None or end < start:
        return pd.DataFrame(columns=["day", *kinds])
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    if len(events):
        counts = events.drop_duplicates(["day", "user_id", "kind"]).groupby(["day", "kind"]).size().unstack("kind")
    else:
        counts = pd.DataFrame()
    counts = counts.reindex(index=days, columns=kinds).fillna(0).astype(int)
    counts.index.name = "day"
    return counts.reset_index()


# --------------------------------------------------------------------------- item analysis (Moodle)


def facility_index(scores: Sequence[float], max_points: float) -> float | None:
    """Moodle's facility index: 100 * mean score / max (x_min is 0 for our questions)."""
    if not len(scores) or not max_points:
        return None
    return round(100.0 * (sum(float(s) for s in scores) / len(scores)) / float(max_points), 1)


def discrimination_index(item_scores: Sequence[float], totals: Sequence[float]) -> float | None:
    """Moodle's discrimination index: 100 * Pearson r between the item score and the rest of the paper
    (total minus the item score). None when fewer than two attempts or either side does not vary."""
    n = len(item_scores)
    if n < 2 or n != len(totals):
        return None
    x = [float(v) for v in item_scores]
    rest = [float(t) - xi for t, xi in zip(totals, x, strict=True)]
    mx, mr = sum(x) / n, sum(rest) / n
    cov = sum((a - mx) * (b - mr) for a, b in zip(x, rest, strict=True))
    vx = sum((a - mx) ** 2 for a in x)
    vr = sum((b - mr) ** 2 for b in rest)
    if vx <= 1e-12 or vr <= 1e-12:
        return None
    return round(100.0 * cov / math.sqrt(vx * vr), 1)


def item_flags(
    facility: float | None, discrimination: float | None, *, answered: int | None = None, attempts: int | None = None
) -> list[str]:
    """Flags of one question. Unanswered is not wrong: a question nobody (or fewer than half) answered is flagged as
    such (time ran out, the paper was too long) and never 过难 on the strength of blanks."""
    if answered is not None and attempts:
        if answered == 0:
            return [FLAG_UNANSWERED]
        if answered * 2 < attempts:
            return [FLAG_MOSTLY_UNANSWERED]
    flags = []
    if facility is not None and facility >= TOO_EASY_FROM:
        flags.append(FLAG_TOO_EASY)
    if facility is not None and facility <= TOO_HARD_UP_TO:
        flags.append(FLAG_TOO_HARD)
    if discrimination is not None and discrimination < 0:
        flags.append(FLAG_NEGATIVE)
    return flags


ITEM_COLUMNS = [
    "question_id",
    "attempts",
    "answered",
    "max_points",
    "mean_score",
    "facility",
    "sd",
    "discrimination",
    "flags",
]


def item_analysis(answers: pd.DataFrame) -> pd.DataFrame:
    """Facility and discrimination per question. `answers`: one row per analysed attempt and question with columns
    attempt_id, question_id, score (points earned; 0 when unanswered), max_points. The attempt's total is the sum of
    its rows, so every question of the paper must be present (unanswered ones with score 0). With an `answer` column
    (analytics.answer_key: "" when unanswered), `answered` counts the attempts that gave an answer; without it, all."""
    if answers.empty:
        return pd.DataFrame(columns=ITEM_COLUMNS)
    frame = answers[["attempt_id", "question_id", "score", "max_points"]].astype(
        {"score": "float64", "max_points": "float64"}
    )
    if "answer" in answers:
        frame["answered"] = answers["answer"].fillna("").astype(str).str.strip("|,").ne("")
    else:
        frame["answered"] = True
    totals = frame.groupby("attempt_id")["score"].sum().rename("total")
    frame = frame.join(totals, on="attempt_id")
    frame["rest"] = frame["total"] - frame["score"]
    frame["fraction"] = frame["score"] / frame["max_points"].where(frame["max_points"] > 0)
    grouped = frame.groupby("question_id", sort=True)
    out = pd.DataFrame(
        {
            "attempts": grouped.size(),
            "answered": grouped["answered"].sum().astype(int),
            "max_points": grouped["max_points"].max(),
            "mean_score": grouped["score"].mean(),
            "mean_fraction": grouped["fraction"].mean(),
            "sd": grouped["score"].std(ddof=1),
            "r": grouped[["score", "rest"]].apply(_pearson),
        }
    )
    out["facility"] = (100 * out["mean_fraction"]).round(1)
    out["discrimination"] = (100 * out["r"]).round(1)
    out["mean_score"] = out["mean_score"].round(2)
    out["sd"] = out["sd"].round(2)
    out = out.reset_index()
    out["facility"] = out["facility"].astype(object).where(out["facility"].notna(), None)
    out["discrimination"] = out["discrimination"].astype(object).where(out["discrimination"].notna(), None)
    out["sd"] = out["sd"].astype(object).where(out["sd"].notna(), None)
    out["flags"] = [
        item_flags(f, d, answered=int(a), attempts=int(n))
        for f, d, a, n in zip(out["facility"], out["discrimination"], out["answered"], out["attempts"], strict=True)
    ]
    return out[ITEM_COLUMNS]


def _pearson(group: pd.DataFrame) -> float:
    x, y = group["score"], group["rest"]
    if len(x) < 2:
        return float("nan")
    dx, dy = x - x.mean(), y - y.mean()
    vx, vy = float((dx * dx).sum()), float((dy * dy).sum())
    if vx <= 1e-12 or vy <= 1e-12:
        return float("nan")
    return float((dx * dy).sum()) / math.sqrt(vx * vy)


def option_frequencies(choices: pd.DataFrame, option_counts: dict[int, int]) -> dict[int, list[dict]]:
    """How often each option of a choice question was chosen. `choices`: one row per analysed attempt and question
    with columns question_id and chosen (list of option indexes in the bank's order; empty when unanswered);
    `option_counts`: {question_id: number of options}. Share = chosen / attempts at the question (a multiple-choice
    answer counts toward every option it picks)."""
    out: dict[int, list[dict]] = {}
    for question_id, group in choices.groupby("question_id", sort=True):
        n_options = option_counts.get(question_id, 0)
        counts = [0] * n_options
        for chosen in group["chosen"]:
            for index in set(chosen or ()):
                if 0 <= index < n_options:
                    counts[index] += 1
        attempts = len(group)
        out[question_id] = [
            {"option": i, "label": option_label(i), "count": c, "share": percent(c, attempts)}
            for i, c in enumerate(counts)
        ]
    return out


def option_label(index: int) -> str:
    return chr(ord("A") + index) if 0 <= index < 26 else str(index + 1)


def weak_categories(answers: pd.DataFrame, *, below: float = WEAK_CATEGORY_BELOW) -> pd.DataFrame:
    """Facility per institution and question category, weakest first. `answers` columns: institution_id, category
    (name), score, max_points. Rows with facility < `below` are marked weak."""
    columns = ["institution_id", "category", "answers", "facility", "weak"]
    if answers.empty:
        return pd.DataFrame(columns=columns)
    frame = answers.astype({"score": "float64", "max_points": "float64"})
    grouped = frame.groupby(["institution_id", "category"], sort=False)
    out = pd.DataFrame(
        {"answers": grouped.size(), "earned": grouped["score"].sum(), "max": grouped["max_points"].sum()}
    )
    out = out.loc[out["max"] > 0].reset_index()
    out["facility"] = (100 * out["earned"] / out["max"]).round(1)
    out["weak"] = out["facility"] < below
    return out.sort_values(["institution_id", "facility", "category"])[columns].reset_index(drop=True)


# --------------------------------------------------------------------------- integrity signals


def fast_attempts(
    attempts: pd.DataFrame,
    *,
    seconds_per_question: float = FAST_SECONDS_PER_QUESTION,
    median_fraction: float = FAST_MEDIAN_FRACTION,
) -> pd.DataFrame:
    """Implausibly fast submitted attempts. `attempts` columns: attempt_id, duration (seconds), questions.
    An attempt is flagged when it took less than `seconds_per_question` per question, or less than
    `median_fraction` of the median duration of all the attempts given. Adds column `threshold` (seconds)."""
    if attempts.empty:
        return attempts.assign(threshold=pd.Series(dtype="float64"))
    typical = float(attempts["duration"].median())
    per_question = attempts["questions"].astype("float64") * seconds_per_question
    threshold = per_question.clip(lower=median_fraction * typical)
    flagged = attempts.assign(threshold=threshold.round(1))
    return flagged.loc[flagged["duration"] < flagged["threshold"]].reset_index(drop=True)


def many_tab_switches(attempts: pd.DataFrame, *, at_least: int = MANY_TAB_SWITCHES) -> pd.DataFrame:
    """Attempts with `tab_switches` at or above `at_least`, most first."""
    if attempts.empty:
        return attempts
    found = attempts.loc[attempts["tab_switches"] >= at_least]
    return found.sort_values("tab_switches", ascending=False).reset_index(drop=True)


def identical_sequences(answers: pd.DataFrame, *, min_answered: int = IDENTICAL_MIN_ANSWERED) -> list[dict]:
    """Groups of two or more attempts in the same institution whose answers are identical question by question
    (compared by question, so shuffled papers still match) and that share at least one wrong answer; everybody
    answering everything right is not a signal. `answers` columns: attempt_id, institution_id, question_id,
    answer (a hashable normalised answer; None/"" when unanswered), correct (bool).
    Returns [{"institution_id", "attempt_ids", "answered", "wrong"}], largest groups first."""
    if answers.empty:
        return []
    frame = answers.loc[answers["answer"].notna() & (answers["answer"] != "")]
    signatures: dict[tuple, list[int]] = {}
    for (attempt_id, inst_id), group in frame.sort_values("question_id").groupby(["attempt_id", "institution_id"]):
        if len(group) < min_answered:
            continue
        wrong = int((~group["correct"].astype(bool)).sum())
        if not wrong:
            continue
        key = (inst_id, tuple(zip(group["question_id"], group["answer"], strict=True)))
        signatures.setdefault(key, []).append(attempt_id)
    groups = []
    for (inst_id, signature), attempt_ids in signatures.items():
        if len(attempt_ids) >= 2:
            wrong_count = int((~frame.loc[frame["attempt_id"] == attempt_ids[0], "correct"].astype(bool)).sum())
            groups.append(
                {
                    "institution_id": inst_id,
                    "attempt_ids": sorted(attempt_ids),
                    "answered": len(signature),
                    "wrong": wrong_count,
                }
            )
    return sorted(groups, key=lambda g: (-len(g["attempt_ids"]), -g["answered"], g["attempt_ids"][0]))


def answer_key(qtype: str, response, option_order: Sequence[int] | None = None):
    """A hashable, order-independent form of a response for comparing candidates: choice answers as the sorted bank
    option indexes ("0,2"), fill-in answers as their lower-cased stripped blanks joined by "|"; "" when unanswered."""
    if not response:
        return ""
    if qtype in ("single", "multiple", "truefalse"):
        return ",".join(str(i) for i in sorted(bank_indexes(response, option_order)))
    return "|".join(str(r).strip().casefold() for r in response)


def bank_indexes(response, option_order: Sequence[int] | None) -> list[int]:
    """Displayed option indexes of a response mapped back to the bank's option order (papers shuffle options)."""
    out = []
    for r in response or ():
        try:
            index = int(r)
        except (TypeError, ValueError):
            continue
        if option_order:
            if 0 <= index < len(option_order):
                out.append(int(option_order[index]))
        else:
            out.append(index)
    return out
