"""Test-suite wiring: a throwaway PostgreSQL + PostGIS cluster, shared fixtures.

With DATABASE_URL set, pytest-django creates its test database on that server instead.
"""

from __future__ import annotations

import os
import shutil

import pytest

from opencity.localdb import throwaway_cluster


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):  # noqa: ARG001
    """Start a private cluster for this test run (fsync off: its data is thrown away)."""
    if os.environ.get("DATABASE_URL"):
        yield
        return
    from django.conf import settings

    cluster = throwaway_cluster()
    cluster.start(fast_unsafe=True)
    settings.DATABASES["default"].update(cluster.django_settings())
    try:
        yield
    finally:
        from django.db import connections

        connections.close_all()
        cluster.stop()
        shutil.rmtree(cluster.directory, ignore_errors=True)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the site's default language (Ukrainian). A request through the test
    client leaves its language active in this thread, which would leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def immediate_tasks(settings):
    """Run background tasks as soon as they are enqueued (after the commit), in this process."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


# The hand-made city of tests/world.py, for every test package (browser tests included).
from tests.world import report, world  # noqa: E402, F401
