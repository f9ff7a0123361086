"""Reading-time rules for study credit (pure: no database).

The page sends a heartbeat every HEARTBEAT_INTERVAL seconds while it is visible. Credit is measured per person per
lesson on the server's clock, across all their page sessions (tabs, phones, reloads): a heartbeat claims at most
HEARTBEAT_MAX_SECONDS, and the person's total for the lesson never exceeds the wall-clock time since they first
opened it. So two sessions at once count once, a new session id earns nothing the clock has not allowed, and beats
queued on a weak connection still count when they arrive late, up to the time that really passed.
"""

import html
import math
import re

HEARTBEAT_INTERVAL = 15
HEARTBEAT_MAX_SECONDS = 30
MAX_SEQ = 100_000

# 学完了 unlocks after the module's minimum reading time, or sooner for a reader who has reached the end of a lesson
# that takes less than that to read: its text at a brisk pace (600 characters a minute; careful reading of Chinese is
# 300-500), never under MIN_END_SECONDS. A two-paragraph lesson no longer makes its reader wait the module's 60 s, and
# flinging to the end of a long chapter still unlocks nothing before its minimum.
SKIM_CHARACTERS_PER_SECOND = 10
MIN_END_SECONDS = 10

_TAG = re.compile(r"<[^>]+>")
_SPACE = re.compile(r"\s+")
_NOT_TEXT = {"id", "type", "embed", "kind", "size"}  # block ids, list item markers, URLs, choice values


def text_characters(raw) -> int:
    """Characters of readable text in a StreamField's raw data (nested dicts, lists and strings, rich text as HTML):
    tags and whitespace are not counted, nor block ids, video URLs and choice values; numbers (image and question ids)
    are not text."""
    if isinstance(raw, str):
        return len(_SPACE.sub("", html.unescape(_TAG.sub("", raw))))
    if isinstance(raw, dict):
        return sum(text_characters(v) for k, v in raw.items() if k not in _NOT_TEXT)
    if isinstance(raw, list | tuple):
        return sum(text_characters(v) for v in raw)
    return 0


def end_seconds(*, characters: int, min_reading_seconds: int) -> int:
    """Reading time after which reaching the end of a lesson of `characters` characters unlocks 学完了: its text at
    SKIM_CHARACTERS_PER_SECOND, at least MIN_END_SECONDS, never more than the module's minimum."""
    own = max(MIN_END_SECONDS, math.ceil(characters / SKIM_CHARACTERS_PER_SECOND))
    return min(min_reading_seconds, own)


def remaining_seconds(progress, course, *, end_after: int | None = None) -> int:
    """Reading time `progress` (a LessonProgress, or None before the first visit) still needs before the lesson may be
    marked complete under `course`'s minimum; with `end_after` (end_seconds() of the lesson), for a reader who has
    reached the end of the lesson."""
    done = progress.active_seconds if progress else 0
    need = course.min_reading_seconds if end_after is None else min(course.min_reading_seconds, end_after)
    return max(0, need - done)


def heartbeat_credit(*, claimed_seconds: int, since_first_open: float, credited: int) -> int:
    """Seconds to credit for one heartbeat claiming `claimed_seconds`, when `since_first_open` seconds have passed on
    the server's clock since the person first opened the lesson and `credited` seconds are credited already."""
    claim = max(0, min(int(claimed_seconds), HEARTBEAT_MAX_SECONDS))
    return max(0, min(claim, int(since_first_open) - credited))
