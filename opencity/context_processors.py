"""Values every page template needs."""

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.roles import user_executor, user_is_dispatcher, user_is_leadership


def _viewer_roles(request: HttpRequest) -> dict:
    user = request.user
    return {
        "executor": user_executor(user),
        "dispatcher": user_is_dispatcher(user),
        "leadership": user_is_leadership(user),
    }


def opencity(request: HttpRequest) -> dict:
    """Settings the pages use, and what the viewer may see in the menu (computed when used)."""
    return {
        "viewer_roles": SimpleLazyObject(lambda: _viewer_roles(request)),
        "OPENCITY_TILE_URL": settings.OPENCITY_TILE_URL,
        "OPENCITY_TILE_ATTRIBUTION": settings.OPENCITY_TILE_ATTRIBUTION,
    }
