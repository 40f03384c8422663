"""Production-like processes for the ops tests: gunicorn with opencity.settings.production and
db_workers, against the test database of the throwaway cluster (committed data: these tests use
`transactional_db`). Everything listens on 127.0.0.1 and is stopped by the fixtures."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from opencity.localdb import LocalCluster

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_database_url() -> str:
    """DATABASE_URL of pytest-django's test database (a socket directory as the host)."""
    from django.db import connection

    settings = connection.settings_dict
    return f"postgis://{settings['USER']}@{quote(settings['HOST'], safe='')}:{settings['PORT']}/{settings['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def test_cluster() -> LocalCluster:
    """The session's throwaway cluster (tests/conftest.py), to stop and start it."""
    from django.db import connection

    socket_dir = Path(connection.settings_dict["HOST"])
    return LocalCluster(socket_dir.parent, int(connection.settings_dict["PORT"]))


test_cluster.__test__ = False


def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a production process in these tests (demo values, not secrets)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "OPENCITY_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="opencity.settings.production",
        DJANGO_SECRET_KEY="ops-test-key-not-a-secret",
        DATABASE_URL=test_database_url(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_COOKIES="0",
        DJANGO_LOG_LEVEL="WARNING",
        OPENCITY_MEDIA_ROOT=str(tmp_path / "media"),
        OPENCITY_STATIC_ROOT=str(tmp_path / "static"),
        OPENCITY_REPORTS_PER_HOUR="100000",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def wait_http(host: str, port: int, path: str = "/healthz", timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=2)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"nothing answered on {host}:{port}{path}")


class Gunicorn:
    def __init__(self, env: dict[str, str], bind: str) -> None:
        self.env, self.bind = env, bind
        self.log = Path(env["OPENCITY_MEDIA_ROOT"]).parent / f"gunicorn-{bind.replace('/', '_')}.log"
        self.process: subprocess.Popen | None = None

    def start(self) -> Gunicorn:
        self.process = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py", "opencity.wsgi"],
            cwd=ROOT,
            env={**self.env, "OPENCITY_BIND": self.bind},
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )
        return self

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.fixture
def production_server(transactional_db, tmp_path):
    """gunicorn (deploy/gunicorn.conf.py, production settings) on 127.0.0.1:<free port>."""
    env = production_env(tmp_path)
    manage(env, "createcachetable")  # the production cache (rate limits) is a database table
    port = free_port()
    server = Gunicorn(env, f"127.0.0.1:{port}").start()
    server.port = port
    try:
        wait_http("127.0.0.1", port)
        yield server
    finally:
        server.stop()
