"""Reading-time rules for study credit (pure: no database).

The page sends a heartbeat every HEARTBEAT_INTERVAL seconds while it is visible. Credit is measured per person per
lesson on the server's clock, across all their page sessions (tabs, phones, reloads): a heartbeat claims at most
HEARTBEAT_MAX_SECONDS, and the person's total for the lesson never exceeds the wall-clock time since they first
opened it. So two sessions at once count once, a new session id earns nothing the clock has not allowed, and beats
queued on a weak connection still count when they arrive late, up to the time that really passed.
"""

HEARTBEAT_INTERVAL = 15
HEARTBEAT_MAX_SECONDS = 30
MAX_SEQ = 100_000


def remaining_seconds(progress, course) -> int:
    """Reading time `progress` (a LessonProgress, or None before the first visit) still needs before the lesson may be
    marked complete under `course`'s minimum."""
    done = progress.active_seconds if progress else 0
    return max(0, course.min_reading_seconds - done)


def heartbeat_credit(*, claimed_seconds: int, since_first_open: float, credited: int) -> int:
    """Seconds to credit for one heartbeat claiming `claimed_seconds`, when `since_first_open` seconds have passed on
    the server's clock since the person first opened the lesson and `credited` seconds are credited already."""
    claim = max(0, min(int(claimed_seconds), HEARTBEAT_MAX_SECONDS))
    return max(0, min(claim, int(since_first_open) - credited))
