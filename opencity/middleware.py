"""Project middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

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
