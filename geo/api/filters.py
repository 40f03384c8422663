"""Query-string filters of the layer endpoints, validated before any SQL runs.

Each endpoint declares its filters as a small serializer; a bad value becomes a 400 answer with a
message per field (through opencity.api.exception_handler), never a 500.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from geo.models import BUDGET_YEAR_MAX, BUDGET_YEAR_MIN, BudgetSector, BudgetStatus, OutageKind, OutageNature
from opencity.openapi import BBOX_DESCRIPTION, BBOX_PATTERN, comma_list_pattern


class ChoiceListField(serializers.Field):
    """One value or several separated by commas (`status=planned,in_progress`), each a known choice."""

    # DRF fills these in with str.format, hence the braces.
    default_error_messages = {
        "invalid_choice": _("“{value}” is not one of: {allowed}."),
        "empty": _("Give at least one value."),
    }

    def __init__(self, choices: list[str], **kwargs) -> None:
        self.allowed = list(choices)
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> list[str]:
        values = [item.strip() for item in str(data).split(",") if item.strip()]
        if not values:
            self.fail("empty")
        for value in values:
            if value not in self.allowed:
                self.fail("invalid_choice", value=value[:40], allowed=", ".join(self.allowed))
        return list(dict.fromkeys(values))

    def to_representation(self, value):
        return ",".join(value)


class ChoiceListFieldSchema(OpenApiSerializerFieldExtension):
    """The OpenAPI schema of a ChoiceListField: the field's own choices, as a pattern."""

    target_class = ChoiceListField

    def map_serializer_field(self, auto_schema, direction) -> dict:
        allowed = self.target.allowed
        return {
            "type": "string",
            "pattern": comma_list_pattern(allowed),
            "description": "One of " + ", ".join(f"`{value}`" for value in allowed) + ", or several separated by "
            "commas; an empty or unknown value is refused with 400.",
        }


@extend_schema_field(
    {
        "type": "string",
        "pattern": BBOX_PATTERN,
        "description": BBOX_DESCRIPTION,
        "example": "23.45,49.32,23.56,49.38",
    }
)
class BBoxField(serializers.Field):
    """`minLon,minLat,maxLon,maxLat` in WGS84 degrees, as Leaflet's `getBounds().toBBoxString()` gives."""

    default_error_messages = {
        "format": _("Give four numbers: minLon,minLat,maxLon,maxLat."),
        "range": _("Longitudes must be within -180…180 and latitudes within -90…90."),
        "order": _("The minimum must be less than the maximum."),
    }

    def to_internal_value(self, data) -> tuple[float, float, float, float]:
        parts = str(data).split(",")
        if len(parts) != 4:
            self.fail("format")
        try:
            min_lon, min_lat, max_lon, max_lat = (float(part) for part in parts)
        except ValueError:
            self.fail("format")
        numbers = (min_lon, min_lat, max_lon, max_lat)
        if any(value != value or value in (float("inf"), float("-inf")) for value in numbers):  # NaN, inf
            self.fail("format")
        if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180 and -90 <= min_lat <= 90 and -90 <= max_lat <= 90):
            self.fail("range")
        if min_lon >= max_lon or min_lat >= max_lat:
            self.fail("order")
        return numbers

    def to_representation(self, value):
        return ",".join(str(v) for v in value)


class BudgetLayerFilters(serializers.Serializer):
    year = serializers.IntegerField(min_value=BUDGET_YEAR_MIN, max_value=BUDGET_YEAR_MAX, required=False)
    status = ChoiceListField(BudgetStatus.values, required=False)
    sector = ChoiceListField(BudgetSector.values, required=False)
    bbox = BBoxField(required=False)


class OutageLayerFilters(serializers.Serializer):
    kind = ChoiceListField(OutageKind.values, required=False)
    nature = ChoiceListField(OutageNature.values, required=False)
    active = serializers.BooleanField(required=False)
    bbox = BBoxField(required=False)


class OutagePointQuery(serializers.Serializer):
    lon = serializers.FloatField(min_value=-180, max_value=180)
    lat = serializers.FloatField(min_value=-90, max_value=90)
    at = serializers.DateTimeField(required=False)


ADDRESS_SEARCH_MAX_LIMIT = 20


class AddressSearchQuery(serializers.Serializer):
    q = serializers.CharField(
        max_length=200,
        trim_whitespace=True,
        help_text="What was typed: “Стрийська 9”, “stryiska 9”, “вул. Стрийська, 9”; typos are tolerated.",
    )
    limit = serializers.IntegerField(
        min_value=1, max_value=ADDRESS_SEARCH_MAX_LIMIT, required=False, default=10, help_text="At most 20."
    )


class AddressPointQuery(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)
