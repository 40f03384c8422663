"""Read replicas: which reads may go to a streaming replica, and when the primary must answer.

With `DATABASE_REPLICA_URL` set, settings add a second database alias, `replica`. A read goes there
only when all of these hold, and to the primary otherwise:

- the request was marked for it: a GET or HEAD of a route named in `OPENCITY_REPLICA_ROUTES` (the
  map layers, feeds, Open311 reads, the dashboard and its exports; `ReplicaReadsMiddleware` sets a
  context variable), or code ran inside `replica_reads()`;
- the client did not write anything in the last `OPENCITY_REPLICA_STICKY_SECONDS` (a signed cookie
  set on every POST/PUT/PATCH/DELETE answer), so a citizen sees their own new report at once;
- no transaction is open on the primary (what a transaction reads must be what it writes against);
- the model is not one whose freshness matters for who the user is or what runs next (sessions,
  accounts and roles, API tokens, the cache of rate-limit counters, the task queue);
- the replica answered its last health check, at most `OPENCITY_REPLICA_CHECK_SECONDS` ago, with a
  replay lag under `OPENCITY_REPLICA_MAX_LAG_SECONDS`. A replica that is down or lagging is skipped
  until a later check finds it well again.

Every write goes to the primary. Raw SQL that only reads (the GeoJSON layers, the dashboard) asks
`reading_connection()` for its cursor, which applies the same rules.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.core.signing import BadSignature
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA_DB_ALIAS = "replica"
# The cookie that remembers a client's last write (a signed timestamp, nothing else).
WROTE_COOKIE = "oc_wrote"
WROTE_COOKIE_SALT = "opencity.dbrouter.wrote"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Apps whose rows must be current wherever they are read: who is signed in and with which role,
# API tokens and keys, rate-limit counters (the database cache), the task queue.
PRIMARY_ONLY_APPS = frozenset({"sessions", "auth", "authtoken", "accounts", "django_cache", "django_tasks_db"})

# How far behind the primary the replica is, in seconds. A replica that has replayed all the WAL it
# received is not behind, however old its last replayed transaction (an idle primary sends none).
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0)
END::float
"""

_replica_allowed: ContextVar[bool] = ContextVar("opencity_replica_allowed", default=False)


@dataclass
class _Health:
    checked_at: float = float("-inf")
    usable: bool = False


_health = _Health()
_health_lock = threading.Lock()


def replica_configured() -> bool:
    """True when a replica alias is configured (DATABASE_REPLICA_URL, or a test that added one)."""
    return REPLICA_DB_ALIAS in connections.settings


def replica_lag_seconds() -> float:
    """Ask the replica how far behind it is (raises DatabaseError when it cannot be reached)."""
    with connections[REPLICA_DB_ALIAS].cursor() as cursor:
        cursor.execute(LAG_SQL)
        return cursor.fetchone()[0]


def _probe() -> bool:
    try:
        lag = replica_lag_seconds()
    except DatabaseError as error:
        logger.warning("Read replica unreachable, reading from the primary: %s", error)
        with contextlib.suppress(DatabaseError):
            connections[REPLICA_DB_ALIAS].close()
        return False
    if lag > settings.OPENCITY_REPLICA_MAX_LAG_SECONDS:
        logger.warning("Read replica %.1f s behind, reading from the primary.", lag)
        return False
    return True


def replica_usable() -> bool:
    """Whether the replica may serve reads now: its health, checked at most every few seconds."""
    if not replica_configured():
        return False
    now = time.monotonic()
    if now - _health.checked_at < settings.OPENCITY_REPLICA_CHECK_SECONDS:
        return _health.usable
    with _health_lock:
        if now - _health.checked_at >= settings.OPENCITY_REPLICA_CHECK_SECONDS:
            _health.usable = _probe()
            _health.checked_at = time.monotonic()
        return _health.usable


def forget_replica_health() -> None:
    """Check the replica again at the next read (tests, and after an operator's change)."""
    with _health_lock:
        _health.checked_at = float("-inf")
        _health.usable = False


def reading_alias() -> str:
    """The alias a read-only query should use now: the replica when allowed and well, else the primary."""
    if not _replica_allowed.get() or not replica_configured():
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA_DB_ALIAS if replica_usable() else DEFAULT_DB_ALIAS


def reading_connection():
    """The connection for raw SQL that only reads (see reading_alias)."""
    return connections[reading_alias()]


@contextlib.contextmanager
def replica_reads(allowed: bool = True) -> Iterator[None]:
    """Let the reads inside this block go to the replica (outside a request: commands, tests)."""
    token = _replica_allowed.set(allowed)
    try:
        yield
    finally:
        _replica_allowed.reset(token)


class ReplicaRouter:
    """Django's database router: reads as reading_alias() says, writes and migrations on the primary."""

    def db_for_read(self, model, **hints) -> str:
        if model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        return reading_alias()

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replica is a copy of the primary: the same rows, the same relations

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


def _route_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else ""


def _route_allowed(view_name: str) -> bool:
    for pattern in settings.OPENCITY_REPLICA_ROUTES:
        if pattern.endswith(":*") and view_name.startswith(pattern[:-1]):
            return True
        if view_name == pattern:
            return True
    return False


def _wrote_recently(request) -> bool:
    try:
        wrote_at = float(request.get_signed_cookie(WROTE_COOKIE, salt=WROTE_COOKIE_SALT))
    except (KeyError, BadSignature, ValueError):
        return False
    return time.time() - wrote_at < settings.OPENCITY_REPLICA_STICKY_SECONDS


class ReplicaReadsMiddleware:
    """Mark the reads of replica routes for the replica, and remember each client's writes.

    After any POST/PUT/PATCH/DELETE the answer carries a signed cookie with the time; for
    OPENCITY_REPLICA_STICKY_SECONDS after it, that client's reads stay on the primary."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        token = _replica_allowed.set(False)
        try:
            response = self.get_response(request)
        finally:
            _replica_allowed.reset(token)
        if request.method not in SAFE_METHODS and replica_configured():
            response.set_signed_cookie(
                WROTE_COOKIE,
                f"{time.time():.3f}",
                salt=WROTE_COOKIE_SALT,
                max_age=settings.OPENCITY_REPLICA_STICKY_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs) -> None:
        if (
            request.method in ("GET", "HEAD")
            and replica_configured()
            and _route_allowed(_route_name(request))
            and not _wrote_recently(request)
        ):
            _replica_allowed.set(True)
