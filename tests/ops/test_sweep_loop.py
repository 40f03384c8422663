"""The SLA sweep loop (`opencity_sla_sweep --loop`) outlives a database outage and takes back tasks
abandoned by a dead worker."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from issues.management.commands.opencity_sla_sweep import Command
from issues.tasks import run_sla_sweep


class _Stop(Exception):
    pass


def _run_loop(passes: int) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    sleeps = iter(range(passes - 1))

    def sleep(_seconds):
        if next(sleeps, None) is None:
            raise _Stop

    with mock.patch("issues.management.commands.opencity_sla_sweep.time.sleep", sleep), pytest.raises(_Stop):
        call_command("opencity_sla_sweep", "--loop", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_loop_waits_out_a_database_outage():
    calls = []

    def tick(self):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("could not connect to server: No such file or directory")

    with mock.patch.object(Command, "_tick", tick):
        _out, err = _run_loop(passes=2)
    assert len(calls) == 2  # the second pass ran after the failed one
    assert "Database unavailable, retrying: could not connect to server" in err


@pytest.mark.django_db
def test_the_loop_requeues_abandoned_tasks_and_enqueues_one_sweep(settings):
    settings.OPENCITY_TASK_LEASE_SECONDS = 60
    abandoned = run_sla_sweep.enqueue()
    DBTaskResult.objects.filter(id=abandoned.id).update(
        status=TaskResultStatus.RUNNING, started_at=timezone.now() - timedelta(seconds=61)
    )
    out, _err = _run_loop(passes=1)
    assert "Requeued 1 task(s) abandoned by a dead worker." in out
    # The requeued pass is the one waiting: no second one is enqueued beside it.
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == [TaskResultStatus.READY]
