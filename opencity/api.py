"""REST wiring shared by every app's API: one exception handler, one error shape.

Every error answer looks like {"code": "...", "detail": "...", "fields": {"name": ["..."]}}, with
messages in the request's language. Unhandled exceptions still become 500s (and get logged): bad
input must never reach that far.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, status
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import APISettings
from rest_framework.views import exception_handler as drf_exception_handler

from opencity.errors import DomainError, RateLimited

# Seconds a client should wait before retrying when the database is away (also in
# opencity.observability, which answers the same outside DRF views).
RETRY_AFTER_SECONDS = 5


def _flat_fields(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's validation detail as {field: [messages]}. Errors inside lists and nested objects get
    dotted names (`media.0`, `location.coordinates`), so every field maps to a list of strings."""
    fields: dict[str, list[str]] = {}

    def add(name: str, message) -> None:
        fields.setdefault(name or "non_field_errors", []).append(str(message))

    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            for inner, messages in _flat_fields(value, name).items():
                fields.setdefault(inner, []).extend(messages)
    elif isinstance(detail, list):
        for index, item in enumerate(detail):
            if isinstance(item, dict | list):
                for inner, messages in _flat_fields(item, f"{prefix}.{index}" if prefix else str(index)).items():
                    fields.setdefault(inner, []).extend(messages)
            else:
                add(prefix, item)
    else:
        add(prefix, detail)
    return fields


def error_body(*, code: str, detail: str, fields: dict | None = None) -> dict:
    return {"code": code, "detail": detail, "fields": fields or {}}


def exception_handler(exc, context):
    """Turn domain errors and DRF errors into the project's error shape. A database that cannot
    be reached is a 503 with Retry-After (the client retries with its Idempotency-Key), not a 500."""
    if isinstance(exc, OperationalError | InterfaceError):
        response = Response(
            error_body(code="unavailable", detail=_("The service is temporarily unavailable. Please retry.")),
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if isinstance(exc, DomainError):
        fields = {
            key: [str(m) for m in (value if isinstance(value, list | tuple) else [value])]
            for key, value in exc.fields.items()
        }
        response = Response(error_body(code=exc.code, detail=str(exc.message), fields=fields), status=exc.status)
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(exc.retry_after)
        return response
    # Django's own Http404 and PermissionDenied as DRF's, so they carry a code and a message.
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    # DRF's own handler already sets Retry-After on Throttled (from the throttle's wait).
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flat_fields(exc.detail)
        response.data = error_body(code="invalid", detail=_("The request has invalid fields."), fields=fields)
        response.status_code = status.HTTP_400_BAD_REQUEST
    else:
        detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
        response.data = error_body(code=code if isinstance(code, str) else "error", detail=str(detail))
    return response


class GeoJSONRenderer(JSONRenderer):
    """Lets clients ask for `application/geo+json` (map layers); errors still render as JSON."""

    media_type = "application/geo+json"
    format = "geojson"


# With AcceptHeaderNegotiation, renderers are chosen by the Accept header, not a `format` parameter
# (which drf-spectacular would otherwise document for every view with two renderers).
NO_FORMAT_PARAMETER = OpenApiParameter("format", exclude=True)


class AcceptHeaderNegotiation(DefaultContentNegotiation):
    """Choose the renderer by the Accept header alone. DRF also reads a `?format=` parameter and
    answers an unknown one with 404, which for an endpoint with query filters reads as "no such
    endpoint"; with this, `format` is just an unknown parameter."""

    settings = APISettings(user_settings={"URL_FORMAT_OVERRIDE": None})
