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

import contextvars
import json
import logging
import re
import time
import uuid
from datetime import UTC, datetime

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.functional import LazyObject
from django.utils.html import escape

from accounts.roles import Role, user_executor, user_is_dispatcher, user_is_leadership
from opencity.api import RETRY_AFTER_SECONDS

request_logger = logging.getLogger("opencity.request")
logger = logging.getLogger(__name__)

# The exceptions that mean "the database cannot be reached", not "our code is wrong".
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is accepted when it is short and plain; anything else is replaced (log injection).
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")

_current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("opencity_request_id", default="-")


def current_request_id() -> str:
    """The id of the request this thread is serving ("-" outside a request)."""
    return _current_request_id.get()


def request_id_from(header: str | None) -> str:
    """The client's or proxy's id if it is valid, else a new random one."""
    if header and _VALID_REQUEST_ID.match(header):
        return header
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every log record (for formats and for the JSON formatter)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        return True


# LogRecord attributes that are not "extra" fields.
_STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request_id"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id, and any `extra` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", current_request_id()),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value if isinstance(value, str | int | float | bool | None) else str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def user_role(request: HttpRequest) -> str:
    """The user's role for the log line. A user the request never loaded is not loaded for it
    ("unknown"); groups and membership are usually cached by the view's permission checks."""
    user = request.__dict__.get("user")
    if isinstance(user, LazyObject):
        user = getattr(request, "_cached_user", None)  # set once the lazy user was evaluated
    if user is None or not hasattr(user, "is_authenticated"):
        return "unknown"
    if not user.is_authenticated:
        return Role.ANONYMOUS.value
    if user.is_superuser:
        return "admin"
    try:
        if user_is_dispatcher(user):
            return Role.DISPATCHER.value
        if user_is_leadership(user):
            return Role.LEADERSHIP.value
        if user_executor(user) is not None:
            return Role.EXECUTOR.value
    except DATABASE_UNAVAILABLE:
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
    return response


class RequestMiddleware:
    """Request id, the per-request JSON log line, and 503 for a database that cannot be reached."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        token = _current_request_id.set(request.request_id)
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
            _current_request_id.reset(token)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_UNAVAILABLE):
            logger.warning("Database unavailable: %s", str(exception).strip().splitlines()[0] if str(exception) else "")
            return database_unavailable_response(request)
        return None
