"""The site's URLs: admin, API and its schema, documents and images, the apps' pages, then Wagtail's page tree."""

from django.conf import settings
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from elearn.api import router

# Uncaught errors: 503 + Retry-After when the database is unavailable, Django's 500 page otherwise.
handler500 = "elearn.api_errors.server_error"

urlpatterns = [
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

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
else:
    from django.urls import re_path
    from django.views.static import serve

    # Uploaded media (images, PDFs) in a single-box install; behind a proxy, let it serve /media/ instead.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT})]

urlpatterns += [path("", include(wagtail_urls))]
