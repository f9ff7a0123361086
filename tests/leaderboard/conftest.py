"""Fixtures of the leaderboard tests: the configured ranking store, emptied around each test."""

import pytest

from leaderboard.rankings.store import get_store


@pytest.fixture
def store():
    """The configured ranking store (memory, or Redis with REDIS_URL), emptied before and after the test."""
    found = get_store()
    found.delete_prefix()
    yield found
    found.delete_prefix()
