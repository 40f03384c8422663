"""OpenAPI wiring shared by every app's API: which paths the schema covers, and the shapes every
endpoint shares (the error body, GeoJSON collections), declared once and referenced by name."""

from __future__ import annotations

import re

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, inline_serializer
from rest_framework import serializers


def only_api_v1(endpoints, **kwargs):
    """drf-spectacular preprocessing hook: the schema documents /api/v1/ only (Open311 has its
    own specification, and the pages are not an API)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


class ErrorSerializer(serializers.Serializer):
    """Every error answer of the API."""

    code = serializers.CharField(help_text="Stable code to branch on, e.g. `invalid`, `not_found`, `rate_limited`.")
    detail = serializers.CharField(help_text="What went wrong, for people, in the request's language.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field (empty when the problem is not in a field).",
    )

    class Meta:
        ref_name = "Error"


def error(description: str, *, example_code: str = "invalid") -> OpenApiResponse:
    return OpenApiResponse(
        response=ErrorSerializer,
        description=description,
        examples=[
            OpenApiExample(example_code, value={"code": example_code, "detail": "…", "fields": {}}, response_only=True)
        ],
    )


BAD_REQUEST = error("Invalid input: messages per field.", example_code="invalid")
UNAUTHORIZED = error("Not signed in: send `Authorization: Token …` (or a session).", example_code="not_authenticated")
FORBIDDEN = error("Signed in, but not allowed to do this.", example_code="permission_denied")
NOT_FOUND = error("No such object (or not visible to you).", example_code="not_found")
CONFLICT = error("Someone else changed it first; reload and try again.", example_code="conflict")
MEDIA_UNAVAILABLE = error(
    "A photo or video given by id is gone, failed or already attached: upload it again.",
    example_code="media_unavailable",
)
RATE_LIMITED = error("Too many requests; try again later.", example_code="rate_limited")


# A public reference as issue_next_ref makes it: community code, local year, a six-digit number.
ISSUE_REF_PATTERN = r"^[A-Za-z0-9]+-[0-9]{4}-[0-9]{6,}$"


def comma_list_pattern(values) -> str:
    """A regular expression for one of `values`, or several separated by commas."""
    one = "(" + "|".join(re.escape(str(value)) for value in dict.fromkeys(values)) + ")"
    return f"^{one}(,{one})*$"


# Four decimal numbers separated by commas, as the bbox fields parse them (ranges and order are
# checked by the view and stated in the description; a pattern cannot say them).
BBOX_PATTERN = r"^-?[0-9]+(\.[0-9]+)?(,-?[0-9]+(\.[0-9]+)?){3}$"
BBOX_DESCRIPTION = (
    "`minLon,minLat,maxLon,maxLat` in WGS84 degrees: longitudes within -180…180, latitudes within -90…90, "
    "south-west corner first. Any size (no limit on the area)."
)


def no_credentials_needed(result, generator, request, public):
    """drf-spectacular postprocessing hook: an operation that anyone may call says so with an
    empty `security` list, so clients and scanners do not expect a 401 from it. Operations that
    take a token optionally (their answer depends on who asks) keep `{}` among their requirements."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if operation.get("security") in (None, [{}]):
                operation["security"] = []
    return result


# The health checks (opencity/health.py) are plain Django views, outside /api/v1/, which load
# balancers and monitoring call; documented here so integrators find them in the same contract.
_CHECK = {
    "type": "object",
    "properties": {"ok": {"type": "boolean"}},
    "required": ["ok"],
    "additionalProperties": True,
}
HEALTH_PATHS = {
    "/healthz": {
        "get": {
            "operationId": "health_live",
            "summary": "Liveness: the process answers (never touches the database)",
            "tags": ["health"],
            "security": [],
            "responses": {
                "200": {
                    "description": "The process is alive.",
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {"status": {"type": "string", "enum": ["ok"]}},
                                "required": ["status"],
                            }
                        }
                    },
                }
            },
        }
    },
    "/readyz": {
        "get": {
            "operationId": "health_ready",
            "summary": "Readiness: database, migrations, task worker and queue",
            "tags": ["health"],
            "security": [],
            "responses": {
                status_code: {
                    "description": description,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "properties": {
                                    "status": {"type": "string", "enum": [state]},
                                    "checks": {"type": "object", "additionalProperties": _CHECK},
                                },
                                "required": ["status", "checks"],
                            }
                        }
                    },
                }
                for status_code, description, state in (
                    ("200", "Ready to serve: every check passed.", "ok"),
                    ("503", "Not ready: the failing checks say why.", "unavailable"),
                )
            },
        }
    },
}


def health_operations(result, generator, request, public):
    """drf-spectacular postprocessing hook: add the health checks (HEALTH_PATHS) to the schema."""
    result.setdefault("paths", {}).update(HEALTH_PATHS)
    return result


# Answers any operation can give, whatever it does: too many requests (the API's throttles and the
# sign-in lockout, with Retry-After) and the database being away (503, with Retry-After).
ANY_OPERATION_ANSWERS = {
    "429": "Too many requests; wait the seconds in the `Retry-After` header.",
    "503": "The service is briefly unavailable (e.g. its database restarts); retry after `Retry-After` seconds.",
}


def answers_of_any_operation(result, generator, request, public):
    """drf-spectacular postprocessing hook: list on every operation the statuses any request can
    get (ANY_OPERATION_ANSWERS), with the error body and the Retry-After header."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status_code, description in ANY_OPERATION_ANSWERS.items():
                answer = responses.setdefault(
                    status_code,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
                    },
                )
                answer.setdefault("headers", {})["Retry-After"] = {
                    "schema": {"type": "integer"},
                    "description": "Seconds to wait before trying again.",
                }
    return result


def _geojson_geometry() -> dict:
    return {
        "type": "object",
        "description": "A GeoJSON geometry (WGS84 longitude, latitude).",
        "properties": {"type": {"type": "string"}, "coordinates": {"type": "array", "items": {}}},
        "required": ["type", "coordinates"],
    }


def feature_collection(properties: dict, *, extra: dict | None = None, description: str = "") -> dict:
    """The schema of a GeoJSON FeatureCollection whose features carry `properties`."""
    return {
        "type": "object",
        "description": description,
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "type": {"type": "string", "enum": ["Feature"]},
                        "id": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                        "geometry": _geojson_geometry(),
                        "properties": {"type": "object", "properties": properties},
                    },
                    "required": ["type", "geometry", "properties"],
                },
            },
            **(extra or {}),
        },
        "required": ["type", "features"],
    }


def point_schema() -> dict:
    return {
        "type": "object",
        "description": "A GeoJSON Point: `[longitude, latitude]` in WGS84.",
        "properties": {
            "type": {"type": "string", "enum": ["Point"]},
            "coordinates": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
        },
        "required": ["type", "coordinates"],
    }


__all__ = ["ErrorSerializer", "feature_collection", "inline_serializer", "point_schema"]
