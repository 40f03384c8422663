"""Background work through Django's tasks API with the database backend and its worker."""

import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.tasks import TaskResultStatus

from issues.services import TransitionInput, issue_transition
from issues.tasks import run_sla_sweep
from tests.world import TUESDAY_10

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.mark.django_db(transaction=True)
def test_notifications_wait_in_the_database_until_the_worker_runs(world, report, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_TASKS
    issue = report()
    assert mail.outbox == []
    waiting = DBTaskResult.objects.filter(task_path="issues.notifications.send_event_notifications")
    assert waiting.filter(status=TaskResultStatus.READY).count() == 1  # the `routed` event
    issue_transition(
        issue=issue,
        actor=world.roads_staff,
        action="accept",
        data=TransitionInput(promised_date=datetime.date(2030, 1, 1)),
        now=TUESDAY_10,
    )
    assert waiting.filter(status=TaskResultStatus.READY).count() == 2
    call_command("db_worker", "--batch", "--no-reload", verbosity=0)
    assert waiting.filter(status=TaskResultStatus.SUCCESSFUL).count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == [
        "citizen@example.org",  # routed
        "citizen@example.org",  # accepted
        "roads-staff@example.org",
        "roads@example.org",
    ]


@pytest.mark.django_db(transaction=True)
def test_the_sweep_task_runs_in_the_worker(world, report, settings):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = DATABASE_TASKS
    report(now=TUESDAY_10 - datetime.timedelta(days=60))
    run_sla_sweep.enqueue()
    call_command("db_worker", "--batch", "--no-reload", verbosity=0)
    result = DBTaskResult.objects.get(task_path="issues.tasks.run_sla_sweep")
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == {"breaches": 2, "escalations": 2, "closed": 0}


@pytest.mark.django_db
def test_the_sweep_command_runs_once(world, report, capsys):
    report(now=TUESDAY_10 - datetime.timedelta(days=60))
    call_command("opencity_sla_sweep")
    call_command("opencity_sla_sweep")
    assert capsys.readouterr().out.splitlines() == [
        "breaches: 2, escalations: 2, closed: 0",
        "breaches: 0, escalations: 0, closed: 0",
    ]
