"""`/healthz` (liveness) and `/readyz` (readiness), for load balancers, systemd and monitoring.

- `/healthz` answers 200 as long as the process serves requests. It touches neither the database
  nor the session, so a database outage never makes the process look dead (restarting it would
  not help).
- `/readyz` answers 200 only when the database answers within OPENCITY_READY_DB_TIMEOUT_MS, every
  migration is applied, the task worker finished a task within OPENCITY_READY_WORKER_MINUTES and no
  runnable task has waited longer than OPENCITY_READY_QUEUE_MINUTES; otherwise 503 with the failing
  checks named. Both answer JSON and are never cached.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from opencity.observability import DATABASE_UNAVAILABLE
from opencity.taskqueue import task_queue_health

# Once every migration was seen applied it stays so for this process (new migrations come with a
# new release, which restarts the process), so the migration graph is loaded only until then.
_migrations_applied = False


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers."""
    return JsonResponse({"status": "ok"})


def _check_database() -> dict:
    started = time.perf_counter()
    connection = connections[DEFAULT_DB_ALIAS]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL statement_timeout = %s", [settings.OPENCITY_READY_DB_TIMEOUT_MS])
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}


def _check_migrations() -> dict:
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            return {"ok": False, "pending": len(pending)}
        _migrations_applied = True
    return {"ok": True}


def _check_tasks() -> tuple[dict, dict]:
    now = timezone.now()
    health = task_queue_health(now=now)
    worker_limit = settings.OPENCITY_READY_WORKER_MINUTES * 60
    queue_limit = settings.OPENCITY_READY_QUEUE_MINUTES * 60
    since_finished = (now - health.last_finished_at).total_seconds() if health.last_finished_at else None
    waited = (now - health.oldest_waiting_since).total_seconds() if health.oldest_waiting_since else 0.0
    worker = {
        "ok": since_finished is not None and since_finished <= worker_limit,
        "last_task_finished_seconds_ago": round(since_finished) if since_finished is not None else None,
        "limit_seconds": worker_limit,
    }
    queue = {
        "ok": waited <= queue_limit,
        "oldest_waiting_seconds": round(waited),
        "running": health.running,
        "limit_seconds": queue_limit,
    }
    return worker, queue


@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: database, migrations, worker, queue; 200 when all are fine, else 503."""
    checks: dict[str, dict] = {}
    try:
        checks["database"] = _check_database()
        checks["migrations"] = _check_migrations()
        checks["worker"], checks["queue"] = _check_tasks()
    except DATABASE_UNAVAILABLE as error:
        checks["database"] = {"ok": False, "error": str(error).strip().splitlines()[0] if str(error) else "error"}
    ok = all(check["ok"] for check in checks.values())
    response = JsonResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status=200 if ok else 503)
    if not ok:
        response["Retry-After"] = "5"
    return response
