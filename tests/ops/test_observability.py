"""Request ids, the per-request JSON log line, /healthz, /readyz, and 503 when the database is away
(in-process; tests/ops/test_faults.py does it for real against gunicorn and a stopped PostgreSQL)."""

import json
import logging
from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from issues.models import Issue
from issues.tasks import run_sla_sweep
from opencity.logformat import JsonFormatter, request_id_from
from opencity.taskqueue import task_queue_requeue_abandoned
from tests.factories import CENTRE_LAT, CENTRE_LON

POINT = {"type": "Point", "coordinates": [CENTRE_LON - 0.01, CENTRE_LAT]}


def test_request_id_taken_from_a_valid_header_else_made():
    assert request_id_from("abc-123_XYZ.9") == "abc-123_XYZ.9"
    for bad in (None, "", "short", "has space inside", "x" * 129, "new\nline-injected"):
        made = request_id_from(bad)
        assert made != bad and len(made) == 32


def test_healthz_answers_without_the_database(client):
    # No django_db mark: any query here would fail the test.
    response = client.get("/healthz", headers={"x-request-id": "probe-000001"})
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response["X-Request-ID"] == "probe-000001"
    assert "no-cache" in response["Cache-Control"]


def test_every_request_is_logged_as_one_json_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="opencity.request"):
        response = client.get("/healthz")
    records = [r for r in caplog.records if r.name == "opencity.request"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert {k: line[k] for k in ("method", "path", "status", "user_role", "request_id", "logger")} == {
        "method": "GET",
        "path": "/healthz",
        "status": 200,
        "user_role": "unknown",  # /healthz never loads the user
        "request_id": response["X-Request-ID"],
        "logger": "opencity.request",
    }
    assert isinstance(line["duration_ms"], float)


@pytest.mark.django_db
def test_the_log_line_names_the_role(world, caplog):
    client = APIClient()
    client.force_authenticate(world.dispatcher)
    with caplog.at_level(logging.INFO, logger="opencity.request"):
        client.get("/api/v1/issues/queue/")
    (record,) = [r for r in caplog.records if r.name == "opencity.request"]
    assert record.user_role == "dispatcher"


@pytest.mark.django_db
def test_readyz_needs_a_worker_that_finished_something_recently(client):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["migrations"] == {"ok": True}
    assert body["checks"]["worker"]["ok"] is False  # nothing ever finished
    assert response["Retry-After"] == "5"

    result = run_sla_sweep.enqueue()
    DBTaskResult.objects.filter(id=result.id).update(status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now())
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "ok"


@pytest.mark.django_db
def test_readyz_sees_a_stuck_queue(client, settings):
    done = run_sla_sweep.enqueue()
    DBTaskResult.objects.filter(id=done.id).update(status=TaskResultStatus.SUCCESSFUL, finished_at=timezone.now())
    waiting = run_sla_sweep.enqueue()
    DBTaskResult.objects.filter(id=waiting.id).update(enqueued_at=timezone.now() - timedelta(minutes=11))
    body = client.get("/readyz").json()
    assert body["checks"]["queue"]["ok"] is False
    assert body["checks"]["queue"]["oldest_waiting_seconds"] >= 660


@pytest.mark.django_db
def test_a_task_running_past_its_lease_goes_back_to_the_queue():
    fresh, stale = run_sla_sweep.enqueue(), run_sla_sweep.enqueue()
    now = timezone.now()
    DBTaskResult.objects.filter(id=fresh.id).update(status=TaskResultStatus.RUNNING, started_at=now)
    DBTaskResult.objects.filter(id=stale.id).update(
        status=TaskResultStatus.RUNNING, started_at=now - timedelta(seconds=901)
    )
    assert task_queue_requeue_abandoned(lease_seconds=900) == 1
    assert DBTaskResult.objects.get(id=stale.id).status == TaskResultStatus.READY
    assert DBTaskResult.objects.get(id=fresh.id).status == TaskResultStatus.RUNNING


@pytest.mark.django_db
def test_database_errors_in_an_api_view_are_503_with_retry_after(world):
    client = APIClient()
    client.force_authenticate(world.citizen)
    body = {"category": "pothole", "description": "Яма", "location": POINT}
    with mock.patch("issues.api.views.issue_create", side_effect=OperationalError("server closed the connection")):
        response = client.post("/api/v1/issues/", body, format="json", headers={"x-request-id": "client-req-42"})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["X-Request-ID"] == "client-req-42"
    assert response.json()["code"] == "unavailable"
    assert Issue.objects.count() == 0


@pytest.mark.django_db
def test_database_errors_outside_views_are_503_pages(client):
    client.raise_request_exception = False
    client.cookies["sessionid"] = "x" * 32
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore._get_session_from_db",
        side_effect=OperationalError("could not connect to server"),
    ):
        page = client.get("/accounts/login/")
    with mock.patch("open311.queries.open311_services", side_effect=OperationalError("connection refused")):
        open311 = client.get("/open311/v2/services.json")
    assert page.status_code == 503
    assert page["Retry-After"] == "5"
    assert page["Content-Type"].startswith("text/html")
    assert page["X-Request-ID"].encode() in page.content
    assert b"Traceback" not in page.content
    assert open311.status_code == 503
    assert open311.json()[0]["code"] == 503


@pytest.mark.django_db
def test_other_errors_are_500s_with_the_request_id_and_no_traceback(client):
    client.raise_request_exception = False
    with mock.patch("open311.queries.open311_services", side_effect=RuntimeError("a bug")):
        open311 = client.get("/open311/v2/services.json", headers={"x-request-id": "bug-report-0001"})
    assert open311.status_code == 500
    assert open311.json() == [{"code": 500, "description": "Server error.", "request_id": "bug-report-0001"}]


def test_a_lost_database_met_in_a_middleware_still_names_the_request():
    """The 500 handler answers a database failure met outside the views (a middleware reading the
    session) with the 503, and that answer carries the request id too."""
    from django.db import OperationalError
    from django.test import RequestFactory

    from opencity.handlers import server_error

    request = RequestFactory().post("/api/v1/issues/")
    request.request_id = "abcdef0123456789"
    try:
        raise OperationalError("connection refused")
    except OperationalError:
        response = server_error(request)
    assert (response.status_code, response["X-Request-ID"], response["Retry-After"]) == (503, "abcdef0123456789", "5")
