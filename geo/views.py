from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from geo.sql import territory_feature_collection


@require_GET
def map_page(request: HttpRequest) -> HttpResponse:
    """The full-screen map of the community."""
    map_config = {
        "center": settings.OPENCITY_MAP_CENTER,
        "zoom": settings.OPENCITY_MAP_ZOOM,
        "tileUrl": settings.OPENCITY_TILE_URL,
        "tileAttribution": settings.OPENCITY_TILE_ATTRIBUTION,
        "territoryUrl": reverse("geo:territory"),
    }
    return render(request, "geo/map.html", {"map_config": map_config})


@require_GET
def territory_geojson(request: HttpRequest) -> HttpResponse:
    """The community boundary and districts as GeoJSON, built by PostGIS."""
    body = territory_feature_collection(language=get_language() or "uk")
    return HttpResponse(body, content_type="application/geo+json")
