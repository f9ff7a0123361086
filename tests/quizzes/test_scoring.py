"""Scoring rules: pure functions, property-tested."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizzes import scoring
from quizzes.scoring import GradingMethod, MultipleMode

points_st = st.decimals(min_value=Decimal("0.5"), max_value=Decimal("100"), places=2)
n_options = st.integers(min_value=2, max_value=8)


@st.composite
def multiple_case(draw):
    n = draw(n_options)
    correct = draw(st.sets(st.integers(0, n - 1), min_size=2, max_size=n))
    chosen = draw(st.sets(st.integers(0, n - 1), max_size=n))
    return correct, chosen


@given(n=n_options, data=st.data(), points=points_st)
def test_single_is_exact(n, data, points):
    correct = data.draw(st.integers(0, n - 1))
    chosen = data.draw(st.sets(st.integers(0, n - 1), max_size=n))
    score = scoring.score_single([correct], sorted(chosen), points)
    assert score == (scoring.to_points(points) if chosen == {correct} else 0)


@given(case=multiple_case(), points=points_st)
def test_multiple_all_or_nothing(case, points):
    correct, chosen = case
    score = scoring.score_multiple(correct, sorted(chosen), points, MultipleMode.ALL_OR_NOTHING)
    assert score == (scoring.to_points(points) if chosen == correct else 0)


@given(case=multiple_case(), points=points_st)
def test_multiple_partial(case, points):
    correct, chosen = case
    score = scoring.score_multiple(correct, sorted(chosen), points, MultipleMode.PARTIAL)
    full = scoring.to_points(points)
    assert 0 <= score <= full
    if chosen - correct or not chosen:
        assert score == 0  # any wrong option: nothing
    elif chosen == correct:
        assert score == full
    else:
        assert score < full
        assert abs(score - full * len(chosen) / len(correct)) <= Decimal("0.005")
    # never more than all-or-nothing would give for a wrong answer, never less for the right one
    assert score >= scoring.score_multiple(correct, sorted(chosen), points, MultipleMode.ALL_OR_NOTHING)


@given(
    answers=st.lists(
        st.text(min_size=1, max_size=8).filter(lambda s: scoring.normalise_text(s)), min_size=1, max_size=3
    ),
    points=points_st,
)
def test_fill_accepts_its_own_answers_in_any_spacing_and_width(answers, points):
    accepted = [[a] for a in answers]
    spaced = [f"  {a.upper()} 。" for a in answers]
    assert scoring.score_fill(accepted, answers, points) == scoring.to_points(points)
    assert scoring.score_fill(accepted, spaced, points) == scoring.score_fill(
        accepted, [a.upper() for a in answers], points
    )


def test_fill_normalised_match_and_partial_blanks():
    accepted = [["第一", "首要"], ["119"]]
    assert scoring.score_fill(accepted, ["第 一。", "１１９"], 4) == Decimal("4.00")
    assert scoring.score_fill(accepted, ["首要", "120"], 4) == Decimal("2.00")
    assert scoring.score_fill(accepted, [], 4) == 0
    assert scoring.score_fill(accepted, ["", ""], 4) == 0


@given(response=st.one_of(st.none(), st.just([]), st.lists(st.booleans()), st.lists(st.text(max_size=3))))
def test_garbage_scores_nothing(response):
    assert scoring.score_single([1], response, 5) in (0, Decimal("5.00"))
    if not response or all(isinstance(r, bool) for r in response):
        assert scoring.score_single([1], response, 5) == 0


def test_score_question_dispatch():
    assert scoring.score_question({"type": "truefalse", "correct": [0]}, [0], 2) == Decimal("2.00")
    assert scoring.score_question({"type": "truefalse", "correct": [0]}, [1], 2) == 0
    assert scoring.score_question({"type": "fill", "accepted_answers": [["a"]]}, ["A"], 2) == Decimal("2.00")
    with pytest.raises(ValueError):
        scoring.score_question({"type": "essay"}, [], 1)


@given(st.lists(st.decimals(min_value=0, max_value=100, places=2), max_size=60))
def test_total_is_sum(scores):
    assert scoring.total(scores) == sum(scores, Decimal(0)).quantize(Decimal("0.01"))


@given(
    score=st.decimals(min_value=0, max_value=100, places=2),
    max_score=st.decimals(min_value=1, max_value=100, places=2),
    mark=st.decimals(min_value=0, max_value=100, places=2),
)
def test_pass_is_percentage_threshold(score, max_score, mark):
    assert scoring.is_pass(score, max_score, mark) == (scoring.percentage(score, max_score) >= mark)


def test_pass_mark_80_on_100_points():
    assert scoring.is_pass(80, 100, 80)
    assert not scoring.is_pass(Decimal("79.99"), 100, 80)
    assert not scoring.is_pass(0, 0, 0)  # an empty paper never passes


@given(st.lists(st.decimals(min_value=0, max_value=100, places=2), min_size=1, max_size=10))
def test_grade_methods(scores):
    assert scoring.grade(scores, GradingMethod.HIGHEST) == max(scores)
    assert scoring.grade(scores, GradingMethod.FIRST) == scores[0]
    assert scoring.grade(scores, GradingMethod.LATEST) == scores[-1]
    avg = scoring.grade(scores, GradingMethod.AVERAGE)
    assert min(scores) <= avg <= max(scores)
    assert abs(avg - sum(scores) / len(scores)) <= Decimal("0.005")


def test_grade_of_nothing_is_none():
    assert scoring.grade([], "highest") is None
    assert scoring.grade([None], "average") is None
