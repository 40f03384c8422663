"""Making an asset's derivatives in the background, and the storage helpers intake shares.

The worker runs media_store.tasks.media_process_task, which calls media_process here; intake
(media_store.services) queues that task. Keeping the processing out of services.py keeps the
task module from importing the module that queues it.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from uuid import UUID

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage
from django.utils import timezone

from media_store.formats import video_formats
from media_store.models import MediaAsset, MediaKind, MediaStatus
from media_store.photos import DERIVATIVE_FORMAT, photo_derivative
from media_store.videos import video_poster_frame

logger = logging.getLogger(__name__)


def media_storage() -> Storage:
    """Where media files live (STORAGES["default"]: the file system or an S3 bucket)."""
    return MediaAsset._meta.get_field("file").storage


MEDIA_PREFIX = "uploads"


def asset_file_name(asset: MediaAsset, filename: str) -> str:
    """uploads/<2 hex>/<public id>/<file>: the public ID makes names unguessable and unique; the
    two-character shard keeps directories small on a file system."""
    return f"{MEDIA_PREFIX}/{asset.public_id.hex[:2]}/{asset.public_id}/{filename}"


def store_file(storage: Storage, path: Path, name: str, content_type: str) -> str:
    """Save a local file under `name` with its content type; returns the name the storage chose."""
    with path.open("rb") as source:
        content = File(source, name=name)
        content.content_type = content_type  # S3 sets the object's Content-Type from this
        return storage.save(name, content)


def delete_files(storage: Storage, names: Iterable[str]) -> None:
    """Delete stored files, logging (not raising) a failure: an orphan is swept later."""
    for name in names:
        try:
            storage.delete(name)
        except Exception:  # a file we fail to delete is swept by --orphan-files
            logger.exception("could not delete media file %s", name)


def media_process(*, public_id: UUID | str) -> str | None:
    """Make an asset's derivatives (web size and thumbnail for a photo; poster and its thumbnail for
    a video) and mark it ready, or failed with the reason. Never raises for a bad file: the worker
    goes on with the next task. Returns the resulting status (None if the asset is gone)."""
    asset = MediaAsset.objects.filter(public_id=public_id).first()
    if asset is None:
        logger.info("media %s is gone; nothing to process", public_id)
        return None
    if asset.status != MediaStatus.PENDING:
        return asset.status
    if asset.kind == MediaKind.DOCUMENT:
        # A PDF has nothing to make (intake marks it ready at once; this is a reprocess from the admin).
        MediaAsset.objects.filter(pk=asset.pk, status=MediaStatus.PENDING).update(
            status=MediaStatus.READY, error="", processed_at=timezone.now()
        )
        return MediaStatus.READY

    storage = media_storage()
    written: dict[str, str] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="opencity-media-") as scratch:
            scratch = Path(scratch)
            local = scratch / Path(asset.file.name).name
            with storage.open(asset.file.name, "rb") as stored, local.open("wb") as out:
                shutil.copyfileobj(stored, out, 1024 * 1024)
            derivatives: dict[str, tuple[Path, int]] = {}
            if asset.kind == MediaKind.PHOTO:
                still = local
                derivatives["web_file"] = (scratch / "web.webp", settings.OPENCITY_MEDIA_WEB_SIZE)
            else:
                still = scratch / "frame.png"
                video_format = next(f for f in video_formats() if f.content_type == asset.content_type)
                video_poster_frame(
                    source=local, destination=still, media_format=video_format, duration=asset.duration_seconds
                )
                derivatives["poster_file"] = (scratch / "poster.webp", settings.OPENCITY_MEDIA_WEB_SIZE)
            derivatives["thumbnail_file"] = (scratch / "thumbnail.webp", settings.OPENCITY_MEDIA_THUMBNAIL_SIZE)
            for field, (path, long_edge) in derivatives.items():
                photo_derivative(source=still, destination=path, long_edge=long_edge)
                name = asset_file_name(asset, path.name)
                if storage.exists(name):  # left by an earlier run that died before saving the row
                    storage.delete(name)
                written[field] = store_file(storage, path, name, DERIVATIVE_FORMAT.content_type)
    except Exception as error:
        logger.exception("media %s could not be processed", asset.public_id)
        delete_files(storage, written.values())
        MediaAsset.objects.filter(pk=asset.pk, status=MediaStatus.PENDING).update(
            status=MediaStatus.FAILED, error=f"{type(error).__name__}: {error}"[:2000], processed_at=timezone.now()
        )
        return MediaStatus.FAILED

    # Only the processing fields: attached_at may have been set meanwhile by the report.
    updated = MediaAsset.objects.filter(pk=asset.pk, status=MediaStatus.PENDING).update(
        status=MediaStatus.READY, error="", processed_at=timezone.now(), **written
    )
    if not updated:  # deleted, or processed by a second run, while we worked
        delete_files(storage, written.values())
        return None
    return MediaStatus.READY
