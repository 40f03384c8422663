"""Two web servers and two workers at once, as separate processes against one database: a session
made on one server works on the other, a rate limit counts across both, each queued task runs once,
and SLA sweeps running side by side record each missed deadline once."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from issues.models import IssueEvent, IssueEventKind
from issues.tasks import run_sla_sweep
from tests.ops.servers import database_url, server_environment, start_gunicorn, start_worker

pytestmark = pytest.mark.django_db(transaction=True)

REGISTRATIONS_PER_HOUR = 3


@pytest.fixture(scope="module")
def two_servers(django_db_setup, django_db_blocker, tmp_path_factory):  # noqa: ARG001
    """Two gunicorn instances on 127.0.0.1, started once for this module, counting rate limits in the
    database cache as in production (its table made here: the test settings use local memory)."""
    from tests.ops import server_settings

    with django_db_blocker.unblock(), override_settings(CACHES=server_settings.CACHES):
        call_command("createcachetable", verbosity=0)
        url = database_url(connections["default"].settings_dict)
    env = {"OPENCITY_REGISTRATIONS_PER_HOUR": str(REGISTRATIONS_PER_HOUR)}
    logs = tmp_path_factory.mktemp("servers")
    servers = []
    try:
        with ThreadPoolExecutor(2) as pool:  # both boot at once (each takes a couple of seconds)
            futures = [
                pool.submit(start_gunicorn, name, logs, environment=server_environment(url, **env), workers=1)
                for name in ("web-a", "web-b")
            ]
            for future in futures:
                servers.append(future.result())
        yield servers
    finally:
        for server in servers:
            server.stop()
    for server in servers:
        assert "Traceback" not in server.output(), server.output()


@pytest.fixture
def servers(two_servers, transactional_db):  # noqa: ARG001
    """The two servers, with no rate-limit counts left from an earlier test."""
    with connections["default"].cursor() as cursor:
        cursor.execute("DELETE FROM opencity_cache")
    return two_servers


def signed_in(base_url: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base_url}/accounts/login/", timeout=10)
    response = session.post(
        f"{base_url}/accounts/login/",
        data={"username": username, "password": password, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:500]
    return session


def test_a_session_made_on_one_server_works_on_the_other(world, servers):
    web_a, web_b = servers
    session = signed_in(web_a.url, "citizen", "secret-pass-123")
    mine = session.get(f"{web_b.url}/me/", allow_redirects=False, timeout=10)
    assert mine.status_code == 200
    anonymous = requests.get(f"{web_b.url}/me/", allow_redirects=False, timeout=10)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous.headers["Location"]
    # Signing out on B ends the session on A as well.
    session.post(
        f"{web_b.url}/accounts/logout/", data={"csrfmiddlewaretoken": session.cookies["csrftoken"]}, timeout=10
    )
    assert session.get(f"{web_a.url}/me/", allow_redirects=False, timeout=10).status_code == 302


def test_a_rate_limit_holds_across_servers_even_when_hit_at_once(world, servers):
    """Registrations per client address: eight at the same moment, four on each server, limit three."""
    web_a, web_b = servers
    attempts = []
    for number in range(8):
        base = (web_a, web_b)[number % 2].url
        session = requests.Session()
        session.get(f"{base}/accounts/register/", timeout=10)
        attempts.append((base, session, number))

    def register(attempt) -> int:
        base, session, number = attempt
        data = {
            "email": f"newcomer{number}@example.org",
            "password": "a-long-password-1",
            "first_name": "",
            "language": "uk",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        }
        return session.post(f"{base}/accounts/register/", data=data, allow_redirects=False, timeout=20).status_code

    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(register, attempts))
    assert statuses == [302] * REGISTRATIONS_PER_HOUR + [429] * (8 - REGISTRATIONS_PER_HOUR)


def test_two_workers_run_each_task_once_and_record_each_breach_once(world, report, tmp_path):
    # Issues reported on 1 December 2026 whose answer deadline (2 December, 10:00) has passed.
    issues = [report() for _ in range(6)]
    url = database_url(connections["default"].settings_dict)
    workers = [start_worker(name, url, tmp_path) for name in ("worker-a", "worker-b")]
    try:
        # Wait until both workers poll the queue, then give them many sweep passes at once.
        deadline = time.monotonic() + 60
        with connections["default"].cursor() as cursor:
            while time.monotonic() < deadline:
                cursor.execute(
                    "SELECT count(DISTINCT application_name) FROM pg_stat_activity "
                    "WHERE application_name IN ('worker-a', 'worker-b')"
                )
                if cursor.fetchone()[0] == 2:
                    break
                time.sleep(0.1)
            else:
                pytest.fail("the workers did not connect:\n" + "\n".join(w.output() for w in workers))
        results = [run_sla_sweep.enqueue() for _ in range(30)]
        ids = [result.id for result in results]
        deadline = time.monotonic() + 60
        while DBTaskResult.objects.filter(id__in=ids, finished_at__isnull=True).exists():
            assert time.monotonic() < deadline, "\n".join(worker.output() for worker in workers)
            time.sleep(0.1)
    finally:
        for worker in workers:
            worker.stop()

    finished = list(DBTaskResult.objects.filter(id__in=ids))
    assert len(finished) == 30
    assert {task.status for task in finished} == {"SUCCESSFUL"}
    assert all(len(task.worker_ids) == 1 for task in finished)  # each task was claimed once
    ran_by = {task.worker_ids[0] for task in finished}
    assert ran_by <= {"worker-a", "worker-b"}
    assert sum(task.return_value["breaches"] for task in finished) == len(issues)
    for issue in issues:
        assert IssueEvent.objects.filter(issue=issue, kind=IssueEventKind.SLA_BREACHED).count() == 1
        assert IssueEvent.objects.filter(issue=issue, kind=IssueEventKind.ESCALATED).count() == 1
