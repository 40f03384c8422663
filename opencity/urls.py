"""The project's URLs: pages, the admin, the APIs. Each app owns its own url module."""

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    # The versioned REST API. Each app adds its own endpoints under the same prefix.
    path("api/v1/", include("geo.api.urls")),
    path("", include("geo.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
