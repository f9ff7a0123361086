"""Time rules: deadline fixed at start, 60 s network grace, grace period, finish times."""

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from quizzes import timing
from quizzes.timing import NETWORK_GRACE, Phase

T0 = dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)


@given(
    limit=st.one_of(st.none(), st.integers(1, 300).map(lambda m: dt.timedelta(minutes=m))),
    close=st.one_of(st.none(), st.integers(-10, 400).map(lambda m: T0 + dt.timedelta(minutes=m))),
)
def test_deadline_is_min_of_limit_and_close(limit, close):
    deadline = timing.attempt_deadline(T0, limit, close)
    options = [d for d in (T0 + limit if limit else None, close) if d is not None]
    assert deadline == (min(options) if options else None)


def test_close_time_cuts_a_late_start_short():
    close = T0 + dt.timedelta(minutes=10)
    assert timing.attempt_deadline(T0, dt.timedelta(minutes=30), close) == close


@given(offset=st.integers(-3600, 3600))
def test_phases_autosubmit(offset):
    deadline = T0
    now = T0 + dt.timedelta(seconds=offset)
    p = timing.phase(deadline, now)
    if offset <= 0:
        assert p == Phase.OPEN
    elif offset <= 60:
        assert p == Phase.NETWORK_GRACE
    else:
        assert p == Phase.EXPIRED
    assert timing.accepts_answers(deadline, now) == (offset <= 60)


def test_grace_period_allows_submit_not_answers():
    grace = dt.timedelta(minutes=5)
    assert timing.phase(T0, T0 + dt.timedelta(seconds=61), grace) == Phase.GRACE
    assert not timing.accepts_answers(T0, T0 + dt.timedelta(seconds=61))
    assert timing.phase(T0, T0 + dt.timedelta(minutes=5), grace) == Phase.GRACE
    assert timing.phase(T0, T0 + dt.timedelta(minutes=5, seconds=1), grace) == Phase.EXPIRED
    assert timing.finish_time(T0, T0 + dt.timedelta(minutes=2), grace) == T0 + dt.timedelta(minutes=2)


def test_finish_time_after_deadline_is_deadline():
    assert timing.finish_time(T0, T0 - dt.timedelta(minutes=1)) == T0 - dt.timedelta(minutes=1)
    assert timing.finish_time(T0, T0 + dt.timedelta(seconds=30)) == T0
    assert timing.finish_time(T0, T0 + dt.timedelta(hours=3)) == T0
    assert timing.is_sweepable(T0, T0 + NETWORK_GRACE + dt.timedelta(seconds=1))
    assert not timing.is_sweepable(T0, T0 + NETWORK_GRACE)


def test_seconds_remaining_rounds_up_and_never_negative():
    assert timing.seconds_remaining(T0, T0 - dt.timedelta(seconds=89.2)) == 90
    assert timing.seconds_remaining(T0, T0 + dt.timedelta(seconds=5)) == 0
    assert timing.seconds_remaining(None, T0) is None
