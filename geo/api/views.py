"""Read-only endpoints of the map layers. Each validates its query string, asks geo/sql.py for a
FeatureCollection that PostGIS assembled, and passes the text through untouched."""

from __future__ import annotations

import functools
import math

from django.contrib.gis.geos import Point
from django.http import HttpResponse
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geo.api.filters import (
    AddressPointQuery,
    AddressSearchQuery,
    BudgetLayerFilters,
    OutageLayerFilters,
    OutagePointQuery,
)
from geo.models import OUTAGE_TITLES, PROZORRO_TENDER_URL, BudgetSector, BudgetStatus, OutageKind, OutageNature
from geo.selectors import ADDRESS_MATCH_KINDS, AddressMatch, address_at, address_search, point_in_community
from geo.sql import budget_feature_collection, outage_feature_collection, outages_at_point_geojson
from opencity.api import NO_FORMAT_PARAMETER, AcceptHeaderNegotiation, GeoJSONRenderer
from opencity.errors import InvalidInput
from opencity.openapi import BAD_REQUEST, feature_collection

GEOJSON = "application/geo+json"
# Layers change rarely within a minute; a short public cache spares the database on busy days.
CACHE_SECONDS = 60


NULLABLE_TEXT = {"type": "string", "nullable": True}
NULLABLE_TIME = {"type": "string", "nullable": True, "format": "date-time"}
BUDGET_LAYER = feature_collection(
    {
        "layer": {"type": "string", "enum": ["budget"]},
        "id": {"type": "integer"},
        "code": {"type": "string"},
        "title": {"type": "string"},
        "sector": {"type": "string", "enum": list(BudgetSector.values)},
        "sector_label": {"type": "string"},
        "status": {"type": "string", "enum": list(BudgetStatus.values)},
        "status_label": {"type": "string"},
        "budget_year": {"type": "integer"},
        "planned_amount": {"type": "number", "description": "UAH"},
        "spent_amount": {"type": "number", "nullable": True, "description": "UAH"},
        "executor": {"type": "string", "nullable": True, "description": "The executor's name (request's language)."},
        "contractor": {"type": "string"},
        "start_date": {"type": "string", "nullable": True, "format": "date"},
        "end_date": {"type": "string", "nullable": True, "format": "date"},
        "prozorro_tender_id": NULLABLE_TEXT,
        "prozorro_url": NULLABLE_TEXT,
        "url": {"type": "string"},
    },
    description="Budget projects as a GeoJSON FeatureCollection (points, lines or areas).",
)
OUTAGE_PROPERTIES = {
    "layer": {"type": "string", "enum": ["outage"]},
    "id": {"type": "integer"},
    "title": {"type": "string"},
    "kind": {"type": "string", "enum": list(OutageKind.values)},
    "kind_label": {"type": "string"},
    "nature": {"type": "string", "enum": list(OutageNature.values)},
    "nature_label": {"type": "string"},
    "state": {"type": "string"},
    "overdue": {"type": "boolean"},
    "starts_at": {"type": "string", "format": "date-time"},
    "expected_end_at": NULLABLE_TIME,
    "ended_at": NULLABLE_TIME,
    "affected_streets": {"type": "string"},
    "public_notes": {"type": "string"},
    "provider": {"type": "object"},
    "url": {"type": "string"},
}
OUTAGE_LAYER = feature_collection(OUTAGE_PROPERTIES, description="Outages as a GeoJSON FeatureCollection.")
OUTAGES_AT = feature_collection(
    OUTAGE_PROPERTIES,
    extra={
        "point": {"type": "array", "items": {"type": "number"}, "description": "The point asked about: [lon, lat]."},
        "at": {"type": "string", "format": "date-time", "description": "The moment asked about."},
    },
    description="The outages covering the point, with the question's point and moment.",
)
GEOJSON_ERRORS = {(400, "application/json"): BAD_REQUEST}


def _labels(**choices) -> dict[str, dict[str, str]]:
    return {name: {value: str(label) for value, label in enum.choices} for name, enum in choices.items()}


def _outage_labels() -> dict[str, dict[str, str]]:
    return _outage_labels_in(get_language() or "uk")


@functools.lru_cache(maxsize=8)
def _outage_labels_in(language: str) -> dict[str, dict[str, str]]:
    """The outages' labels in a language (the catalogues do not change while the process runs)."""
    titles = {f"{nature}:{kind}": str(title) for (nature, kind), title in OUTAGE_TITLES.items()}
    return {**_labels(kind=OutageKind, nature=OutageNature), "title": titles}


def _geojson(body: str, *, cache: bool = True) -> HttpResponse:
    response = HttpResponse(body, content_type=GEOJSON)
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}" if cache else "no-cache"
    return response


def _validated(serializer_class, request: Request) -> dict:
    serializer = serializer_class(data=request.query_params.dict())
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _detail_url(name: str) -> str:
    """A URL pattern's path with "{id}" where the object's id goes."""
    return _detail_url_under(name, get_script_prefix())


@functools.lru_cache(maxsize=16)
def _detail_url_under(name: str, prefix: str) -> str:
    # The URL patterns do not change while the process runs; reverse() took longer than the rest of
    # the view's own work.
    return reverse(name, args=[0]).replace("/0/", "/{id}/")


class PublicLayerView(APIView):
    """A public, anonymous layer that answers GeoJSON: a client may ask for `application/geo+json`,
    `application/json` or anything (DRF would answer 406 to the first one without its renderer)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    renderer_classes = [JSONRenderer, GeoJSONRenderer]
    content_negotiation_class = AcceptHeaderNegotiation


class BudgetProjectLayer(PublicLayerView):
    """GET /api/v1/budget-projects/?year=&status=&sector=&bbox= — budget projects as GeoJSON."""

    @extend_schema(
        tags=["layers"],
        summary="Budget projects (GeoJSON)",
        parameters=[BudgetLayerFilters, NO_FORMAT_PARAMETER],
        responses={(200, GEOJSON): OpenApiResponse(BUDGET_LAYER, description="The projects."), **GEOJSON_ERRORS},
    )
    def get(self, request: Request) -> HttpResponse:
        filters = _validated(BudgetLayerFilters, request)
        body = budget_feature_collection(
            language=get_language() or "uk",
            labels=_labels(sector=BudgetSector, status=BudgetStatus),
            detail_url=_detail_url("geo:budget-detail"),
            prozorro_url=PROZORRO_TENDER_URL,
            year=filters.get("year"),
            sectors=filters.get("sector"),
            statuses=filters.get("status"),
            bbox=filters.get("bbox"),
        )
        return _geojson(body)


class OutageLayer(PublicLayerView):
    """GET /api/v1/outages/?kind=&nature=&active=&bbox= — outages as GeoJSON; without `active`,
    those in force now and those to come."""

    @extend_schema(
        tags=["layers"],
        summary="Outages (GeoJSON)",
        parameters=[OutageLayerFilters, NO_FORMAT_PARAMETER],
        responses={(200, GEOJSON): OpenApiResponse(OUTAGE_LAYER, description="The outages."), **GEOJSON_ERRORS},
    )
    def get(self, request: Request) -> HttpResponse:
        filters = _validated(OutageLayerFilters, request)
        body = outage_feature_collection(
            language=get_language() or "uk",
            labels=_outage_labels(),
            detail_url=_detail_url("geo:outage-detail"),
            at=timezone.now(),
            active=filters.get("active"),
            kinds=filters.get("kind"),
            natures=filters.get("nature"),
            bbox=filters.get("bbox"),
        )
        return _geojson(body)


class OutagesAtPoint(PublicLayerView):
    """GET /api/v1/outages/at/?lon=&lat=[&at=] — the outages covering a point, in force and to come
    ("is my address affected?"). A point outside the community is refused with a clear message."""

    @extend_schema(
        tags=["layers"],
        summary="Outages at a point",
        parameters=[OutagePointQuery, NO_FORMAT_PARAMETER],
        responses={(200, GEOJSON): OpenApiResponse(OUTAGES_AT, description="The outages there."), **GEOJSON_ERRORS},
    )
    def get(self, request: Request) -> HttpResponse:
        query = _validated(OutagePointQuery, request)
        lon, lat = query["lon"], query["lat"]
        not_numbers = {
            name: [_("A valid number is required.")] for name in ("lon", "lat") if not math.isfinite(query[name])
        }
        if not_numbers:
            raise InvalidInput(_("The request has invalid fields."), fields=not_numbers)
        # One statement: the community check, the outages, and the question's point and moment
        # with them (geo.sql.outages_at_point_geojson); the text is passed through.
        body = outages_at_point_geojson(
            language=get_language() or "uk",
            labels=_outage_labels(),
            detail_url=_detail_url("geo:outage-detail"),
            at=query.get("at") or timezone.now(),
            lon=lon,
            lat=lat,
        )
        if body is None:
            raise InvalidInput(
                _("This point is outside the community's territory."),
                code="outside_community",
                fields={"lon": [_("Outside the community.")], "lat": [_("Outside the community.")]},
            )
        return _geojson(body, cache=False)


# --- The gazetteer -------------------------------------------------------------------------------


class AddressSerializer(serializers.Serializer):
    """One answer of the address search or of reverse geocoding."""

    kind = serializers.ChoiceField(
        choices=list(ADDRESS_MATCH_KINDS),
        help_text="`address`: a house; `street`: a street (no such house, or none asked); reverse geocoding "
        "also answers `near` (near a street), `district` or `coordinates` when nothing is closer.",
    )
    label = serializers.CharField(help_text="The address as people write it, in the request's language.")
    lat = serializers.FloatField()
    lon = serializers.FloatField()
    street_id = serializers.IntegerField(allow_null=True)
    address_id = serializers.IntegerField(allow_null=True)
    house_number = serializers.CharField(help_text="As written (“9А”); empty for a street.")
    postcode = serializers.CharField()
    district = serializers.CharField()
    distance_m = serializers.FloatField(allow_null=True, help_text="Reverse geocoding: metres from the point asked.")

    class Meta:
        ref_name = "Address"


class AddressSearchAnswer(serializers.Serializer):
    count = serializers.IntegerField()
    results = AddressSerializer(many=True)


def _address_json(match: AddressMatch) -> dict:
    return {
        "kind": match.kind,
        "label": match.label,
        "lat": round(match.lat, 7),
        "lon": round(match.lon, 7),
        "street_id": match.street_id,
        "address_id": match.address_id,
        "house_number": match.house_number,
        "postcode": match.postcode,
        "district": match.district,
        "distance_m": match.distance_m,
    }


class AddressSearch(APIView):
    """GET /api/v1/addresses/?q=&limit= — streets and addresses matching what was typed, best first."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        tags=["addresses"],
        summary="Search addresses",
        parameters=[AddressSearchQuery],
        responses={
            200: OpenApiResponse(AddressSearchAnswer, description="The matches, best first (none: an empty list)."),
            400: BAD_REQUEST,
        },
    )
    def get(self, request: Request) -> Response:
        query = _validated(AddressSearchQuery, request)
        matches = address_search(text=query["q"], language=get_language() or "uk", limit=query["limit"])
        response = Response({"count": len(matches), "results": [_address_json(match) for match in matches]})
        response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
        return response


class AddressReverse(APIView):
    """GET /api/v1/addresses/reverse/?lat=&lon= — what to call a point: the nearest address, or
    "near <street>, <district>". A point outside the community is refused with a clear message."""

    permission_classes = [AllowAny]
    authentication_classes = []

    @extend_schema(
        tags=["addresses"],
        summary="The address of a point",
        parameters=[AddressPointQuery],
        responses={
            200: OpenApiResponse(AddressSerializer, description="What to call the point."),
            400: BAD_REQUEST,
        },
    )
    def get(self, request: Request) -> Response:
        query = _validated(AddressPointQuery, request)
        lon, lat = query["lon"], query["lat"]
        not_numbers = {
            name: [_("A valid number is required.")] for name in ("lon", "lat") if not math.isfinite(query[name])
        }
        if not_numbers:
            raise InvalidInput(_("The request has invalid fields."), fields=not_numbers)
        point = Point(lon, lat, srid=4326)
        if not point_in_community(point=point):
            raise InvalidInput(
                _("This point is outside the community's territory."),
                code="outside_community",
                fields={"lon": [_("Outside the community.")], "lat": [_("Outside the community.")]},
            )
        match = address_at(point=point, language=get_language() or "uk")
        response = Response(_address_json(match))
        response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
        return response
