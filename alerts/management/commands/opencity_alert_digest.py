"""Send the daily alert digests: run by a timer once a day (deploy/systemd/opencity-digest.timer)."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from alerts.delivery import alerts_send_digests, send_alert_digests


class Command(BaseCommand):
    help = (
        "Send each daily area alert the events not sent to its address yet (running it twice sends "
        "nothing twice). Without options: send now, in this process. With --enqueue: hand the pass to "
        "the task worker (db_worker), unless one is already waiting."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="let the task worker send the digests")

    def handle(self, *args, enqueue: bool, **options) -> None:
        if not enqueue:
            self.stdout.write(f"Digests sent: {alerts_send_digests()}")
            return
        waiting = DBTaskResult.objects.filter(
            task_path=send_alert_digests.module_path, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
        )
        if waiting.exists():
            self.stdout.write("A digest pass is already waiting for the worker.")
            return
        send_alert_digests.enqueue()
        self.stdout.write("Digest pass enqueued for the task worker.")
