"""The site's URLs: admin, API and its schema, documents and images, the apps' pages, then Wagtail's page tree."""

from django.conf import settings
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from elearn.api import router
from elearn.media import serve_public_media

# Refusals Django answers itself (a URL that matches nothing, an uncaught error, ...): under /api/ in the API's error
# shape, elsewhere Django's pages; an unavailable database is 503 + Retry-After either way (elearn/api_errors.py).
handler400 = "elearn.api_errors.bad_request"
handler403 = "elearn.api_errors.permission_denied"
handler404 = "elearn.api_errors.page_not_found"
handler500 = "elearn.api_errors.server_error"


def favicon(request):
    """Browsers, API viewers and bookmarks ask for /favicon.ico whatever the page says: the static icon."""
    return RedirectView.as_view(url=static("elearn/favicon.ico"), permanent=True)(request)


urlpatterns = [
    path("favicon.ico", favicon),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(router.urls)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="api-redoc"),
    path("api/", RedirectView.as_view(pattern_name="api-docs", permanent=False)),
    path("", include("elearn.org.urls")),
]
# App URLs (exams, competitions, leaderboards, study progress) are added here, before Wagtail's catch-all.
urlpatterns += [path("", include(module)) for module in settings.ELEARN_APP_URLCONFS]

# Uploaded images in a single-box install (behind a proxy, its /media/ locations say the same). Never documents: those
# go through /documents/<id>/<name>, which checks the collection's privacy first (elearn/media.py).
urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve_public_media)]

urlpatterns += [path("", include(wagtail_urls))]
