"""A small fixed-window rate limiter on Django's cache (the database cache by default, so every
web server and worker shares the counts)."""

from __future__ import annotations

import contextlib
import ipaddress
import random
import time
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction

from opencity.prepared import PreparedStatement

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


# The API throttles' sliding window (the algorithm of DRF's SimpleRateThrottle: the times of the
# requests let through in the last `duration` seconds; a request passes while there are fewer than
# `limit`, and only a request that passes is recorded) as one statement on opencity_rate_window
# (accounts migration 0005), atomic under concurrency: the row lock of the upsert serialises two
# workers counting one client. Answers the kept times, oldest first.
THROTTLE_WINDOW_SQL = """
INSERT INTO opencity_rate_window AS w (key, hits, expires_at)
VALUES (%(key)s, ARRAY[%(now)s]::float8[], to_timestamp(%(now)s + %(duration)s))
ON CONFLICT (key) DO UPDATE SET
    hits = (
        SELECT CASE WHEN count(*) < %(limit)s
            THEN coalesce(array_agg(h ORDER BY h), '{}') || %(now)s::float8
            ELSE array_agg(h ORDER BY h) END
        FROM unnest(w.hits) AS h
        WHERE h > %(now)s - %(duration)s
    ),
    expires_at = to_timestamp(%(now)s + %(duration)s)
RETURNING coalesce(w.hits, '{}')
"""
# Every API call runs it: prepared once per connection (opencity.prepared), its parse and plan took
# more than its run.
THROTTLE_WINDOW = PreparedStatement("rate_window", THROTTLE_WINDOW_SQL)
# Clients that stopped calling leave a row behind: about one request in this many sweeps them.
THROTTLE_SWEEP_EVERY = 1000


def throttle_uses_database() -> bool:
    """Whether the API throttles count in the database (the shared cache is the database cache);
    other caches (Redis, Memcached, local memory in tests) keep DRF's own cache-based counting."""
    return isinstance(caches["default"], DatabaseCache)


def throttle_window_hit(*, key: str, limit: int, duration: int, now: float) -> tuple[bool, list[float]]:
    """Count a request for `key` in a sliding window of `duration` seconds that lets `limit` through:
    (whether it passes, the times of the requests let through in the window, newest first)."""
    if limit < 1:
        return False, []
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        THROTTLE_WINDOW.execute(cursor, {"key": key, "limit": limit, "duration": duration, "now": now})
        hits = cursor.fetchone()[0]
        if random.randrange(THROTTLE_SWEEP_EVERY) == 0:  # noqa: S311 — not for security
            cursor.execute("DELETE FROM opencity_rate_window WHERE expires_at < now()")
    passed = bool(hits) and hits[-1] == now
    return passed, hits[::-1]


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
