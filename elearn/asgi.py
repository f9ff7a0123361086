"""ASGI entry point: daphne serves HTTP and WebSocket from this one application."""

import gc
import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elearn.settings.dev")
django.setup(set_prefix=False)  # what get_asgi_application() does before it builds Django's own handler

from elearn.sync_http import SyncStackASGIHandler  # noqa: E402

django_asgi_app = SyncStackASGIHandler()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import get_resolver  # noqa: E402

from elearn.admission import AdmissionMiddleware  # noqa: E402
from elearn.daphne_requests import skip_twisted_form_parsing  # noqa: E402
from elearn.realtime.auth import auth_stack  # noqa: E402
from elearn.realtime.direct_frames import DirectFramesMiddleware  # noqa: E402
from elearn.routing import websocket_urlpatterns  # noqa: E402

skip_twisted_form_parsing()  # Twisted answered an empty multipart body (Wagtail's editing-session ping) with 400

application = ProtocolTypeRouter(
    {
        "http": AdmissionMiddleware(django_asgi_app),
        "websocket": DirectFramesMiddleware(AllowedHostsOriginValidator(auth_stack(URLRouter(websocket_urlpatterns)))),
    }
)

# What is loaded by now (Django, Wagtail, DRF, every URL and view module) lives as long as the process. Frozen, it is
# left out of the collector's full passes, which otherwise re-scan it all: with 2,000 players connected those passes
# stalled the event loop for 270-360 ms, several times a minute, during a burst of answers.
get_resolver().url_patterns  # noqa: B018 (loads every URL conf and view module now, not at the first request)
gc.freeze()
gc.set_threshold(50_000, 20, 20)
