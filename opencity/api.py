"""REST wiring shared by every app's API: one exception handler, one error shape.

Every error answer looks like {"code": "...", "detail": "...", "fields": {"name": ["..."]}}, with
messages in the request's language. Unhandled exceptions still become 500s (and get logged): bad
input must never reach that far.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from opencity.errors import DomainError


def _flatten(detail) -> dict | list | str:
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    if isinstance(detail, list):
        return [_flatten(item) for item in detail]
    return str(detail)


def error_body(*, code: str, detail: str, fields: dict | None = None) -> dict:
    return {"code": code, "detail": detail, "fields": fields or {}}


def exception_handler(exc, context):
    """Turn domain errors and DRF errors into the project's error shape."""
    if isinstance(exc, DomainError):
        fields = {
            key: [str(m) for m in (value if isinstance(value, list | tuple) else [value])]
            for key, value in exc.fields.items()
        }
        return Response(error_body(code=exc.code, detail=str(exc.message), fields=fields), status=exc.status)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        if not isinstance(fields, dict):
            fields = {"non_field_errors": fields if isinstance(fields, list) else [fields]}
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
