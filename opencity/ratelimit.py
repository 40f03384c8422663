"""A small fixed-window rate limiter on Django's cache (the database cache by default, so every
web server and worker shares the counts)."""

from __future__ import annotations

import contextlib
import ipaddress
import time
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction

# The first key of the advisory locks taken here ("RL"), so they never meet another module's locks.
RATE_LIMIT_LOCK_CLASS = 0x524C


@contextlib.contextmanager
def _counting_alone(cache, cache_key: str) -> Iterator[None]:
    """Serialise the counting of one key across every process that shares the database cache.

    The database cache's `incr` reads the value and writes it back: two servers counting the same key
    at the same moment would both write n + 1 and the limit would let more through. A transaction-level
    advisory lock on the key makes the read and the write one step (it also works behind PgBouncer in
    transaction mode, unlike a session-level lock). Other caches count atomically by themselves
    (Redis, Memcached) or are per process anyway (local memory, for tests)."""
    if not isinstance(cache, DatabaseCache):
        yield
        return
    alias = router.db_for_write(cache.cache_model_class)
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [RATE_LIMIT_LOCK_CLASS, cache_key])
        yield


def rate_limit_hit(*, key: str, limit: int, window_seconds: int) -> bool:
    """Count one hit for `key`; True when the limit for the current window is exceeded."""
    cache = caches["default"]
    window = int(time.time() // window_seconds)
    cache_key = f"ratelimit:{key}:{window}"
    with _counting_alone(cache, cache_key):
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
