from django.http import HttpRequest, HttpResponse
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from geo.sql import territory_feature_collection


@require_GET
def territory_geojson(request: HttpRequest) -> HttpResponse:
    """The community boundary and districts as GeoJSON, built by PostGIS."""
    body = territory_feature_collection(language=get_language() or "uk")
    return HttpResponse(body, content_type="application/geo+json")
