"""Production: refuses to start without a secret key, secure cookies and headers on."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured

from elearn.settings.base import *  # noqa: F403
from elearn.settings.base import CHANNEL_LAYERS, env_bool, env_list

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set for production settings.")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the host names this server answers to.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if CHANNEL_LAYERS["default"]["BACKEND"].endswith("InMemoryChannelLayer") and not DEBUG:
    message = (
        "WARNING: the in-memory channel layer is active with DEBUG off. Live competitions will only work "
        "inside ONE daphne process; set REDIS_URL before running more than one."
    )
    print("!" * 78 + "\n" + message + "\n" + "!" * 78, file=sys.stderr)
