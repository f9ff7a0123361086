"""WSGI entry (management tools only: the site runs under ASGI, elearn.asgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elearn.settings.dev")
application = get_wsgi_application()
