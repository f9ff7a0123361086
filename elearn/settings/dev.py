"""Local development and the README's demo: DEBUG on, a fixed non-secret key."""

from elearn.settings.base import *  # noqa: F403
from elearn.settings.base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-elearn"  # noqa: F405
ALLOWED_HOSTS = ["*"]
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
