"""leaderboard.reports.analytics on small data sets whose figures were worked out by hand (the working is in the comments)."""

import datetime as dt

import pandas as pd
import pytest

from leaderboard.reports import analytics as a


def answers_frame(table: dict[str, list[float]], points: dict[str, float]) -> pd.DataFrame:
    """{question: [score of attempt 1, attempt 2, ...]} -> one row per attempt and question."""
    rows = []
    for question, scores in table.items():
        for attempt, score in enumerate(scores, start=1):
            rows.append(
                {"attempt_id": attempt, "question_id": question, "score": score, "max_points": points[question]}
            )
    return pd.DataFrame(rows)


def by_question(frame: pd.DataFrame) -> dict:
    return {row["question_id"]: row for row in frame.to_dict("records")}


def test_facility_and_discrimination_by_hand():
    # Four attempts, three questions (Q1, Q2 worth 1 point, Q3 worth 2):
    #            A1 A2 A3 A4
    #   Q1        1  1  1  0
    #   Q2        1  1  0  0
    #   Q3        0  2  2  0
    #   total     2  4  3  0
    # Facility F = 100 * mean(x) / max:
    #   Q1 = 100 * 3/4 / 1 = 75.0;  Q2 = 100 * 2/4 / 1 = 50.0;  Q3 = 100 * (4/4) / 2 = 50.0
    # Discrimination D = 100 * r(x, rest), rest = total - x:
    #   Q1: x = 1,1,1,0  rest = 1,3,2,0; mean x .75, mean rest 1.5
    #       dx = .25,.25,.25,-.75  drest = -.5,1.5,.5,-1.5
    #       cov = -.125+.375+.125+1.125 = 1.5; Vx = 3*.0625+.5625 = .75; Vrest = .25+2.25+.25+2.25 = 5
    #       r = 1.5 / sqrt(.75*5) = 1.5 / 1.93649 = .774597 -> 77.5
    #   Q2: x = 1,1,0,0  rest = 1,3,3,0; mean .5 and 1.75
    #       dx = .5,.5,-.5,-.5  drest = -.75,1.25,1.25,-1.75
    #       cov = -.375+.625-.625+.875 = .5; Vx = 1; Vrest = .5625+1.5625+1.5625+3.0625 = 6.75
    #       r = .5 / sqrt(6.75) = .19245 -> 19.2
    #   Q3: x = 0,2,2,0  rest = 2,2,1,0; mean 1 and 1.25
    #       dx = -1,1,1,-1  drest = .75,.75,-.25,-1.25
    #       cov = -.75+.75-.25+1.25 = 1; Vx = 4; Vrest = .5625+.5625+.0625+1.5625 = 2.75
    #       r = 1 / sqrt(11) = .301511 -> 30.2
    frame = answers_frame({"Q1": [1, 1, 1, 0], "Q2": [1, 1, 0, 0], "Q3": [0, 2, 2, 0]}, {"Q1": 1, "Q2": 1, "Q3": 2})
    items = by_question(a.item_analysis(frame))
    assert [items[q]["facility"] for q in ("Q1", "Q2", "Q3")] == [75.0, 50.0, 50.0]
    assert [items[q]["discrimination"] for q in ("Q1", "Q2", "Q3")] == [77.5, 19.2, 30.2]
    assert all(items[q]["flags"] == [] for q in items)
    assert items["Q1"]["attempts"] == 4
    # The scalar helpers agree with the frame computation.
    assert a.facility_index([0, 2, 2, 0], 2) == 50.0
    assert a.discrimination_index([1, 1, 1, 0], [2, 4, 3, 0]) == 77.5


def test_flags_too_easy_too_hard_and_negative_discrimination():
    # Three attempts, four questions of 1 point:
    #            A1 A2 A3
    #   Easy      1  1  1   F = 100 (>= 90: too easy); no variance -> D undefined (None)
    #   Hard      0  0  0   F = 0 (<= 20: too hard); D undefined
    #   Qa        1  0  0   totals: A1 = 1+0+1+0 = 2, A2 = 1+0+0+1 = 2, A3 = 2
    #   Qb        0  1  1
    #   Qa: x = 1,0,0, rest = 2-x = 1,2,2: as x rises rest falls exactly -> r = -1 -> D = -100.0; F = 33.3
    #   Qb: x = 0,1,1, rest = 2,1,1 -> r = -1 -> D = -100.0; F = 66.7
    frame = answers_frame(
        {"Easy": [1, 1, 1], "Hard": [0, 0, 0], "Qa": [1, 0, 0], "Qb": [0, 1, 1]},
        {"Easy": 1, "Hard": 1, "Qa": 1, "Qb": 1},
    )
    items = by_question(a.item_analysis(frame))
    assert items["Easy"]["facility"] == 100.0 and items["Easy"]["discrimination"] is None
    assert items["Easy"]["flags"] == [a.FLAG_TOO_EASY]
    assert items["Hard"]["facility"] == 0.0 and items["Hard"]["flags"] == [a.FLAG_TOO_HARD]
    assert (items["Qa"]["facility"], items["Qa"]["discrimination"]) == (33.3, -100.0)
    assert (items["Qb"]["facility"], items["Qb"]["discrimination"]) == (66.7, -100.0)
    assert items["Qa"]["flags"] == [a.FLAG_NEGATIVE] and items["Qb"]["flags"] == [a.FLAG_NEGATIVE]


def test_partial_credit_counts_toward_facility():
    # A multiple-choice question worth 2 scored 2, 1, 0, 1 (partial credit): F = 100 * (4/4) / 2 = 50.0
    frame = answers_frame({"M": [2, 1, 0, 1], "S": [1, 1, 0, 0]}, {"M": 2, "S": 1})
    assert by_question(a.item_analysis(frame))["M"]["facility"] == 50.0


def test_option_frequencies_count_each_chosen_option():
    # Question 7 has 4 options; 4 attempts chose B, B, A+C (multiple), nothing:
    # A 1/4 = 25.0%, B 2/4 = 50.0%, C 1/4 = 25.0%, D 0.
    choices = pd.DataFrame({"question_id": [7, 7, 7, 7], "chosen": [[1], [1], [0, 2], []]})
    freq = a.option_frequencies(choices, {7: 4})[7]
    assert [(o["label"], o["count"], o["share"]) for o in freq] == [
        ("A", 1, 25.0),
        ("B", 2, 50.0),
        ("C", 1, 25.0),
        ("D", 0, 0.0),
    ]


def test_median_mean_and_histogram():
    # sorted 40, 60, 80, 100 -> median (60+80)/2 = 70; mean 280/4 = 70
    assert a.median([100, 40, 80, 60]) == 70.0
    assert a.median([3, 1, 2]) == 2.0
    assert a.median([]) is None and a.mean([]) is None
    assert a.mean([100, 40, 80, 60]) == 70.0
    bins = a.histogram([0, 9.99, 10, 55, 100, 100], bins=10)
    # 0 and 9.99 in 0-10; 10 in 10-20; 55 in 50-60; 100 (the top edge) in 90-100 twice
    assert [b["count"] for b in bins] == [2, 1, 0, 0, 0, 1, 0, 0, 0, 2]
    assert bins[0]["label"] == "0-10" and bins[-1]["label"] == "90-100"


def test_institution_summary_participation_and_pass_rate_by_hand():
    # Institution 1: five people on the roster.
    #   p1 required 2 done 2, sat, 90% passed, played
    #   p2 required 2 done 1, sat, 50% failed
    #   p3 required 2 done 2, sat (still answering: no grade)
    #   p4 required 2 done 0, in audience, not sat, played
    #   p5 no required module, not in the exam audience
    # required_share = complete / with-required = 2/4 = 50.0; sat_share = 3 sat / 4 audience = 75.0
    # pass_rate = 1 passed / 2 graded = 50.0; mean (90+50)/2 = 70.0; median 70.0; competition 2/5 = 40.0
    # Institution 2: one person, sat, 60% passed -> 100.0 everywhere, mean = median = 60.0, competition 0.0
    nan = float("nan")
    people = pd.DataFrame(
        [
            (1, 2, 2, True, True, 90.0, True, True),
            (1, 2, 1, True, True, 50.0, False, False),
            (1, 2, 2, True, True, nan, nan, False),
            (1, 2, 0, True, False, nan, nan, True),
            (1, 0, 0, False, False, nan, nan, False),
            (2, 1, 1, True, True, 60.0, True, False),
        ],
        columns=["institution_id", "required", "required_done", "in_audience", "sat", "percent", "passed", "played"],
    )
    rows = {r["institution_id"]: r for r in a.institution_summary(people).to_dict("records")}
    one = rows[1]
    assert (one["roster"], one["required_people"], one["required_done"], one["required_share"]) == (5, 4, 2, 50.0)
    assert (one["audience"], one["sat"], one["sat_share"]) == (4, 3, 75.0)
    assert (one["graded"], one["passed"], one["pass_rate"]) == (2, 1, 50.0)
    assert (one["mean_score"], one["median_score"]) == (70.0, 70.0)
    assert (one["players"], one["competition_share"]) == (2, 40.0)
    two = rows[2]
    assert (two["sat_share"], two["pass_rate"], two["mean_score"], two["competition_share"]) == (
        100.0,
        100.0,
        60.0,
        0.0,
    )
    # Everybody: sat 4/5 = 80.0; passed 2/3 graded = 66.7; mean (90+50+60)/3 = 66.7; median 60.0
    total = a.summary_total(people)
    assert (total["sat_share"], total["pass_rate"], total["mean_score"], total["median_score"]) == (
        80.0,
        66.7,
        66.7,
        60.0,
    )


def test_daily_participation_counts_distinct_people_and_fills_gaps():
    d1, d3 = dt.date(2026, 6, 1), dt.date(2026, 6, 3)
    events = pd.DataFrame(
        [(d1, 1, "exam"), (d1, 1, "exam"), (d1, 2, "exam"), (d1, 1, "study"), (d3, 3, "competition")],
        columns=["day", "user_id", "kind"],
    )
    daily = a.daily_participation(events, kinds=["study", "exam", "competition"])
    # 1 June: exam people 1 and 2 (1 twice counts once) = 2, study 1; 2 June: nothing; 3 June: one player.
    assert daily["day"].tolist() == [d1, dt.date(2026, 6, 2), d3]
    assert daily["exam"].tolist() == [2, 0, 0]
    assert daily["study"].tolist() == [1, 0, 0]
    assert daily["competition"].tolist() == [0, 0, 1]
    empty = a.daily_participation(events.iloc[0:0], start=d1, end=d3, kinds=["exam"])
    assert empty["exam"].tolist() == [0, 0, 0]


def test_weak_categories_per_institution():
    # Institution 1: 消防 earned 3 of 4 points = 75.0; 危化品 1 of 4 = 25.0 (< 60: weak), weakest first.
    answers = pd.DataFrame(
        [(1, "消防", 1, 1), (1, "消防", 2, 3), (1, "危化品", 0, 2), (1, "危化品", 1, 2)],
        columns=["institution_id", "category", "score", "max_points"],
    )
    rows = a.weak_categories(answers).to_dict("records")
    assert [(r["category"], r["facility"], r["weak"]) for r in rows] == [("危化品", 25.0, True), ("消防", 75.0, False)]


def test_fast_attempts_and_tab_switches():
    # Durations 600, 540, 660, 120, 20 s on a 20-question paper. Median 540.
    # Threshold = max(20 questions * 3 s = 60, 25% of 540 = 135) = 135 s: attempts 4 (120 s) and 5 (20 s) flagged.
    attempts = pd.DataFrame(
        {
            "attempt_id": [1, 2, 3, 4, 5],
            "duration": [600, 540, 660, 120, 20],
            "questions": [20] * 5,
            "tab_switches": [0, 7, 5, 1, 4],
        }
    )
    fast = a.fast_attempts(attempts)
    assert fast["attempt_id"].tolist() == [4, 5]
    assert fast["threshold"].tolist() == [135.0, 135.0]
    assert a.many_tab_switches(attempts)["attempt_id"].tolist() == [2, 3]  # 7 then 5 (>= 5)


def test_identical_answer_sequences_within_one_institution():
    # Five answered questions each. Attempts 1 and 2 (institution 1) answer identically with one wrong answer:
    # flagged. Attempt 3 (institution 2) answers identically too, but in another institution: not grouped with them.
    # Attempts 4 and 5 (institution 1) are identical but all correct: not a signal.
    def rows(attempt, inst, answers, correct):
        return [
            {"attempt_id": attempt, "institution_id": inst, "question_id": q, "answer": ans, "correct": ok}
            for q, (ans, ok) in enumerate(zip(answers, correct, strict=True), start=1)
        ]

    shared = ["1", "0", "2", "0,1", "3"]
    marks = [True, True, False, True, True]
    data = (
        rows(1, 1, shared, marks)
        + rows(2, 1, list(shared), marks)
        + rows(3, 2, shared, marks)
        + rows(4, 1, ["1", "1", "1", "1", "1"], [True] * 5)
        + rows(5, 1, ["1", "1", "1", "1", "1"], [True] * 5)
    )
    groups = a.identical_sequences(pd.DataFrame(data))
    assert groups == [{"institution_id": 1, "attempt_ids": [1, 2], "answered": 5, "wrong": 1}]


@pytest.mark.parametrize(
    ("qtype", "response", "order", "key"),
    [
        ("single", [0], [2, 0, 1, 3], "2"),  # displayed A was the bank's C
        ("multiple", [1, 0], [2, 0, 1, 3], "0,2"),
        ("fill", [" 安全 "], None, "安全"),
        ("single", [], None, ""),
    ],
)
def test_answer_key_maps_shuffled_options_back(qtype, response, order, key):
    assert a.answer_key(qtype, response, order) == key


def test_percent_handles_zero():
    assert a.percent(1, 3) == 33.3
    assert a.percent(0, 0) is None
