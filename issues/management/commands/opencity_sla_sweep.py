import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import InterfaceError, OperationalError, connections
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from issues.services.sla import sla_sweep
from issues.tasks import run_registered_sweeps, run_sla_sweep
from opencity.taskqueue import task_queue_requeue_abandoned


class Command(BaseCommand):
    help = (
        "Record missed deadlines once, escalate them, and close fixes nobody disputed in time; then "
        "the passes other apps register in OPENCITY_SWEEPS (the appeals' terms). "
        "Without options: one pass now (for cron or a systemd timer). With --loop: enqueue a pass "
        "for the task worker every OPENCITY_SLA_SWEEP_SECONDS (or --every N), one waiting at a time."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="keep enqueuing passes for the task worker")
        parser.add_argument("--every", type=int, default=None, help="seconds between passes (implies --loop)")

    def handle(self, *args, loop: bool, every: int | None, **options) -> None:
        if not loop and every is None:
            now = timezone.now()
            result = sla_sweep(now=now)
            self.stdout.write(
                f"breaches: {result.breaches}, escalations: {result.escalations}, closed: {result.closed}"
            )
            for name, count in run_registered_sweeps(now=now).items():
                self.stdout.write(f"{name}: {count}")
            return

        interval = max(every or settings.OPENCITY_SLA_SWEEP_SECONDS, 1)
        self.stdout.write(f"Enqueuing the SLA sweep every {interval} s for the task worker.")
        while True:
            try:
                self._tick()
            except (OperationalError, InterfaceError) as error:
                # The database is away (a restart, a failover): wait and try again with a new
                # connection instead of dying; systemd would restart us, but there is no need.
                self.stderr.write(f"Database unavailable, retrying: {str(error).strip().splitlines()[0]}")
                connections.close_all()
            time.sleep(interval)

    def _tick(self) -> None:
        # Tasks whose worker died mid-run go back to the queue (opencity.taskqueue explains the lease).
        requeued = task_queue_requeue_abandoned(lease_seconds=settings.OPENCITY_TASK_LEASE_SECONDS)
        if requeued:
            self.stdout.write(f"Requeued {requeued} task(s) abandoned by a dead worker.")
        waiting = DBTaskResult.objects.filter(
            task_path=run_sla_sweep.module_path,
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        )
        if not waiting.exists():
            run_sla_sweep.enqueue()
