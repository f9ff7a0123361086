"""Uploaded files: what /media/ serves to anyone, and how a document's bytes leave the server.

Wagtail keeps images (original_images/, and their renditions in images/) and documents (documents/) under MEDIA_ROOT.
Images are public. A document may sit in a login-restricted collection, and only Wagtail's document view
(/documents/<id>/<name>, WAGTAILDOCS_SERVE_METHOD = "serve_view") checks that before sending it; so documents are
never served as media:

- `serve_public_media` answers /media/<path> (single-box installs; behind nginx the proxy's locations say the same) for
  the folders named in settings.ELEARN_PUBLIC_MEDIA_DIRS only, after normalising the path the way Django's static
  view does (so /media/images/../documents/x is documents/x, and refused). Everything else is 404.
- `sendfile` is a Wagtail sendfile backend (SENDFILE_BACKEND = "elearn.media", on with ELEARN_DOCUMENTS_X_ACCEL=1):
  once the document view has allowed a request, it answers with an X-Accel-Redirect to /media/documents/... and nginx
  sends the file from an `internal` location, which no client can request itself (with range requests, which videos
  need). Without it the view streams the file through Python.
"""

import posixpath
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.http import Http404, HttpResponse
from django.views.static import serve


def public_media_path(path: str) -> str | None:
    """`path` (under MEDIA_URL) normalised, if it names a file in a public media folder; None otherwise."""
    normalised = posixpath.normpath(path).lstrip("/")
    folder, _, rest = normalised.partition("/")
    if not rest or folder not in settings.ELEARN_PUBLIC_MEDIA_DIRS:
        return None
    return normalised


def serve_public_media(request, path: str):
    """/media/<path>: a public upload (an image), or 404 (a document, anything else, a folder)."""
    public = public_media_path(path)
    if public is None:
        raise Http404
    return serve(request, public, document_root=settings.MEDIA_ROOT)


def sendfile(request, filename, **kwargs) -> HttpResponse:
    """Wagtail's sendfile backend contract: an empty response whose X-Accel-Redirect names the file under MEDIA_URL
    (percent-encoded, as nginx expects); Wagtail adds the type, disposition and length. A file outside MEDIA_ROOT is
    refused (ValueError), never named."""
    root = Path(settings.MEDIA_ROOT).resolve()
    relative = Path(filename).resolve().relative_to(root)
    response = HttpResponse()
    response["X-Accel-Redirect"] = quote(f"{settings.MEDIA_URL}{relative.as_posix()}")
    return response
