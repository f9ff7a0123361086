"""Exam time rules as pure functions (no database). The server owns time: every check uses the server's now.

- The deadline is fixed when an attempt starts: min(start + time limit, exam close time).
- Answers are accepted until deadline + NETWORK_GRACE (60 s), so a save sent just before time ran out on a slow
  mobile connection still counts; anything later is refused and not stored.
- Overdue handling "autosubmit": after deadline + NETWORK_GRACE the attempt is expired and is submitted with
  finish time = deadline by the sweeper or by the next access, whichever comes first.
- Overdue handling "graceperiod": after deadline + NETWORK_GRACE and until deadline + grace period the attempt is
  overdue: no more answers, but the candidate may still submit; after that it is expired as above.
"""

from __future__ import annotations

import datetime as dt
import math
from enum import StrEnum

NETWORK_GRACE = dt.timedelta(seconds=60)


class Phase(StrEnum):
    OPEN = "open"  # before the deadline
    NETWORK_GRACE = "network_grace"  # time is up, late packets still accepted
    GRACE = "grace"  # overdue: may submit, may not answer
    EXPIRED = "expired"  # must be submitted now, finish time = deadline


def attempt_deadline(started_at: dt.datetime, time_limit: dt.timedelta | None, closes_at: dt.datetime | None):
    """min(start + limit, close); None only when there is neither a limit nor a close time."""
    candidates = []
    if time_limit is not None:
        candidates.append(started_at + time_limit)
    if closes_at is not None:
        candidates.append(closes_at)
    return min(candidates) if candidates else None


def seconds_remaining(deadline: dt.datetime | None, now: dt.datetime) -> int | None:
    """Whole seconds left (rounded up, never negative) for the client's countdown; None without a deadline."""
    if deadline is None:
        return None
    return max(0, math.ceil((deadline - now).total_seconds()))


def is_overdue(deadline: dt.datetime | None, now: dt.datetime) -> bool:
    return deadline is not None and now > deadline


def answer_cutoff(deadline: dt.datetime) -> dt.datetime:
    return deadline + NETWORK_GRACE


def submit_cutoff(deadline: dt.datetime, grace_period: dt.timedelta | None) -> dt.datetime:
    """The last moment a candidate's own submit counts as theirs (afterwards the attempt is expired)."""
    return deadline + max(NETWORK_GRACE, grace_period or dt.timedelta(0))


def phase(deadline: dt.datetime | None, now: dt.datetime, grace_period: dt.timedelta | None = None) -> Phase:
    """Where an open attempt stands at `now`. `grace_period` is None for overdue handling "autosubmit"."""
    if deadline is None or now <= deadline:
        return Phase.OPEN
    if now <= answer_cutoff(deadline):
        return Phase.NETWORK_GRACE
    if now <= submit_cutoff(deadline, grace_period):
        return Phase.GRACE
    return Phase.EXPIRED


def accepts_answers(deadline: dt.datetime | None, now: dt.datetime) -> bool:
    return deadline is None or now <= answer_cutoff(deadline)


def finish_time(deadline: dt.datetime | None, now: dt.datetime, grace_period: dt.timedelta | None = None):
    """The recorded finish time of a submit at `now`: now while the candidate may still submit, else the deadline."""
    p = phase(deadline, now, grace_period)
    if p == Phase.OPEN:
        return now
    if p == Phase.GRACE:
        return now
    return deadline  # network grace (time was already up) and expired: the deadline


def is_sweepable(deadline: dt.datetime | None, now: dt.datetime, grace_period: dt.timedelta | None = None) -> bool:
    return phase(deadline, now, grace_period) == Phase.EXPIRED
