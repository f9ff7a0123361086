"""Reading-time rules for study credit (pure: no database). The page sends a heartbeat every HEARTBEAT_INTERVAL
seconds while it is visible; the server credits at most HEARTBEAT_MAX_SECONDS for one heartbeat, and for one page
session never more than the wall-clock time since that session's first heartbeat (plus one interval), however many
heartbeats arrive or in what order."""

HEARTBEAT_INTERVAL = 15
HEARTBEAT_MAX_SECONDS = 30
MAX_SEQ = 100_000


def remaining_seconds(progress, course) -> int:
    """Reading time `progress` (a LessonProgress, or None before the first visit) still needs before the lesson may be
    marked complete under `course`'s minimum."""
    done = progress.active_seconds if progress else 0
    return max(0, course.min_reading_seconds - done)
