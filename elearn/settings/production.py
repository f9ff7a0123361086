"""Production: refuses to start without a strong secret key (never the repository's), secure cookies and headers on."""

import os
import sys

from django.core.exceptions import ImproperlyConfigured

from elearn.settings.base import *  # noqa: F403
from elearn.settings.base import CHANNEL_LAYERS, DEV_SECRET_KEY, env_bool, env_list

# Keys that are in the repository (development and test settings): whoever has the code could forge sessions.
PUBLISHED_SECRET_KEYS = {DEV_SECRET_KEY, "test-only-not-secret"}


def weak_secret_key(key: str) -> str | None:
    """Why `key` must not sign production sessions, or None. Django's own deploy check (security.W009) only warns."""
    if key in PUBLISHED_SECRET_KEYS:
        return "it is the repository's development key"
    if key.startswith("django-insecure-"):
        return "it is a key Django generated for development (django-insecure-...)"
    if len(key) < 50 or len(set(key)) < 5:
        return "it is too short or too repetitive (50 characters at least, 5 different at least)"
    return None


SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set for production settings.")
if reason := weak_secret_key(SECRET_KEY):
    raise ImproperlyConfigured(
        f"DJANGO_SECRET_KEY is refused: {reason}. Generate one, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )
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
