"""Test settings: the same backends as the environment chooses, isolated per run.

TEST_RUN_ID keeps parallel runs (several developers, CI) from sharing a PostgreSQL test database, Redis keys
or channel-layer groups.
"""

import os

from elearn.settings import backends
from elearn.settings.base import *  # noqa: F403
from elearn.settings.base import BASE_DIR

# pytest-xdist runs one process per core: each worker gets its own database, Redis keys and channel groups.
RUN_ID = os.environ.get("TEST_RUN_ID", "main") + (
    f"-{os.environ['PYTEST_XDIST_WORKER']}" if os.environ.get("PYTEST_XDIST_WORKER") else ""
)
SECRET_KEY = "test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
DATABASES = {"default": backends.database(BASE_DIR, test_suffix=RUN_ID)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file, not :memory:, so that a live server process (end-to-end tests) sees the same test database.
    # The PID keeps concurrent runs on one machine apart; Django deletes the file when the run ends.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{RUN_ID}-{os.getpid()}.sqlite3")}
# A live server subprocess started by tests/e2e points at the test database by name.
if os.environ.get("ELEARN_LIVE_DB_NAME"):
    DATABASES["default"]["NAME"] = os.environ["ELEARN_LIVE_DB_NAME"]
else:
    # In the pytest process a connection kept by a worker thread would outlive its test, and Channels' per-message
    # close_old_connections would then touch the database in a test that has no database access (pytest-django
    # refuses it). The live servers of the end-to-end tests keep the production behaviour.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
CHANNEL_LAYERS = backends.channel_layers(prefix=f"elearn-test-{RUN_ID}")
CACHES = backends.caches(prefix=f"elearn-test-{RUN_ID}")
# Wagtail caches renditions by image id. Tests roll back their rows and ids repeat, so a cached rendition would outlive
# its row and stand in for a picture of the next test (a missing file found rendered, a rendition never stored).
CACHES["renditions"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "elearn.org.hashers.InitialPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = BASE_DIR / ".test-media" / RUN_ID
LEADERBOARD_KEY_PREFIX = f"elearn-test-{RUN_ID}"
# Accounts made by factories have not read the privacy notice; its own tests switch it on (tests/privacy/, and a live
# server started with ELEARN_PRIVACY_NOTICE_REQUIRED=1 in tests/e2e/test_privacy.py).
ELEARN_PRIVACY_NOTICE_REQUIRED = os.environ.get("ELEARN_PRIVACY_NOTICE_REQUIRED") == "1"
# The live server in end-to-end tests serves static files straight from the apps (no collectstatic).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
