"""Background work for media, run by the database-backed worker (`manage.py db_worker`)."""

from __future__ import annotations

from django.tasks import task

from media_store.processing import media_process


@task
def media_process_task(*, public_id: str) -> str | None:
    """Make one asset's derivatives; queued by media_intake() once the upload has committed.

    A file that cannot be processed marks the asset failed and returns normally, so the worker
    simply goes on with the next task."""
    return media_process(public_id=public_id)
