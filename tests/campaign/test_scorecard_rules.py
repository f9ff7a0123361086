"""The scorecard's pure rule (campaign/scorecard/rules.py): points, requirements, what is missing, the total scaled
over the criteria that apply, the overdue-hazard penalty, and ranks with ties. No database."""

import pytest

from campaign.scorecard import rules
from campaign.scorecard.rules import (
    DRILLS,
    EXAM_PARTICIPATION,
    EXAM_PASS,
    MET,
    NOT_APPLICABLE,
    STUDY,
    TASKS,
    TRAININGS,
    UNAVAILABLE,
    UNMET,
    Measure,
    evaluate,
    pass_measure,
    rank,
    score,
)


def test_weights_add_up_to_100():
    assert sum(rules.WEIGHTS.values()) == 100
    assert rules.CRITERIA == (STUDY, EXAM_PARTICIPATION, EXAM_PASS, TASKS, DRILLS, TRAININGS)


def test_a_rate_earns_its_share_of_the_requirement_and_says_how_many_are_missing():
    r = evaluate(Measure(STUDY, done=3, of=5, target=100))
    assert (r.state, r.value, r.missing, r.points) == (UNMET, 60.0, 2, 15.0)  # 25 x 60/100
    r = evaluate(Measure(EXAM_PARTICIPATION, done=9, of=10, target=90))
    assert (r.state, r.value, r.missing, r.points) == (MET, 90.0, 0, 20.0)
    r = evaluate(Measure(EXAM_PARTICIPATION, done=10, of=10, target=90))
    assert (r.state, r.points) == (MET, 20.0), "more than required earns nothing extra"


def test_met_is_decided_on_the_exact_rate_not_the_rounded_figure():
    # 1799 / 2000 = 89.95 %: shown as 90.0 (one decimal) but short of 90 by one person
    r = evaluate(Measure(EXAM_PASS, done=1799, of=2000, target=90))
    assert (r.value, r.state, r.missing) == (90.0, UNMET, 1)
    # a requirement that needs a fraction of a person rounds up: 90 % of 7 = 6.3 -> 7
    assert evaluate(Measure(TASKS, done=6, of=7, target=90)).missing == 1
    assert evaluate(Measure(TASKS, done=7, of=7, target=90)).state == MET


def test_counts_against_the_number_required():
    r = evaluate(Measure(DRILLS, done=0, target=1))
    assert (r.state, r.value, r.missing, r.points) == (UNMET, 0, 1, 0.0)
    r = evaluate(Measure(TRAININGS, done=1, target=2))
    assert (r.state, r.missing, r.points) == (UNMET, 1, 5.0)
    assert evaluate(Measure(DRILLS, done=3, target=1)).points == 10.0


def test_criteria_that_do_not_apply_or_are_unavailable():
    assert evaluate(Measure(STUDY, done=0, of=0, target=100)).state == NOT_APPLICABLE  # no required module
    assert evaluate(Measure(DRILLS, done=2, target=0)).state == NOT_APPLICABLE  # 不考核
    assert evaluate(Measure(TASKS, done=4, of=5, target=0)).state == NOT_APPLICABLE
    unavailable = evaluate(Measure(TASKS, done=None, of=None, target=100))
    assert (unavailable.state, unavailable.value, unavailable.points) == (UNAVAILABLE, None, None)


def test_pass_rate_applies_when_the_exam_has_an_audience_even_if_nobody_sat():
    nobody_sat = evaluate(pass_measure(passed=0, graded=0, audience=12, target=90))
    assert (nobody_sat.state, nobody_sat.value, nobody_sat.points) == (UNMET, None, 0.0)
    no_audience = evaluate(pass_measure(passed=0, graded=0, audience=0, target=90))
    assert no_audience.state == NOT_APPLICABLE
    r = evaluate(pass_measure(passed=2, graded=3, audience=5, target=90))
    assert (r.value, r.state, r.missing, r.points) == (66.7, UNMET, 1, 11.1)  # 15 x (66.67/90)


def full(**over):
    base = {
        STUDY: Measure(STUDY, 10, 100, 10),
        EXAM_PARTICIPATION: Measure(EXAM_PARTICIPATION, 10, 100, 10),
        EXAM_PASS: pass_measure(passed=10, graded=10, audience=10, target=90),
        TASKS: Measure(TASKS, 10, 100, 10),
        DRILLS: Measure(DRILLS, 1, 1),
        TRAININGS: Measure(TRAININGS, 1, 1),
    }
    base.update(over)
    return list(base.values())


def test_total_of_an_institution_meeting_everything_is_100():
    s = score(full(), roster=10)
    assert (s.total, s.max_points, s.penalty, s.unmet) == (100.0, 100, 0.0, ())


def test_total_sums_the_points_and_is_rounded_once():
    s = score(full(**{STUDY: Measure(STUDY, 3, 100, 5), DRILLS: Measure(DRILLS, 0, 1)}), roster=10)
    # 25 x 0.6 + 20 + 15 + 20 + 0 + 10 = 80
    assert s.total == 80.0
    assert [r.key for r in s.unmet] == [STUDY, DRILLS]


def test_total_is_scaled_over_the_criteria_that_apply():
    s = score(
        full(**{TASKS: Measure(TASKS, None, 100, None), DRILLS: Measure(DRILLS, 0, 1)}),
        roster=10,
    )
    # tasks unavailable: 80 points count; drills 0 of 10 -> 70 / 80 = 87.5
    assert (s.max_points, s.total) == (80, 87.5)


def test_overdue_hazards_take_two_points_each_up_to_ten_and_never_below_zero():
    assert score(full(), roster=5, overdue_hazards=3).total == 94.0
    assert score(full(), roster=5, overdue_hazards=30).total == 90.0
    assert score(full(), roster=5, overdue_hazards=None).penalty == 0.0
    nothing = [Measure(STUDY, 0, 100, 5), Measure(DRILLS, 0, 1)]
    assert score(nothing, roster=5, overdue_hazards=2).total == 0.0


def test_no_roster_or_nothing_applicable_gives_no_score():
    assert score(full(), roster=0).total is None
    na = [Measure(STUDY, 0, 100, 0), Measure(TASKS, None, 100, None)]
    assert score(na, roster=4).total is None


def test_equal_totals_share_a_rank_and_the_next_rank_skips():
    ranks = rank([("a", 90.0), ("b", 95.5), ("c", 90.04), ("d", None), ("e", 80.0)])
    assert ranks == {"b": 1, "a": 2, "c": 2, "e": 4, "d": None}
    assert rank([]) == {}


@pytest.mark.parametrize("done,of,target", [(0, 1, 100), (1, 1, 100), (5, 9, 37), (123, 456, 99)])
def test_points_never_exceed_the_weight_and_missing_meets_the_requirement(done, of, target):
    r = evaluate(Measure(STUDY, done, target, of))
    assert 0 <= r.points <= rules.WEIGHTS[STUDY]
    after = evaluate(Measure(STUDY, done + r.missing, target, of))
    assert after.state == MET
    if r.missing:
        assert evaluate(Measure(STUDY, done + r.missing - 1, target, of)).state == UNMET
