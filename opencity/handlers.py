"""The project's error pages, wired in opencity/urls.py. They know every app's error format, so
they live here, in the wiring, and not in a module the apps import (opencity.api)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

from open311.views import not_found as open311_not_found
from opencity.api import error_body


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The project's 404: the API's error shape under /api/, Open311's error list under
    /open311/, Django's page elsewhere. (An address no URL pattern matches never reaches a view.)"""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code="not_found", detail=_("Not found.")), status=404)
    if request.path.startswith("/open311/"):
        return open311_not_found(request)
    return defaults.page_not_found(request, exception)
