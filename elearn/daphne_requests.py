"""daphne's requests leave the body to Django: Twisted does not parse POSTed forms itself.

Twisted's `http.Request` parses every multipart/form-data or urlencoded POST body into `request.args` before daphne
sees it, and answers a body it cannot parse with a bare 400 that never reaches Django (nor daphne's access log).
A multipart body with no parts is such a body: Chromium sends it for an empty `new FormData()`, which is what
Wagtail's editing-session ping posts every few seconds from every edit page, so each ping failed with 400. daphne
hands the raw body to the ASGI application and never reads `request.args`, so the parse is also wasted work (an
uploaded question bank was parsed twice, once by Twisted into memory and once by Django). Twisted >= 24.7 can skip it
(`parsePOSTFormSubmission=False`); daphne 4.2 does not ask for that, so its request class is told to here.
"""

from __future__ import annotations

import functools


def skip_twisted_form_parsing() -> bool:
    """Make daphne's requests skip Twisted's form parsing. Returns False when daphne or that Twisted option is
    missing (another server, an older Twisted); calling it twice changes nothing."""
    try:
        from daphne.http_protocol import WebRequest
        from twisted.web import http
    except ImportError:
        return False
    if getattr(WebRequest, "_elearn_skips_form_parsing", False):
        return True
    if "parsePOSTFormSubmission" not in http.Request.__init__.__code__.co_varnames:
        return False
    original = WebRequest.__init__

    @functools.wraps(original)
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("parsePOSTFormSubmission", False)
        original(self, *args, **kwargs)

    WebRequest.__init__ = __init__
    WebRequest._elearn_skips_form_parsing = True
    return True
