"""Middleware of the project's own: Retry-After on every 429, and 503 for a statement timeout."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from opencity.db import is_statement_timeout

logger = logging.getLogger(__name__)

# Every limit of ours counts per hour, so an hour is the honest upper bound for a 429 whose view
# did not say better.
DEFAULT_RETRY_AFTER_SECONDS = 3600


class RetryAfterMiddleware:
    """Every 429 tells the client when to come back (RFC 9110 Retry-After): the API's handler and
    the views set the exact value; this fills in the pages and protocols that did not."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 429 and not response.has_header("Retry-After"):
            response["Retry-After"] = str(DEFAULT_RETRY_AFTER_SECONDS)
        return response


class StatementTimeoutMiddleware:
    """A query cancelled by the statement timeout is the server being busy (or a request asking too
    much), not a bug: answer 503 with Retry-After instead of a 500."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not (isinstance(exception, OperationalError) and is_statement_timeout(exception)):
            return None
        logger.warning("statement timeout on %s %s", request.method, request.path)
        response = HttpResponse(
            _("The server is busy; please try again in a minute."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "60"
        return response
