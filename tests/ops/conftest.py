"""Fixtures of the ops tests. Production-like processes: gunicorn with opencity.settings.production and
db_workers, against the test database of the throwaway cluster (committed data: these tests use
`transactional_db`). Everything listens on 127.0.0.1 and is stopped by the fixtures. And a real streaming replica of
the suite's PostgreSQL cluster, with helpers to wait for it."""

from __future__ import annotations

import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from opencity.dbrouter import REPLICA_DB_ALIAS, forget_replica_health
from opencity.localdb import DEFAULT_PORT, LocalCluster, _running_as_root
from tests.ops.servers import ROOT, database_url, start_gunicorn


def test_database_url() -> str:
    """DATABASE_URL of pytest-django's test database (a socket directory as the host)."""
    from django.db import connection

    return database_url(connection.settings_dict)


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
        # The test process and the servers are one deployment: the same secret, so a token the test
        # issues (bound to the account's session hash, an HMAC with the secret) works on the server.
        DJANGO_SECRET_KEY=django_settings.SECRET_KEY,
        DATABASE_URL=test_database_url(),
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_COOKIES="0",
        # Plain HTTP on loopback (behind nginx the redirect to HTTPS is on); production demands a
        # delivering mail backend and a public https address for links, so the tests name them.
        DJANGO_SECURE_SSL_REDIRECT="0",
        OPENCITY_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        OPENCITY_SITE_URL="https://opencity.test",
        DJANGO_LOG_LEVEL="WARNING",
        OPENCITY_MEDIA_ROOT=str(tmp_path / "media"),
        OPENCITY_STATIC_ROOT=str(tmp_path / "static"),
        OPENCITY_REPORTS_PER_HOUR="100000",
        OPENCITY_MEDIA_UPLOADS_PER_HOUR="100000",
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


@pytest.fixture
def production_server(transactional_db, tmp_path):
    """gunicorn (deploy/gunicorn.conf.py: 2 processes × 4 threads, production settings) on
    127.0.0.1:<free port>."""
    env = production_env(tmp_path)
    manage(env, "createcachetable")  # the production cache (rate limits) is a database table
    server = start_gunicorn("web-production", tmp_path, environment=env)
    try:
        yield server
    finally:
        server.stop()


def primary_socket() -> tuple[str, str]:
    """The suite's own cluster (socket directory, port); skips with an external DATABASE_URL."""
    from django.db import connections

    primary = connections["default"].settings_dict
    if not str(primary.get("HOST", "")).startswith("/"):
        pytest.skip("needs the suite's own PostgreSQL cluster (no DATABASE_URL)")
    return primary["HOST"], str(primary["PORT"])


@pytest.fixture(scope="session")
def replica_cluster(django_db_setup, django_db_blocker):  # noqa: ARG001 (the test database must exist first)
    """A second PostgreSQL server on this machine: a streaming replica of the test cluster, made with
    `pg_basebackup -R -X stream` after the test database was migrated, started like the primary."""
    host, port = primary_socket()
    directory = Path(tempfile.mkdtemp(prefix="ocrep-", dir="/tmp" if _running_as_root() else None))
    directory.chmod(0o755)
    replica = LocalCluster(directory, DEFAULT_PORT + 2)
    try:
        replica.make_replica_of(host=host, port=port)
        replica.start(fast_unsafe=True)
        yield replica
    finally:
        replica.stop()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def replica_alias(replica_cluster):
    """Django's `replica` alias, pointing at the replica, for one test module. Module-scoped so that
    it exists before pytest-django sets up a test that names it in `databases`; a mirror of
    `default` for the test machinery, so that nothing tries to create or flush it."""
    from django.db import connections

    primary = connections["default"].settings_dict
    connections.settings[REPLICA_DB_ALIAS] = {
        **primary,
        "HOST": str(replica_cluster.socket_dir),
        "PORT": str(replica_cluster.port),
        "OPTIONS": {**primary.get("OPTIONS", {}), "connect_timeout": 2},
        "TEST": {**primary.get("TEST", {}), "MIRROR": "default"},
    }
    try:
        yield REPLICA_DB_ALIAS
    finally:
        connections[REPLICA_DB_ALIAS].close()
        del connections[REPLICA_DB_ALIAS]
        del connections.settings[REPLICA_DB_ALIAS]
        forget_replica_health()


@pytest.fixture
def replica(replica_cluster, replica_alias, settings):
    """The running replica, its health checked on every read, replaying again after the test."""
    from django.db import connections

    if not replica_cluster.running():  # a test stopped it
        replica_cluster.start(fast_unsafe=True)
    settings.OPENCITY_REPLICA_CHECK_SECONDS = 0
    settings.OPENCITY_REPLICA_MAX_LAG_SECONDS = 5
    forget_replica_health()
    try:
        yield replica_cluster
    finally:
        if replica_cluster.running():
            with connections[replica_alias].cursor() as cursor:
                cursor.execute("SELECT pg_wal_replay_resume() WHERE pg_is_wal_replay_paused()")
        forget_replica_health()


def wait_until_replayed(timeout: float = 15.0) -> None:
    """Wait until the replica has replayed everything the primary has written so far."""
    from django.db import connections

    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    with connections[REPLICA_DB_ALIAS].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target])
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError(f"the replica did not replay up to {target} in {timeout} s")
