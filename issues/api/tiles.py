"""The issue layer's vector tiles and TileJSON, on the shared machinery of geo/api/tiles.py."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view

from geo.api.tiles import TILE_PATH_PARAMETERS, TileApi, TileJsonApi, tile_responses, tilejson_schema
from geo.tiles import TileAddress
from issues.api.serializers import IssueListFilterInput
from issues.models import IssueStatus
from issues.sql import IssueLayerFilter
from issues.tiles import issue_tile
from opencity.errors import InvalidInput
from opencity.openapi import comma_list_pattern


class IssueTileFilters(IssueListFilterInput):
    """The issue layer's filters that make sense for a public, cached tile: status, category,
    group, district, executor. Codes are checked by the tile's own statement (issues/tiles.py)."""

    bbox = None
    mine = None
    budget_project = None
    near_budget_project = None
    limit = None

    def _known_codes(self, value: str, model, message) -> list[str]:
        return [item.strip() for item in (value or "").split(",") if item.strip()]

    @staticmethod
    def layer_filter(data: dict) -> IssueLayerFilter:
        return IssueLayerFilter(
            statuses=data.get("status") or [],
            category_codes=data.get("category") or [],
            group_codes=data.get("group") or [],
            district_codes=data.get("district") or [],
            executor_codes=data.get("executor") or [],
        )


UNKNOWN_MESSAGES = {
    "category": gettext_lazy("Unknown category: %(codes)s."),
    "group": gettext_lazy("Unknown category group: %(codes)s."),
    "district": gettext_lazy("Unknown district: %(codes)s."),
    "executor": gettext_lazy("Unknown executor: %(codes)s."),
}
CODES = "Comma-separated codes; an unknown code is refused with 400 (`fields` names it)."
ISSUE_TILE_PARAMETERS = [
    OpenApiParameter(
        "status",
        str,
        pattern=comma_list_pattern(["open", "closed", *IssueStatus.values]),
        description="Comma-separated statuses, or `open` / `closed` for the groups.",
    ),
    OpenApiParameter("category", str, description="Category codes. " + CODES),
    OpenApiParameter("group", str, description="Category group codes. " + CODES),
    OpenApiParameter("district", str, description="District codes. " + CODES),
    OpenApiParameter("executor", str, description="Executor codes. " + CODES),
]
ISSUE_FIELDS = {
    "ref": "String: the public reference (DRH-2026-000123); /issues/<ref>/ is its page.",
    "status": "String: new, assigned, in_progress, planned, resolved, closed, rejected or duplicate.",
    "category": "String: the category's code (GET /api/v1/categories/).",
    "group": "String: the category group's code.",
    "overdue": "Boolean: past its response or resolution deadline while that clock runs.",
}
CELL_FIELDS = {
    "count": "Number: issues in the cell matching the filter (exact).",
    "open": "Number: of them, open (new, assigned, in_progress, planned).",
    "overdue": "Number: of them, overdue.",
}


@extend_schema_view(
    get=extend_schema(
        tags=["tiles"],
        summary="Public issues (vector tile)",
        operation_id="tiles_issues",
        parameters=[*TILE_PATH_PARAMETERS, *ISSUE_TILE_PARAMETERS],
        responses=tile_responses(
            "A Mapbox Vector Tile: the layer `issues` with every matching public issue in the tile, or — when "
            "more than OPENCITY_TILE_MAX_FEATURES match — the layer `issue_cells`, a grid of cells with exact "
            "counts (`count`, `open`, `overdue`)."
        ),
    )
)
class IssueTileApi(TileApi):
    """GET /api/v1/tiles/issues/<z>/<x>/<y>.mvt?status=&category=&group=&district=&executor=."""

    filters_class = IssueTileFilters

    def tile_content(self, *, tile: TileAddress, filters: dict) -> bytes:
        answer = issue_tile(
            tile=tile,
            filters=IssueTileFilters.layer_filter(filters),
            now=timezone.now(),
            max_features=settings.OPENCITY_TILE_MAX_FEATURES,
            cells=settings.OPENCITY_TILE_GRID_CELLS,
        )
        if answer.unknown_codes:
            raise InvalidInput(
                _("The request has invalid fields."),
                fields={
                    name: [str(UNKNOWN_MESSAGES[name] % {"codes": ", ".join(codes)})]
                    for name, codes in answer.unknown_codes.items()
                },
            )
        return answer.content


@extend_schema_view(get=tilejson_schema("issues", ISSUE_TILE_PARAMETERS))
class IssueTileJsonApi(TileJsonApi):
    layer = "issues"
    tile_url_name = "api:tiles-issues"
    filters_class = IssueTileFilters
    cache_seconds = 60
    name = gettext_lazy("City problems")
    description = gettext_lazy("Public reports of city problems, with their status and category.")
    vector_layers = [
        {
            "id": "issues",
            "description": "Public issues (points), when a tile holds few enough.",
            "fields": ISSUE_FIELDS,
        },
        {
            "id": "issue_cells",
            "description": "Instead of `issues` in a dense tile: a grid of cells, each a point at the centre of "
            "its issues, with exact counts.",
            "fields": CELL_FIELDS,
        },
    ]
