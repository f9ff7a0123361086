"""Local development and the README's demo: DEBUG on, the repository's non-secret key, local host names only.

ALLOWED_HOSTS is never "*": that would also switch off Channels' WebSocket origin check (AllowedHostsOriginValidator
in elearn/asgi.py), letting any web page open a socket with the visitor's session. `make demo HOST=0.0.0.0` (the
Makefile) adds this machine's addresses through DJANGO_ALLOWED_HOSTS, turns DEBUG off and uses a fresh key.
"""

from elearn.settings.base import *  # noqa: F403
from elearn.settings.base import DEV_SECRET_KEY, LOCAL_HOSTS, env_bool, env_list

DEBUG = env_bool("DJANGO_DEBUG", True)
SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY  # noqa: F405
ALLOWED_HOSTS = list(dict.fromkeys([*LOCAL_HOSTS, *env_list("DJANGO_ALLOWED_HOSTS")]))
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
