"""A small fixed-window rate limiter on Django's cache (the database cache by default, so every
web worker shares the counts)."""

from __future__ import annotations

import ipaddress
import time

from django.conf import settings
from django.core.cache import cache


def rate_limit_hit(*, key: str, limit: int, window_seconds: int) -> bool:
    """Count one hit for `key`; True when the limit for the current window is exceeded."""
    window = int(time.time() // window_seconds)
    cache_key = f"ratelimit:{key}:{window}"
    if cache.add(cache_key, 1, timeout=window_seconds + 5):
        return limit < 1
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.add(cache_key, 1, timeout=window_seconds + 5)
        count = 1
    return count > limit


def rate_limit_retry_after(*, window_seconds: int) -> int:
    """Seconds until the current fixed window ends (when a refused client may try again)."""
    return max(1, window_seconds - int(time.time()) % window_seconds)


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request) -> str:
    """The client's address, as the nearest proxy we trust saw it.

    Each proxy appends the address it received the request from to X-Forwarded-For, so only the
    right-most entries were written by our own proxies; anything to their left is whatever the
    client chose to send. With OPENCITY_TRUSTED_PROXIES = N (the number of our proxies in front of
    the application), the client is the N-th entry from the right. With none (the default) the
    header is ignored and the address is the connection's own (REMOTE_ADDR).
    """
    remote = request.META.get("REMOTE_ADDR", "")
    trusted = settings.OPENCITY_TRUSTED_PROXIES
    if trusted > 0:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if hops:
            # Fewer hops than proxies: the request skipped a proxy; the left-most is still theirs.
            address = _valid_ip(hops[-min(trusted, len(hops))])
            if address is not None:
                return address
    return remote
