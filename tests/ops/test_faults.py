"""Faults with the production configuration serving: PostgreSQL stopped in the middle of a stream
of reports, and a task worker killed in the middle of a task. Nothing is lost, nothing happens
twice, clients get 503 + Retry-After (never a 500), and everything recovers without a restart."""

from __future__ import annotations

import http.client
import json
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from django.db import connections
from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from accounts.access_tokens import access_token_issue
from issues.models import Issue, IssueEvent, NotificationDelivery
from issues.notifications import send_event_notifications
from issues.services.sla import sla_sweep
from opencity.taskqueue import task_queue_requeue_abandoned
from tests.factories import CENTRE_LAT, CENTRE_LON
from tests.ops.conftest import ROOT, VENV_BIN, manage, production_env, test_cluster
from tests.world import kyiv

pytestmark = pytest.mark.ops


def submit(port: int, token: str, key: str, number: int) -> tuple[int, dict, dict]:
    """POST one report (as tests/issues/test_api.py does), with its Idempotency-Key."""
    body = {
        "category": "pothole",
        "description": f"Яма №{number} біля зупинки",
        "location": {"type": "Point", "coordinates": [CENTRE_LON - 0.01, CENTRE_LAT]},
        "address": "вул. Стрийська, 3",
    }
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(
        "POST",
        "/api/v1/issues/",
        body=json.dumps(body),
        headers={"Content-Type": "application/json", "Authorization": f"Token {token}", "Idempotency-Key": key},
    )
    response = conn.getresponse()
    raw = response.read()
    conn.close()
    try:
        data = json.loads(raw)
    except ValueError:
        data = {"raw": raw[:300].decode(errors="replace")}
    return response.status, dict(response.getheaders()), data


def test_postgres_stopped_mid_stream_loses_no_report(world, production_server):
    token = access_token_issue(user=world.citizen)[1]
    port = production_server.port
    answers: dict[str, tuple[int, dict, dict]] = {}
    stop = threading.Event()

    def client(name: str) -> None:
        number = 0
        while not stop.is_set():
            number += 1
            key = f"{name}-{number:04d}"
            answers[key] = submit(port, token, key, number)
            if answers[key][0] == 503:
                time.sleep(0.25)  # a polite client waits (Retry-After, shortened for the test)

    cluster = test_cluster()
    connections.close_all()
    threads = [threading.Thread(target=client, args=(f"client{i}",)) for i in (1, 2)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.5)
        cluster.stop()  # fast shutdown: open transactions are rolled back, connections cut
        down_at = time.monotonic()
        time.sleep(3)
    finally:
        cluster.start(fast_unsafe=True)
    up_for = time.monotonic() - down_at
    time.sleep(2)
    stop.set()
    for thread in threads:
        thread.join()
    connections.close_all()

    statuses = [status for status, _headers, _data in answers.values()]
    created = {key for key, (status, _h, _d) in answers.items() if status == 201}
    refused = {key: answer for key, answer in answers.items() if answer[0] != 201}
    print(f"\n{len(answers)} submissions, {len(created)} × 201, {len(refused)} × 503; database down {up_for:.1f} s")
    assert set(statuses) <= {201, 503}, sorted(set(statuses))
    assert created and refused
    # Every 201 is stored, with the reference it was answered with.
    refs = {answers[key][2]["ref"] for key in created}
    assert set(Issue.objects.filter(ref__in=refs).values_list("ref", flat=True)) == refs
    for _status, headers, data in refused.values():
        assert headers.get("Retry-After") == "5"
        assert data["code"] == "unavailable" and "Traceback" not in json.dumps(data)
        assert len(headers.get("X-Request-ID", "")) >= 8
    # A retry with the same key succeeds; a key whose first try did commit is not stored twice.
    for key in refused:
        status, _headers, _data = submit(port, token, key, 0)
        assert status in (200, 201), (key, status, _data)
    assert Issue.objects.count() == len(answers)
    assert sorted(Issue.objects.values_list("idempotency_key", flat=True)) == sorted(answers)
    # The same gunicorn, never restarted, serves again.
    assert production_server.process.poll() is None
    assert submit(port, token, "after-the-fault", 1)[0] == 201


class_slow_mail = "tests.ops.slow_mail.SlowFileBackend"


def test_a_worker_killed_mid_task_sends_each_mail_once(transactional_db, world, report, tmp_path):
    issue = report()
    sla_sweep(now=kyiv(2026, 12, 2, 10, 1))  # the answer deadline passes: one escalation, 3 people
    escalation = IssueEvent.objects.get(issue=issue, kind="escalated")
    DBTaskResult.objects.all().delete()  # only the escalation's notification is under test
    task = send_event_notifications.enqueue(escalation.pk)
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = production_env(
        tmp_path,
        OPENCITY_EMAIL_BACKEND=class_slow_mail,
        OPENCITY_TEST_MAIL_DIR=str(mail_dir),
        OPENCITY_TEST_MAIL_DELAY="1.5",
    )
    worker = subprocess.Popen(
        [str(VENV_BIN / "python"), "manage.py", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "worker.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while not list(mail_dir.iterdir()) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # the first delivery is committed; the second is being "sent"
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    finally:
        if worker.poll() is None:
            worker.kill()
    assert len(list(mail_dir.iterdir())) == 1, (tmp_path / "worker.log").read_text()[-3000:]
    assert DBTaskResult.objects.get(id=task.id).status == TaskResultStatus.RUNNING  # abandoned
    assert NotificationDelivery.objects.filter(event=escalation).count() == 1

    # The sweep loop takes the task back after its lease; another worker runs it to the end.
    assert task_queue_requeue_abandoned(lease_seconds=0) == 1
    manage({**env, "OPENCITY_TEST_MAIL_DELAY": "0"}, "db_worker", "--batch", "--no-reload", "--no-startup-delay")
    assert DBTaskResult.objects.get(id=task.id).status == TaskResultStatus.SUCCESSFUL
    recipients = sorted(Path(name).read_text().splitlines()[0] for name in mail_dir.iterdir())
    assert recipients == ["dispatcher@example.org", "housing-staff@example.org", "housing@example.org"]
    assert NotificationDelivery.objects.filter(event=escalation).count() == 3
