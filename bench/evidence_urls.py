"""URLs of bench/bench_evidence.py: the site's own, plus the baseline upload view in front of them.

The baseline is the least a photo upload costs through the same stack (session, authentication, CSRF, the project's
middleware, Django's multipart parser): it writes the uploaded bytes to a file named by client_uuid and answers the
outbox's JSON. No checks, no decoding, no database row: what the campaign task's submission adds is the difference."""

from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import path
from django.views.decorators.http import require_POST

from elearn.urls import handler400, handler403, handler404, handler500
from elearn.urls import urlpatterns as site_urlpatterns

BASELINE_DIR = "bench-baseline"


@login_required
@require_POST
def baseline_upload(request):
    upload = request.FILES.get("photos")
    name = "".join(c for c in request.POST.get("client_uuid", "") if c in "0123456789abcdef-")[:36] or "none"
    if upload is None:
        return JsonResponse({"ok": False, "message": "no photo", "errors": {"photos": ["missing"]}}, status=400)
    folder = Path(settings.MEDIA_ROOT) / BASELINE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{name}.jpg", "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return JsonResponse({"ok": True, "redirect": "/", "message": "stored"})


urlpatterns = [path("__bench__/upload/", baseline_upload), *site_urlpatterns]
__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
