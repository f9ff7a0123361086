"""Test settings: the same backends as the environment chooses, isolated per run.

TEST_RUN_ID keeps parallel runs (several developers, CI) from sharing a PostgreSQL test database, Redis keys
or channel-layer groups.
"""

import os

from . import backends
from .base import *  # noqa: F403
from .base import BASE_DIR

RUN_ID = os.environ.get("TEST_RUN_ID", "main")
SECRET_KEY = "test-only-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["*"]
DATABASES = {"default": backends.database(BASE_DIR, test_suffix=RUN_ID)}
CHANNEL_LAYERS = backends.channel_layers(prefix=f"elearn-test-{RUN_ID}")
CACHES = backends.caches(prefix=f"elearn-test-{RUN_ID}")
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
