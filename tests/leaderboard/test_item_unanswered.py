"""Item analysis tells a blank from a wrong answer: a question nobody answered (time ran out) is 无人作答, one most
candidates left blank is 多数未作答 — never 过难 on the strength of blanks — and the answered count is shown."""

import pandas as pd

from leaderboard.reports import analytics


def frame(rows):
    return pd.DataFrame(rows, columns=["attempt_id", "question_id", "score", "max_points", "answer"])


def test_nobody_answered_is_not_too_hard():
    rows = []
    for attempt in range(1, 11):
        rows.append((attempt, 1, 10.0 if attempt % 2 else 0.0, 10.0, "1" if attempt % 2 else "2"))
        rows.append((attempt, 2, 0.0, 10.0, ""))  # the last question: everyone ran out of time
    items = analytics.item_analysis(frame(rows)).set_index("question_id")
    assert items.loc[2, "answered"] == 0 and items.loc[2, "attempts"] == 10
    assert items.loc[2, "flags"] == [analytics.FLAG_UNANSWERED]
    assert items.loc[1, "answered"] == 10


def test_mostly_blank_is_flagged_as_such_and_answered_wrong_is_too_hard():
    rows = []
    for attempt in range(1, 11):
        rows.append((attempt, 1, 0.0, 10.0, "0" if attempt <= 3 else ""))  # 3 of 10 answered, all wrong
        rows.append((attempt, 2, 0.0, 10.0, "0"))  # all answered, all wrong: really too hard
        rows.append((attempt, 3, float(attempt), 10.0, "x|y"))
    items = analytics.item_analysis(frame(rows)).set_index("question_id")
    assert items.loc[1, "answered"] == 3 and items.loc[1, "flags"] == [analytics.FLAG_MOSTLY_UNANSWERED]
    assert analytics.FLAG_TOO_HARD in items.loc[2, "flags"]


def test_a_fill_in_answer_of_empty_blanks_is_unanswered():
    rows = [(a, 1, 0.0, 5.0, "|" if a < 4 else "119|") for a in range(1, 6)]
    items = analytics.item_analysis(frame(rows)).set_index("question_id")
    assert items.loc[1, "answered"] == 2
