"""Open City behind PgBouncer in transaction mode: a gunicorn and a db_worker connect through a
PgBouncer pool of two server connections and serve a representative mix (reports, layers, the
queue and transitions, Open311, the dashboard, a rate-limited registration, the SLA sweep), and
the one thing transaction pooling breaks — a server-side cursor kept across transactions — is shown
failing, which is why DATABASE_BEHIND_PGBOUNCER turns them off."""

from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2
import pytest
import requests
from django.core.management import call_command
from django.db import connections
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from issues.models import Issue, IssueEvent, IssueEventKind
from issues.tasks import run_sla_sweep
from tests.factories import CENTRE_LAT, CENTRE_LON
from tests.ops.servers import ROOT, server_environment, start_gunicorn, start_pgbouncer

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def bouncer(django_db_setup, django_db_blocker):  # noqa: ARG001
    """PgBouncer (transaction mode, two server connections) in front of the test database."""
    from tests.ops import server_settings

    with django_db_blocker.unblock(), override_settings(CACHES=server_settings.CACHES):
        call_command("createcachetable", verbosity=0)
        primary = connections["default"].settings_dict
    if not str(primary["HOST"]).startswith("/"):
        pytest.skip("needs the suite's own PostgreSQL cluster (no DATABASE_URL)")
    # PgBouncer runs as `postgres`, which cannot enter pytest's private temporary directories.
    directory = Path(tempfile.mkdtemp(prefix="ocbouncer-", dir="/tmp"))
    directory.chmod(0o755)
    pgbouncer = start_pgbouncer(
        directory,
        server_host=primary["HOST"],
        server_port=primary["PORT"],
        database=primary["NAME"],
        pool_size=2,
    )
    try:
        yield pgbouncer, f"postgis://postgres@127.0.0.1:{pgbouncer.port}/{primary['NAME']}"
    finally:
        pgbouncer.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def web(bouncer, tmp_path_factory):
    """One gunicorn (two processes, four threads each: eight clients of the pool of two)."""
    _pgbouncer, url = bouncer
    server = start_gunicorn(
        "web-pgbouncer",
        tmp_path_factory.mktemp("web"),
        environment=server_environment(url, DATABASE_BEHIND_PGBOUNCER="1"),
        workers=2,
    )
    yield server
    server.stop()
    assert "Traceback" not in server.output(), server.output()


def token(base: str, username: str) -> dict:
    response = requests.post(
        f"{base}/api/v1/auth/token/", data={"username": username, "password": "secret-pass-123"}, timeout=10
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Token {response.json()['token']}"}


def test_requests_through_pgbouncer_in_transaction_mode(world, web):
    base = web.url
    with connections["default"].cursor() as cursor:
        cursor.execute("DELETE FROM opencity_cache")
    citizen, staff, dispatcher = token(base, "citizen"), token(base, "roads-staff"), token(base, "dispatcher")

    def report(number: int) -> requests.Response:
        body = {
            "category": "pothole",
            "description": f"Яма номер {number}",
            "location": {"type": "Point", "coordinates": [CENTRE_LON - 0.01 - number * 0.002, CENTRE_LAT]},
            "address": "вул. Стрийська, 3",
        }
        return requests.post(f"{base}/api/v1/issues/", json=body, headers=citizen, timeout=20)

    def read(path: str) -> requests.Response:
        return requests.get(f"{base}{path}", headers=dispatcher, timeout=20)

    reads = [
        "/api/v1/issues/",
        "/api/v1/outages/",
        "/api/v1/budget-projects/",
        "/open311/v2/requests.json",
        "/open311/v2/services.json",
        "/api/v1/dashboard/",
        "/geo/territory.geojson",
        "/",
    ] * 3
    with ThreadPoolExecutor(8) as pool:
        created = list(pool.map(report, range(6)))
        read_answers = list(pool.map(read, reads))
    assert [response.status_code for response in created] == [201] * 6, [r.text[:300] for r in created]
    assert [response.status_code for response in read_answers] == [200] * len(reads)

    queue = requests.get(f"{base}/api/v1/queue/", headers=staff, timeout=20).json()
    refs = {response.json()["ref"] for response in created}
    assert refs <= {item["ref"] for item in queue}
    tomorrow = (datetime.date.today() + datetime.timedelta(days=1)).isoformat()

    def accept(ref: str) -> int:
        return requests.post(
            f"{base}/api/v1/issues/{ref}/transition/",
            json={"action": "accept", "promised_date": tomorrow},
            headers=staff,
            timeout=20,
        ).status_code

    with ThreadPoolExecutor(6) as pool:
        assert list(pool.map(accept, sorted(refs))) == [200] * 6
    assert Issue.objects.filter(ref__in=refs, status="in_progress").count() == 6

    # The registration rate limit counts under an advisory transaction lock: exact through the pool.
    def register(number: int) -> int:
        session = requests.Session()
        session.get(f"{base}/accounts/register/", timeout=10)
        data = {
            "email": f"pooled{number}@example.org",
            "password": "a-long-password-1",
            "language": "uk",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        }
        return session.post(f"{base}/accounts/register/", data=data, allow_redirects=False, timeout=20).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = sorted(pool.map(register, range(12)))
    assert statuses == [302] * 10 + [429] * 2  # OPENCITY_REGISTRATIONS_PER_HOUR = 10


def test_the_worker_and_the_sla_sweep_through_pgbouncer(world, report, bouncer):
    _pgbouncer, url = bouncer
    issues = [report() for _ in range(4)]  # answer deadlines already passed
    sweeps = [run_sla_sweep.enqueue() for _ in range(3)]
    env = server_environment(url, DATABASE_BEHIND_PGBOUNCER="1")
    worker = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert worker.returncode == 0, worker.stdout + worker.stderr
    finished = DBTaskResult.objects.filter(id__in=[sweep.id for sweep in sweeps])
    assert {task.status for task in finished} == {"SUCCESSFUL"}, [task.traceback for task in finished]
    for issue in issues:
        assert IssueEvent.objects.filter(issue=issue, kind=IssueEventKind.SLA_BREACHED).count() == 1
    # Every task the sweep queued (e-mails to followers and dispatchers) ran too.
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()


def test_why_server_side_cursors_must_be_off_behind_pgbouncer(bouncer):
    """`.iterator()` without DISABLE_SERVER_SIDE_CURSORS declares a WITH HOLD cursor in one transaction
    and fetches from it in later ones. PgBouncer gives each transaction whichever server connection is
    free, and the cursor lives on the one that declared it."""
    pgbouncer, _url = bouncer
    database = connections["default"].settings_dict["NAME"]
    iterating = psycopg2.connect(host="127.0.0.1", port=pgbouncer.port, dbname=database, user="postgres")
    other = psycopg2.connect(host="127.0.0.1", port=pgbouncer.port, dbname=database, user="postgres")
    try:
        iterating.autocommit = True
        with iterating.cursor() as cursor:
            cursor.execute("DECLARE rows CURSOR WITH HOLD FOR SELECT generate_series(1, 10)")
        with other.cursor() as cursor:  # another client's transaction takes that server connection
            cursor.execute("SELECT 1")
        with pytest.raises(psycopg2.errors.InvalidCursorName), iterating.cursor() as cursor:
            cursor.execute("FETCH 5 FROM rows")
    finally:
        other.rollback()
        other.close()
        iterating.close()
