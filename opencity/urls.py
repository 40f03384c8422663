"""The project's URLs: pages, the admin, the APIs. Each app owns its own url module."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from issues.views import confirm_email
from opencity import health, pwa

# The versioned REST API: each app contributes its own routes.
api_v1 = [
    path("", include("accounts.api_urls")),
    path("", include("issues.api.urls")),
    path("", include("dashboard.api_urls")),
    path("", include("appeals.api_urls")),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # The installable app: at the root, so the worker's scope is the whole site.
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("manifest.webmanifest", pwa.manifest, name="web-manifest"),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its set-up script as a file (?script=): the CSP runs no inline script.
    path(
        "api/docs/",
        SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
        name="api-docs",
    ),
    path("api/v1/", include("media_store.api.urls")),  # namespace media_api
    # Up here with the rest of the API: every request walks the list in order, and the map's layers
    # and "outages at a point" were paying for every page pattern above them (~0.06 ms a request).
    path("api/v1/", include("geo.api.urls")),  # namespace geo_api
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),  # its sign-in form: accounts.admin (lockout, two factors)
    # accounts/ first: its confirm/resend/ must not be taken for a token by the pattern below.
    path("accounts/", include("accounts.urls")),
    path("accounts/confirm/<str:token>/", confirm_email, name="accounts-confirm"),
    path("", include("issues.urls")),
    path("dashboard/", include("dashboard.urls")),  # namespace dashboard
    path("open311/v2/", include("open311.urls")),  # namespace open311
    path("", include("alerts.urls")),  # namespace alerts
    path("", include("geo.urls")),
    # conversion first: the appeals' own <ref>/ pattern would take a single-segment conversion URL
    path("appeals/", include("appeals.conversion_urls")),  # namespace appeal_conversion
    path("appeals/", include("appeals.urls")),  # namespace appeals
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler403 = "opencity.handlers.permission_denied"
handler404 = "opencity.handlers.page_not_found"
handler500 = "opencity.handlers.server_error"
