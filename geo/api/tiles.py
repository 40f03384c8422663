"""Vector tiles and their TileJSON documents: /api/v1/tiles/<layer>/<z>/<x>/<y>.mvt and
/api/v1/tiles/<layer>.json.

The views here are the shared machinery (validation, 204 for an empty tile, ETag and 304, cache
lifetimes, the TileJSON 3.0.0 document) and the budget and outage layers; the issue layer
subclasses them in issues/api/tiles.py (geo never imports issues). Each tile is one SQL statement
(geo/tiles.py, issues/tiles.py); the bytes PostGIS encoded are passed through untouched.
"""

from __future__ import annotations

import hashlib
from typing import ClassVar

from django.conf import settings
from django.contrib.gis.db.models import Extent
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from geo.api.filters import BudgetLayerFilters, OutageLayerFilters
from geo.models import CommunityBoundary
from geo.tiles import MAX_ZOOM, TileAddress, budget_tile, outage_tile
from opencity.openapi import BAD_REQUEST

MVT = "application/vnd.mapbox-vector-tile"
# How long a client or proxy may keep a tile: issues and outages change by the minute, the budget
# by the month.
SHORT_CACHE_SECONDS = 60
LONG_CACHE_SECONDS = 3600
# What the TileJSON documents advertise; clients draw deeper zooms from the z18 tiles (overzoom),
# and the endpoint itself answers up to MAX_ZOOM.
TILEJSON_MINZOOM, TILEJSON_MAXZOOM = 0, 18
# Web Mercator's whole world, for a community with no boundary yet.
WORLD_BOUNDS = [-180.0, -85.0511, 180.0, 85.0511]


# --- OpenAPI ------------------------------------------------------------------------------------------

TILE_PATH_PARAMETERS = [
    OpenApiParameter(
        "z",
        {"type": "integer", "minimum": 0, "maximum": MAX_ZOOM},
        OpenApiParameter.PATH,
        description="Zoom level, 0–22.",
    ),
    OpenApiParameter(
        "x",
        {"type": "integer", "minimum": 0},
        OpenApiParameter.PATH,
        description="Column, 0 ≤ x < 2^z (from the west).",
    ),
    OpenApiParameter(
        "y",
        {"type": "integer", "minimum": 0},
        OpenApiParameter.PATH,
        description="Row, 0 ≤ y < 2^z (XYZ scheme: from the north).",
    ),
]


def tile_responses(description: str) -> dict:
    return {
        (200, MVT): OpenApiResponse(OpenApiTypes.BINARY, description=description),
        204: OpenApiResponse(description="Nothing in this tile."),
        304: OpenApiResponse(description="Not modified: the tile still has the ETag sent in If-None-Match."),
        400: BAD_REQUEST,
    }


TILEJSON_SCHEMA = {
    "type": "object",
    "description": "A TileJSON 3.0.0 document (https://github.com/mapbox/tilejson-spec/tree/master/3.0.0).",
    "properties": {
        "tilejson": {"type": "string", "enum": ["3.0.0"]},
        "name": {"type": "string"},
        "description": {"type": "string"},
        "version": {"type": "string"},
        "scheme": {"type": "string", "enum": ["xyz"]},
        "tiles": {"type": "array", "items": {"type": "string"}, "description": "Absolute URL templates."},
        "minzoom": {"type": "integer"},
        "maxzoom": {"type": "integer"},
        "bounds": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
        "center": {"type": "array", "items": {"type": "number"}, "minItems": 3, "maxItems": 3},
        "attribution": {"type": "string"},
        "vector_layers": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "description": {"type": "string"},
                    "minzoom": {"type": "integer"},
                    "maxzoom": {"type": "integer"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}},
                },
                "required": ["id", "fields"],
            },
        },
    },
    "required": ["tilejson", "tiles", "vector_layers"],
}


def tilejson_schema(layer: str, parameters: list) -> dict:
    return extend_schema(
        tags=["tiles"],
        summary=f"TileJSON of the {layer} tiles",
        operation_id=f"tiles_{layer}_tilejson",
        description="For MapLibre (a `vector` source with this URL) and other TileJSON clients; in QGIS, add a "
        "Vector Tiles generic connection with the `tiles` URL template it gives. Filters given here are carried "
        "into the tile URL.",
        parameters=parameters,
        responses={200: OpenApiResponse(TILEJSON_SCHEMA, description="The TileJSON document."), 400: BAD_REQUEST},
    )


class TileAddressInput(serializers.Serializer):
    """z/x/y from the path: 0 ≤ z ≤ 22, 0 ≤ x, y < 2^z."""

    z = serializers.IntegerField(min_value=0, max_value=MAX_ZOOM)
    x = serializers.IntegerField(min_value=0)
    y = serializers.IntegerField(min_value=0)

    def validate(self, attrs: dict) -> dict:
        limit = 2 ** attrs["z"]
        errors = {
            name: [
                _("Must be less than %(limit)d (2 to the power of z) at zoom %(z)d.")
                % {"limit": limit, "z": attrs["z"]}
            ]
            for name in ("x", "y")
            if attrs[name] >= limit
        }
        if errors:
            raise serializers.ValidationError(errors)
        return attrs

    def tile(self) -> TileAddress:
        return TileAddress(**self.validated_data)


class JSONErrorsNegotiation(BaseContentNegotiation):
    """Errors and TileJSON are always JSON, whatever the client accepts: a map library asks for
    tiles with its own Accept header, and a 400 must still reach it (not a 406)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return (renderers[0], renderers[0].media_type)


class PublicTileApi(APIView):
    """Public, anonymous, read-only: no authentication, so a tile is one query."""

    permission_classes = [AllowAny]
    authentication_classes: ClassVar[list] = []
    renderer_classes = [JSONRenderer]
    content_negotiation_class = JSONErrorsNegotiation


def tile_response(request: Request, content: bytes, *, cache_seconds: int) -> HttpResponse:
    """204 for an empty tile; else the tile with an ETag (a hash of its bytes), answered 304 when
    the client's If-None-Match already names it."""
    if not content:
        response = HttpResponse(status=204)
    else:
        response = HttpResponse(content, content_type=MVT)
        response["ETag"] = f'"{hashlib.blake2b(content, digest_size=16).hexdigest()}"'
    response["Cache-Control"] = f"public, max-age={cache_seconds}"
    if content:
        # Django's own conditional-GET rules (weak and strong tags, lists, `*`); a 304 keeps the
        # ETag and Cache-Control.
        return get_conditional_response(request, etag=response["ETag"], response=response)
    return response


def validated(serializer_class, data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class TileApi(PublicTileApi):
    """One layer's tiles. Subclasses name the filters and build the tile's bytes."""

    filters_class: ClassVar[type[serializers.Serializer]]
    cache_seconds: ClassVar[int] = SHORT_CACHE_SECONDS

    def tile_content(self, *, tile: TileAddress, filters: dict) -> bytes:
        raise NotImplementedError

    def get(self, request: Request, z: str, x: str, y: str) -> HttpResponse:
        address = TileAddressInput(data={"z": z, "x": x, "y": y})
        address.is_valid(raise_exception=True)
        filters = validated(self.filters_class, request.query_params.dict())
        content = self.tile_content(tile=address.tile(), filters=filters)
        return tile_response(request, content, cache_seconds=self.cache_seconds)


class BudgetTileFilters(BudgetLayerFilters):
    bbox = None  # a tile is its own bounding box


class OutageTileFilters(OutageLayerFilters):
    bbox = None


@extend_schema_view(
    get=extend_schema(
        tags=["tiles"],
        summary="Budget projects (vector tile)",
        operation_id="tiles_budget",
        parameters=[*TILE_PATH_PARAMETERS, BudgetTileFilters],
        responses=tile_responses("A Mapbox Vector Tile with the layer `budget`: every project crossing the tile."),
    )
)
class BudgetTileApi(TileApi):
    """GET /api/v1/tiles/budget/<z>/<x>/<y>.mvt?year=&status=&sector= — budget projects."""

    filters_class = BudgetTileFilters
    cache_seconds = LONG_CACHE_SECONDS

    def tile_content(self, *, tile: TileAddress, filters: dict) -> bytes:
        return budget_tile(
            tile=tile,
            language=get_language() or "uk",
            year=filters.get("year"),
            sectors=filters.get("sector"),
            statuses=filters.get("status"),
        )


@extend_schema_view(
    get=extend_schema(
        tags=["tiles"],
        summary="Outages (vector tile)",
        operation_id="tiles_outages",
        parameters=[*TILE_PATH_PARAMETERS, OutageTileFilters],
        responses=tile_responses("A Mapbox Vector Tile with the layer `outages`: every outage crossing the tile."),
    )
)
class OutageTileApi(TileApi):
    """GET /api/v1/tiles/outages/<z>/<x>/<y>.mvt?kind=&nature=&active= — outages."""

    filters_class = OutageTileFilters

    def tile_content(self, *, tile: TileAddress, filters: dict) -> bytes:
        return outage_tile(
            tile=tile,
            at=timezone.now(),
            active=filters.get("active"),
            kinds=filters.get("kind"),
            natures=filters.get("nature"),
        )


# --- TileJSON ---------------------------------------------------------------------------------------


def community_bounds() -> list[float]:
    """[west, south, east, north] of the community's current boundary (the world without one)."""
    extent = CommunityBoundary.objects.current().aggregate(extent=Extent("geom"))["extent"]
    return [round(value, 6) for value in extent] if extent else list(WORLD_BOUNDS)


class TileJsonApi(PublicTileApi):
    """A layer's TileJSON 3.0.0 document: what QGIS, MapLibre and other clients need to open it."""

    layer: ClassVar[str]
    tile_url_name: ClassVar[str]
    filters_class: ClassVar[type[serializers.Serializer]]
    name: ClassVar = ""
    description: ClassVar = ""
    # [{"id": …, "description": …, "fields": {name: description}}]
    vector_layers: ClassVar[list[dict]] = []
    cache_seconds: ClassVar[int] = LONG_CACHE_SECONDS

    def get(self, request: Request) -> Response:
        validated(self.filters_class, request.query_params.dict())
        # The template's braces go in after build_absolute_uri, which would percent-encode them.
        first = request.build_absolute_uri(reverse(self.tile_url_name, kwargs={"z": 0, "x": 0, "y": 0}))
        url = first.removesuffix("/0/0/0.mvt") + "/{z}/{x}/{y}.mvt"
        query = request.META.get("QUERY_STRING", "")
        if query:
            url += "?" + query
        bounds = community_bounds()
        center_lat, center_lon = settings.OPENCITY_MAP_CENTER
        document = {
            "tilejson": "3.0.0",
            "name": str(self.name),
            "description": str(self.description),
            "version": "1.0.0",
            "scheme": "xyz",
            "tiles": [url],
            "minzoom": TILEJSON_MINZOOM,
            "maxzoom": TILEJSON_MAXZOOM,
            "bounds": bounds,
            "center": [center_lon, center_lat, settings.OPENCITY_MAP_ZOOM],
            "attribution": str(_("Open City")),
            "vector_layers": [
                {"minzoom": TILEJSON_MINZOOM, "maxzoom": TILEJSON_MAXZOOM, **layer} for layer in self.vector_layers
            ],
        }
        response = Response(document)
        response["Cache-Control"] = f"public, max-age={self.cache_seconds}"
        return response


@extend_schema_view(get=tilejson_schema("budget", [BudgetTileFilters]))
class BudgetTileJsonApi(TileJsonApi):
    layer = "budget"
    tile_url_name = "geo_api:tiles-budget"
    filters_class = BudgetTileFilters
    name = gettext_lazy("Budget works")
    description = gettext_lazy("Budget projects of the community: planned and running public works.")
    vector_layers = [
        {
            "id": "budget",
            "description": "Budget projects (points, lines or areas; one too small to draw at a zoom is a point).",
            "fields": {
                "id": "Number: the project's id (also the feature id); /budget/<id>/ is its page.",
                "code": "String: the project's stable code.",
                "title": "String: the title, in the request's language (Accept-Language).",
                "sector": "String: roads, lighting, education, parks, playgrounds, water, housing, transport, "
                "health, culture, sport, civil_protection or other.",
                "status": "String: planned, procurement, in_progress or done.",
                "budget_year": "Number: the budget year.",
            },
        }
    ]


@extend_schema_view(get=tilejson_schema("outages", [OutageTileFilters]))
class OutageTileJsonApi(TileJsonApi):
    layer = "outages"
    tile_url_name = "geo_api:tiles-outages"
    filters_class = OutageTileFilters
    cache_seconds = SHORT_CACHE_SECONDS
    name = gettext_lazy("Outages")
    description = gettext_lazy("Planned and emergency outages of water, electricity, gas and heating.")
    vector_layers = [
        {
            "id": "outages",
            "description": "Outage zones (areas).",
            "fields": {
                "id": "Number: the outage's id (also the feature id); /outages/<id>/ is its page.",
                "kind": "String: water, electricity, gas or heating.",
                "nature": "String: planned or emergency.",
                "state": "String: active, upcoming, ended or cancelled (at the time the tile was made).",
                "active": "Boolean: in force now.",
                "starts_at": "String: when it starts (ISO 8601, UTC).",
                "expected_end_at": "String: when the supply is expected back (ISO 8601, UTC), if known.",
                "ended_at": "String: when the provider closed it (ISO 8601, UTC), if closed.",
            },
        }
    ]
