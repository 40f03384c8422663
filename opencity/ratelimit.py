"""A small fixed-window rate limiter on Django's cache (the database cache by default, so every
web worker shares the counts)."""

from __future__ import annotations

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


def client_ip(request) -> str:
    """The client's address: the first X-Forwarded-For hop when behind our proxy, else REMOTE_ADDR."""

    if settings.OPENCITY_TRUST_X_FORWARDED_FOR:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")
