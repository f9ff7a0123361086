"""Fixtures for the privacy tests: the notice version is cached (elearn.privacy.notice); a test that changes the
retention periods must not leave its version behind for the next one."""

import pytest
from django.core.cache import cache

from elearn.privacy.models import NOTICE_VERSION_CACHE_KEY


@pytest.fixture(autouse=True)
def _fresh_notice_version():
    cache.delete(NOTICE_VERSION_CACHE_KEY)
    yield
    cache.delete(NOTICE_VERSION_CACHE_KEY)


@pytest.fixture
def notice_required(settings):
    """The notice switched on (the test settings switch it off for every other test's accounts)."""
    settings.ELEARN_PRIVACY_NOTICE_REQUIRED = True
