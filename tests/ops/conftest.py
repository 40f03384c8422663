"""Fixtures for the tests of running Open City beyond one process: a real streaming replica of the
suite's PostgreSQL cluster, and helpers to wait for it."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

import pytest

from opencity.dbrouter import REPLICA_DB_ALIAS, forget_replica_health
from opencity.localdb import DEFAULT_PORT, LocalCluster, _running_as_root


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
