"""A few seconds of the load test (scripts/loadtest.py, locust as a library) against a real gunicorn:
the scenario's every route answers and none with a 5xx. The one-minute run is `make load`."""

from __future__ import annotations

import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connections

from tests.ops.servers import ROOT, database_url, server_environment, start_gunicorn

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_short_load_run_has_no_errors(world, report, tmp_path):
    for _ in range(3):
        report()  # something on the map for the browsing citizens to open
    # The servers' cache is the database (shared throttle and rate-limit counts), as in production.
    call_command("createcachetable", verbosity=0)
    server = start_gunicorn(
        "web-load",
        tmp_path,
        environment=server_environment(
            database_url(connections["default"].settings_dict), OPENCITY_REPORTS_PER_HOUR="100000"
        ),
        workers=1,
    )
    try:
        run = subprocess.run(  # noqa: S603
            [
                sys.executable,
                "scripts/loadtest.py",
                f"--url={server.url}",
                "--duration=4",
                "--users=6",
                "--spawn-rate=6",
                "--max-requests=300",
                "--citizens=citizen,neighbour",
                "--citizen-password=secret-pass-123",
                "--executors=roads-staff",
                "--executor-password=secret-pass-123",
                "--categories=pothole",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        server.stop()
    assert run.returncode == 0, run.stdout + run.stderr
    assert "5xx answers: 0;" in run.stdout
    assert "or no answer): 0" in run.stdout, run.stdout
    assert "| GET /api/v1/issues/?bbox (map layer) |" in run.stdout
    assert "Traceback" not in server.output(), server.output()
