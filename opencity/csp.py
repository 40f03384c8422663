"""The Content-Security-Policy every page is served with (Django's own CSP support).

Only this site's own scripts run: a script element needs to come from this origin, or carry the
request's nonce (django-leaflet's form widgets render their set-up inline with it). No inline
styles or `style` attributes at all; JavaScript may still set `element.style`, which CSP allows
and Leaflet relies on. Pictures may also come from the configured tile server and the media
bucket; nothing may frame the site, and forms post only to it.

Settings import this module, so it reads no settings: the origins come in as arguments.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.utils.csp import CSP


def origin_of(url: str) -> str | None:
    """`https://host[:port]` of a URL or URL template; a tile server's `{s}` subdomain placeholder
    becomes CSP's `*.` wildcard. None for an empty or relative URL."""
    if not url:
        return None
    parts = urlsplit(url.replace("{s}.", "WILDCARD."))
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc.replace('WILDCARD.', '*.')}"


def media_origins(*, bucket: str, endpoint_url: str, public_url: str) -> list[str]:
    """Where issue pictures and videos are fetched from when they live in an S3 bucket: its public
    address or CDN, else the endpoint the signed URLs point at, else AWS itself."""
    if not bucket:
        return []
    for url in (public_url, endpoint_url):
        if origin := origin_of(url):
            return [origin]
    return ["https://*.amazonaws.com"]


def content_security_policy(*, tile_url: str, media: list[str]) -> dict[str, list[str]]:
    """The SECURE_CSP setting for a site whose base map comes from `tile_url` and whose media may be
    served from the `media` origins besides the site itself."""
    tiles = [origin] if (origin := origin_of(tile_url)) else []
    return {
        "default-src": [CSP.SELF],
        "script-src": [CSP.SELF, CSP.NONCE],
        "style-src": [CSP.SELF],
        # data: for Leaflet's and Swagger UI's inline icons; blob: for the report form's previews.
        "img-src": [CSP.SELF, "data:", "blob:", *tiles, *media],
        "media-src": [CSP.SELF, "blob:", *media],
        "connect-src": [CSP.SELF],
        "font-src": [CSP.SELF],
        "worker-src": [CSP.SELF],
        "manifest-src": [CSP.SELF],
        "object-src": [CSP.NONE],
        "base-uri": [CSP.SELF],
        "form-action": [CSP.SELF],
        "frame-ancestors": [CSP.NONE],
    }
