"""Values every page template needs."""

from django.conf import settings
from django.http import HttpRequest


def opencity(request: HttpRequest) -> dict:
    return {
        "OPENCITY_TILE_URL": settings.OPENCITY_TILE_URL,
        "OPENCITY_TILE_ATTRIBUTION": settings.OPENCITY_TILE_ATTRIBUTION,
    }
