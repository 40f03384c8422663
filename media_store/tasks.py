"""Background work for media, run by the database-backed worker (`manage.py db_worker`)."""

from __future__ import annotations

from django.tasks import task


@task
def media_process_task(*, public_id: str) -> str | None:
    """Make one asset's derivatives; queued by media_intake() once the upload has committed.

    A file that cannot be processed marks the asset failed and returns normally, so the worker
    simply goes on with the next task."""
    from media_store.services import media_process  # services queue this task: import at run time

    return media_process(public_id=public_id)
