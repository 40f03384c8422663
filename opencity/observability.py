"""Request ids, one JSON log line per request, and a clear 503 while the database is away.

`RequestMiddleware` is the outermost middleware in every setting:
- it takes the request id from a valid `X-Request-ID` header (so a proxy's id follows the request
  through) or makes one, puts it on `request.request_id`, in every log line written while the request
  runs (`RequestIdFilter`), on the response and on the error pages;
- it writes one line per request to the `opencity.request` logger: method, path, status, duration,
  the user's role and the request id (`JsonFormatter` makes it JSON in production);
- a view that fails because PostgreSQL is unreachable (`OperationalError`, `InterfaceError`) is
  answered 503 with `Retry-After`, never a 500 with a stack trace. Failures outside views (a
  middleware reading the session) reach `opencity.handlers.server_error`, which answers the same.
The persistent connection is thrown away by Django after such an error, so the next request opens a
new one: the server recovers by itself when the database is back.
"""

from __future__ import annotations

import logging
import time

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.functional import LazyObject
from django.utils.html import escape

from accounts.roles import Role, user_executor, user_is_dispatcher, user_is_leadership
from opencity.api import RETRY_AFTER_SECONDS
from opencity.logformat import (
    REQUEST_ID_HEADER,
    current_request_id,
    request_id_from,
    reset_request_id,
    set_request_id,
)

request_logger = logging.getLogger("opencity.request")
logger = logging.getLogger(__name__)

# The exceptions that mean "the database cannot be reached", not "our code is wrong".
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)


# The role a signed-in account had when last logged, per process, for ROLE_MEMORY_SECONDS: working
# it out took two queries (groups, membership) after every signed-in request whose view had not
# needed them, for one field of a log line. A changed role shows in the log within that time.
ROLE_MEMORY_SECONDS = 60
ROLE_MEMORY_SIZE = 10_000
_remembered_roles: dict[int, tuple[float, str]] = {}


def user_role(request: HttpRequest) -> str:
    """The user's role for the log line. A user the request never loaded is not loaded for it
    ("unknown"); a signed-in one's role is remembered a minute (ROLE_MEMORY_SECONDS)."""
    user = request.__dict__.get("user")
    if isinstance(user, LazyObject):
        user = getattr(request, "_cached_user", None)  # set once the lazy user was evaluated
    if user is None or not hasattr(user, "is_authenticated"):
        return "unknown"
    if not user.is_authenticated:
        return Role.ANONYMOUS.value
    if user.is_superuser:
        return "admin"
    now = time.monotonic()
    remembered = _remembered_roles.get(user.pk)
    if remembered is not None and now - remembered[0] < ROLE_MEMORY_SECONDS:
        return remembered[1]
    role = _account_role(user)
    if role == "authenticated":
        return role  # the database did not answer: ask again next time
    if len(_remembered_roles) >= ROLE_MEMORY_SIZE:
        _remembered_roles.clear()
    _remembered_roles[user.pk] = (now, role)
    return role


def _account_role(user) -> str:
    try:
        if user_is_dispatcher(user):
            return Role.DISPATCHER.value
        if user_is_leadership(user):
            return Role.LEADERSHIP.value
        if user_executor(user) is not None:
            return Role.EXECUTOR.value
    except DatabaseError:  # away, or the request's transaction already failed: the log line still goes
        return "authenticated"
    return Role.CITIZEN.value


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: the API's error shape under /api/, Open311's under /open311/, a small
    page elsewhere. Built without templates, the session or the database."""
    request_id = getattr(request, "request_id", current_request_id())
    detail = "The service is temporarily unavailable (database). Please retry in a few seconds."
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"code": "unavailable", "detail": detail, "fields": {}, "request_id": request_id}, status=503
        )
    elif request.path.startswith("/open311/"):
        body = [{"code": 503, "description": detail, "request_id": request_id}]
        response = JsonResponse(body, safe=False, status=503)
    else:
        response = HttpResponse(
            "<!doctype html><html lang=uk><meta charset=utf-8><title>503</title>"
            "<h1>Сервіс тимчасово недоступний</h1><p>Спробуйте ще раз за кілька секунд.</p>"
            f"<p>{escape(detail)}</p><p><small>Request ID: {escape(request_id)}</small></p></html>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    # Set here too: this answer may be made outside RequestMiddleware (by the 500 handler, when the
    # database failed in a middleware), and the client must still get the id to quote.
    response[REQUEST_ID_HEADER] = request_id
    return response


class RequestMiddleware:
    """Request id, the per-request JSON log line, and 503 for a database that cannot be reached."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        token = set_request_id(request.request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request.request_id
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            request_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                    "user_role": user_role(request),
                },
            )
            return response
        finally:
            reset_request_id(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_UNAVAILABLE):
            logger.warning("Database unavailable: %s", str(exception).strip().splitlines()[0] if str(exception) else "")
            return database_unavailable_response(request)
        return None
