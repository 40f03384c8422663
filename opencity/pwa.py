"""The installable app: the web app manifest and the service worker (served from the site root so
its scope is the whole site).

The worker keeps an offline copy of the map (the shell, `issues:offline`, rendered for nobody in
particular) and the static assets; it never stores an API answer or a page with personal data. Its
cache name is tied to the static files: the manifest's hash under ManifestStaticFilesStorage
(production, so a deploy replaces the cache), the assets' contents otherwise.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.http import require_safe

THEME_COLOUR = "#0b5394"
ICONS = (("icons/icon-192.png", 192), ("icons/icon-512.png", 512))

# Static files the offline map needs before anything else (the worker adds whatever else the shell
# page links to). Paths as given to static(); leaflet's own come from django-leaflet.
SHELL_ASSETS = (
    "css/opencity.css",
    "css/layers.css",
    "leaflet/leaflet.css",
    "leaflet/leaflet.extras.css",
    "leaflet/leaflet.extras.js",
    "leaflet/images/marker-icon.png",
    "leaflet/images/marker-icon-2x.png",
    "leaflet/images/marker-shadow.png",
    "leaflet/images/layers.png",
    "leaflet/images/layers-2x.png",
    "js/map.js",
    "js/issues-map.js",
    "js/layers.js",
    "js/draft-store.js",
    "js/report.js",
    "js/pwa.js",
    *(path for path, _size in ICONS),
)

# Never answered from the cache, whatever they are: the APIs, personal and staff pages, media.
NETWORK_ONLY_PREFIXES = (
    "/api/",
    "/me/",
    "/admin/",
    "/queue/",
    "/dispatch/",
    "/dashboard/",
    "/accounts/",
    "/outages/manage/",
    "/open311/",
    "/media/",
    "/issues/",
    "/i18n/",
    "/alerts/",  # one's area alerts, their unsubscribe links and feeds
)


def _leaflet_script() -> str:
    """The Leaflet build django-leaflet's {% leaflet_js %} links (the source one in template debug)."""
    debug = (settings.TEMPLATES[0].get("OPTIONS") or {}).get("debug", False)
    return "leaflet/leaflet-src.js" if debug else "leaflet/leaflet.js"


def shell_assets() -> list[str]:
    """The URLs (hashed under the manifest storage) the worker stores when it installs."""
    return [static(path) for path in (*SHELL_ASSETS, _leaflet_script())]


def static_version() -> str:
    """A short fingerprint of the static files: a deploy that changes them changes the cache name."""
    manifest_hash = getattr(staticfiles_storage, "manifest_hash", "")
    digest = hashlib.sha256()
    if manifest_hash:
        digest.update(manifest_hash.encode())
    else:
        # No manifest (development, tests): the listed assets' own contents.
        for path in (*SHELL_ASSETS, _leaflet_script()):
            found = finders.find(path)
            digest.update(path.encode())
            if found:
                digest.update(Path(found).read_bytes())
    digest.update("\n".join(shell_assets()).encode())
    return digest.hexdigest()[:16]


@require_safe
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: what a phone needs to put Open City on its home screen."""
    body = {
        "name": "Відкрите місто",
        "short_name": "Відкрите місто",
        "description": "Повідомлення про проблеми міста на карті: ями, освітлення, вода, сміття.",
        "lang": "uk",
        "dir": "ltr",
        "id": "/",
        "start_url": "/?source=app",
        "scope": "/",
        "display": "standalone",
        "orientation": "any",
        "theme_color": THEME_COLOUR,
        "background_color": "#ffffff",
        "icons": [
            {"src": static(path), "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any maskable"}
            for path, size in ICONS
        ],
    }
    response = JsonResponse(body, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker script, from the site root (scope "/"), revalidated on every check so a
    deploy reaches phones at once."""
    config = {
        "version": static_version(),
        "staticUrl": settings.STATIC_URL,
        "shellUrl": reverse("issues:offline"),
        "issuesUrl": reverse("api:issues"),  # where Background Sync sends a queued report
        "draftStore": static("js/draft-store.js"),
        "assets": shell_assets(),
        "networkOnly": list(NETWORK_ONLY_PREFIXES),
    }
    body = render_to_string("pwa/sw.js", {"config": json.dumps(config, ensure_ascii=False, indent=2)})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = "/"
    return response
