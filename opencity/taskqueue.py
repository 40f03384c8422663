"""The health of the database task queue (django-tasks-db), and taking back abandoned tasks.

django-tasks-db keeps one row per task. A worker claims a row (status RUNNING) and writes the
result when done; it keeps no heartbeat, and a worker killed mid-task leaves its row RUNNING for
ever. So:
- the worker's sign of life is the newest *finished* task: the SLA sweep loop enqueues a pass every
  OPENCITY_SLA_SWEEP_SECONDS, so a live worker finishes something at least that often;
- the queue is stuck when a task ready to run has waited longer than OPENCITY_READY_QUEUE_MINUTES;
- a task RUNNING for longer than OPENCITY_TASK_LEASE_SECONDS is taken to be abandoned (its worker
  died) and is made READY again, so another worker runs it. Tasks must therefore be idempotent
  (issues.notifications records what it sent); the lease must exceed the longest task (media
  processing is bounded by OPENCITY_FFMPEG_TIMEOUT_SECONDS per ffmpeg run).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Max, Min, Q
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max


@dataclass(frozen=True)
class TaskQueueHealth:
    last_finished_at: datetime | None
    oldest_waiting_since: datetime | None
    running: int


def task_queue_health(*, now: datetime | None = None) -> TaskQueueHealth:
    """When a task last finished, since when the oldest runnable task waits, how many run."""
    now = now or timezone.now()
    finished = DBTaskResult.objects.filter(status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED]).aggregate(
        last=Max("finished_at")
    )
    waiting = DBTaskResult.objects.filter(
        Q(run_after=get_date_max()) | Q(run_after__lte=now), status=TaskResultStatus.READY
    ).aggregate(oldest=Min("enqueued_at"))
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count()
    return TaskQueueHealth(last_finished_at=finished["last"], oldest_waiting_since=waiting["oldest"], running=running)


def task_queue_requeue_abandoned(*, lease_seconds: int, now: datetime | None = None) -> int:
    """Make tasks RUNNING for longer than the lease READY again (their worker died); returns how many."""
    cutoff = (now or timezone.now()) - timedelta(seconds=lease_seconds)
    return DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lt=cutoff).update(
        status=TaskResultStatus.READY
    )
