"""The project's error pages, wired in opencity/urls.py. They know every app's error format, so
they live here, in the wiring, and not in a module the apps import (opencity.api)."""

from __future__ import annotations

import sys

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.translation import gettext as _

from open311.views import not_found as open311_not_found
from opencity.api import error_body
from opencity.logformat import REQUEST_ID_HEADER, current_request_id
from opencity.observability import DATABASE_UNAVAILABLE, database_unavailable_response


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The project's 404: the API's error shape under /api/, Open311's error list under
    /open311/, the site's page elsewhere. (An address no URL pattern matches never reaches a view.)"""
    if request.path.startswith("/api/"):
        return JsonResponse(error_body(code="not_found", detail=_("Not found.")), status=404)
    if request.path.startswith("/open311/"):
        return open311_not_found(request)
    # The site's own page (menu, language, a way back); `error_page` keeps the address asked for
    # out of it (the sign-in and language links would repeat it: it may name something hidden).
    return render(request, "404.html", {"error_page": True}, status=404)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The project's 403 page: the site's frame, the reason the view gave (written for people)."""
    reason = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"error_page": True, "reason": reason}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """The project's 500. A database that cannot be reached is a 503 with Retry-After wherever it
    failed (a middleware reading the session, not only a view). Otherwise a small page, or the
    API's error shape, carrying the request id to quote; never a stack trace."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_UNAVAILABLE):
        return database_unavailable_response(request)
    request_id = getattr(request, "request_id", current_request_id())
    if request.path.startswith("/api/"):
        body = error_body(code="server_error", detail="Server error.")
        response = JsonResponse({**body, "request_id": request_id}, status=500)
    elif request.path.startswith("/open311/"):
        errors = [{"code": 500, "description": "Server error.", "request_id": request_id}]
        response = JsonResponse(errors, safe=False, status=500)
    else:
        response = HttpResponse(
            # Standalone (no template, no database): the page must render whatever failed.
            '<!doctype html><html lang="uk"><meta charset=utf-8>'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>Помилка сервера · Server error</title><main>"
            '<h1>Помилка сервера · <span lang="en">Server error</span></h1>'
            '<p><a href="/">На головну</a> · <a href="/" lang="en">Home</a></p>'
            f"<p>Request ID: <code>{escape(request_id)}</code></p></main></html>",
            status=500,
            content_type="text/html; charset=utf-8",
        )
    response[REQUEST_ID_HEADER] = request_id
    return response
