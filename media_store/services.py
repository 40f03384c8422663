"""Writes for photos, videos and PDF documents: intake, background processing, attaching, deleting,
pruning.

Other apps (`issues`) call these; this app never calls them back. The usual life of an asset:

    result = media_intake(uploaded_file=f, uploaded_by=user)   # upload request: checked, stored, pending
    # … the worker runs media_process_task → media_process()  # derivatives made (processing.py)
    media_attach(assets=[...])                                 # in the report's transaction: kept for good
    # never attached? `manage.py opencity_prune_media` deletes it after OPENCITY_MEDIA_UNATTACHED_HOURS
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import tempfile
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from media_store.documents import document_check
from media_store.errors import (
    DocumentNotAccepted,
    EmptyFile,
    FileTooLarge,
    HeicNotSupported,
    MediaUnavailable,
    UnsupportedDocumentOrPicture,
    UnsupportedType,
)
from media_store.formats import (
    HEAD_BYTES,
    HEIC,
    PICTURE_KINDS,
    Kind,
    MediaFormat,
    photo_formats,
    sniff,
    video_formats,
)
from media_store.models import MediaAsset, MediaKind, MediaStatus
from media_store.photos import GpsPosition, photo_sanitize
from media_store.processing import MEDIA_PREFIX, asset_file_name, delete_files, media_storage, store_file
from media_store.tasks import media_process_task
from media_store.videos import video_sanitize

logger = logging.getLogger(__name__)

MB = 1024 * 1024


@dataclass(frozen=True)
class IntakeResult:
    """A stored upload, and the position its photo's EXIF gave (offered as the pin, never stored)."""

    asset: MediaAsset
    gps: GpsPosition | None


def media_limits_mb(kinds: Collection[Kind]) -> dict[Kind, int]:
    """The largest upload of each kind, MB (the settings), for the kinds a caller takes."""
    limits: dict[Kind, int] = {
        MediaKind.PHOTO: settings.OPENCITY_MAX_PHOTO_MB,
        MediaKind.VIDEO: settings.OPENCITY_MAX_VIDEO_MB,
        MediaKind.DOCUMENT: settings.OPENCITY_MAX_DOCUMENT_MB,
    }
    return {kind: limit for kind, limit in limits.items() if kind in kinds}


def media_intake(
    *, uploaded_file: File, uploaded_by: AbstractBaseUser | None, kinds: Collection[Kind] = PICTURE_KINDS
) -> IntakeResult:
    """Check an upload by its content, strip its metadata, store it and create its row (pending);
    its processing is queued once that commits. Raises a MediaRejected error and stores nothing
    when the file is refused. Runs its own transaction: do not call it inside another one.

    `kinds` are what the caller takes: photos and videos unless it names "document" too (a PDF,
    kept byte for byte and ready at once: it has no derivatives to make)."""
    with tempfile.TemporaryDirectory(prefix="opencity-media-") as scratch:
        prepared = _prepare(uploaded_file, Path(scratch), kinds=kinds)  # every refusal happens in here
        is_document = prepared.format.kind == MediaKind.DOCUMENT
        asset = MediaAsset(
            kind=prepared.format.kind,
            status=MediaStatus.READY if is_document else MediaStatus.PENDING,
            processed_at=timezone.now() if is_document else None,
            content_type=prepared.format.content_type,
            size_bytes=prepared.path.stat().st_size,
            width=prepared.width,
            height=prepared.height,
            duration_seconds=prepared.duration_seconds,
            page_count=prepared.page_count,
            sha256=_sha256(prepared.path),
            uploaded_by=uploaded_by,
        )
        storage = media_storage()
        stored_name = None
        try:
            # The file goes first and outside the transaction: a slow bucket must not hold a
            # database transaction open. If the row then fails, the file is removed again.
            name = asset_file_name(asset, f"original.{prepared.format.extension}")
            if is_document and _served_directly(storage):
                # Private from the first byte: never under uploads/, which a bucket may make public.
                name = f"{WITHHELD_PREFIX}/{secrets.token_hex(16)}/{name}"
            stored_name = store_file(storage, prepared.path, name, prepared.format.content_type)
            asset.file.name = stored_name
            with transaction.atomic(durable=True):
                asset.save()
                if not is_document:
                    transaction.on_commit(partial(_enqueue_processing, asset.public_id), robust=True)
        except BaseException:
            if stored_name:
                delete_files(storage, [stored_name])
            raise
    logger.info("media %s stored: %s, %s bytes", asset.public_id, asset.content_type, asset.size_bytes)
    return IntakeResult(asset=asset, gps=prepared.gps)


@dataclass(frozen=True)
class _Prepared:
    """An accepted upload, sanitized into a scratch file and ready to store."""

    path: Path
    format: MediaFormat
    width: int | None
    height: int | None
    duration_seconds: float | None
    gps: GpsPosition | None
    page_count: int | None = None


def _prepare(uploaded_file: File, scratch: Path, *, kinds: Collection[Kind]) -> _Prepared:
    """Size limits, format by content, then the photo, video or document checks (and sanitizing)."""
    limits_mb = media_limits_mb(kinds)
    largest_mb = max(limits_mb.values())
    if not uploaded_file.size:
        raise EmptyFile()
    if uploaded_file.size > largest_mb * MB:
        raise FileTooLarge(kind=None, limit_mb=largest_mb)

    upload_path = scratch / "upload"
    head = _spool(uploaded_file, upload_path, limit_bytes=largest_mb * MB)
    media_format = sniff(head)
    if media_format == HEIC:
        raise HeicNotSupported()
    if not isinstance(media_format, MediaFormat) or media_format.kind not in kinds:
        if isinstance(media_format, MediaFormat) and media_format.kind == MediaKind.DOCUMENT:
            raise DocumentNotAccepted()
        refusal = UnsupportedDocumentOrPicture if MediaKind.DOCUMENT in kinds else UnsupportedType
        raise refusal(
            photo_formats=", ".join(f.name.upper() for f in photo_formats()),
            video_formats=", ".join(f.name.upper() for f in video_formats()),
        )
    if upload_path.stat().st_size > limits_mb[media_format.kind] * MB:
        raise FileTooLarge(kind=media_format.kind, limit_mb=limits_mb[media_format.kind])

    if media_format.kind == MediaKind.DOCUMENT:
        # Kept as it came: a signature inside covers these exact bytes (media_store.documents).
        document = document_check(source=upload_path)
        return _Prepared(upload_path, media_format, None, None, None, None, page_count=document.page_count)

    clean_path = scratch / f"clean.{media_format.extension}"
    if media_format.kind == MediaKind.PHOTO:
        photo = photo_sanitize(
            source=upload_path,
            destination=clean_path,
            media_format=media_format,
            max_pixels=settings.OPENCITY_MAX_IMAGE_PIXELS,
        )
        prepared = _Prepared(clean_path, media_format, photo.width, photo.height, None, photo.gps)
    else:
        video = video_sanitize(
            source=upload_path,
            destination=clean_path,
            media_format=media_format,
            max_seconds=settings.OPENCITY_MAX_VIDEO_SECONDS,
            max_pixels=settings.OPENCITY_MAX_IMAGE_PIXELS,
        )
        prepared = _Prepared(clean_path, media_format, video.width, video.height, video.duration_seconds, None)
    upload_path.unlink()  # only the sanitized copy is kept, even in scratch
    return prepared


def media_reprocess(*, asset: MediaAsset) -> None:
    """Queue an asset's processing again (after a failure, or a change of derivative sizes)."""
    with transaction.atomic():
        MediaAsset.objects.filter(pk=asset.pk).update(status=MediaStatus.PENDING, error="", processed_at=None)
        transaction.on_commit(partial(_enqueue_processing, asset.public_id), robust=True)
    asset.refresh_from_db()


def media_attach(*, assets: Iterable[MediaAsset]) -> list[MediaAsset]:
    """Mark assets as attached to something (a report, an "after" photo…) so they are never pruned.

    Call it inside the caller's transaction: if that rolls back, so does this. Raises
    MediaUnavailable, changing nothing, if any asset is gone, failed or already attached."""
    assets = list(assets)
    pks = {asset.pk for asset in assets}
    if not pks:
        return assets
    now = timezone.now()
    with transaction.atomic():
        updated = (
            MediaAsset.objects.filter(pk__in=pks, attached_at__isnull=True)
            .exclude(status=MediaStatus.FAILED)
            .update(attached_at=now)
        )
        if updated != len(pks):
            raise MediaUnavailable()
    for asset in assets:
        asset.attached_at = now
    return assets


def media_delete(*, asset: MediaAsset) -> None:
    """Delete an asset's row, and its files once that commits. ProtectedError if something still
    refers to it."""
    names = asset.stored_names
    with transaction.atomic():
        asset.delete()
        transaction.on_commit(partial(delete_files, media_storage(), names), robust=True)


def media_prune_unattached(*, older_than: timedelta, batch_size: int = 200) -> int:
    """Delete assets (rows and files) that were never attached and are older than `older_than`;
    return how many. Rows being attached right now are locked and skipped."""
    cutoff = timezone.now() - older_than
    deleted = 0
    skipped: set[int] = set()
    while True:
        with transaction.atomic():
            batch = list(
                MediaAsset.objects.unattached_before(cutoff)
                .exclude(pk__in=skipped)
                .select_for_update(skip_locked=True)
                .order_by("pk")[:batch_size]
            )
            if not batch:
                return deleted
            for asset in batch:
                try:
                    media_delete(asset=asset)
                    deleted += 1
                except ProtectedError:
                    # Something refers to it without having called media_attach(): keep it.
                    logger.warning("media %s is referenced but was never attached; kept", asset.public_id)
                    skipped.add(asset.pk)


def media_prune_orphan_files(*, older_than: timedelta) -> int:
    """Delete stored files under uploads/ that no asset row owns (left by a crash between storing a
    file and committing its row, or by a failed delete), if older than `older_than`; return how many."""
    storage = media_storage()
    cutoff = timezone.now() - older_than
    deleted = 0
    try:
        shards = storage.listdir(MEDIA_PREFIX)[0]
    except FileNotFoundError:  # nothing was ever stored (file system)
        return 0
    for shard in shards:
        shard_path = f"{MEDIA_PREFIX}/{shard}"
        directories = storage.listdir(shard_path)[0]
        owned = {
            str(public_id)
            for public_id in MediaAsset.objects.filter(public_id__in=_uuids(directories)).values_list(
                "public_id", flat=True
            )
        }
        for directory in directories:
            if directory in owned:
                continue
            for filename in storage.listdir(f"{shard_path}/{directory}")[1]:
                name = f"{shard_path}/{directory}/{filename}"
                if storage.get_modified_time(name) < cutoff:
                    storage.delete(name)
                    deleted += 1
    return deleted


# --- Withholding: the files of assets that must stop being reachable (their issue was hidden) --------
#
# Why move the objects rather than only sign URLs: a URL already handed out must stop working the
# moment an issue is hidden. A signed URL stays valid until it expires (OPENCITY_S3_URL_EXPIRE_SECONDS),
# and with OPENCITY_S3_PUBLIC_URL (a public bucket or a CDN) an object's URL is plain and stable for as
# long as the object sits under that key. So hiding copies each file to a key under
# `withheld/<128 random bits>/` — unguessable, and outside `uploads/` and `budget/`, the only prefixes
# the bucket policy may make public (README, "Media", Storage) — and deletes the old key once the hiding
# commits; showing the issue again moves them back to exactly their old keys, so the old URLs work
# again. Objects carry `Cache-Control: private, max-age=<URL expiry>` (media_storage_from_env in
# opencity/settings/base.py): shared caches (a CDN) keep no copy, and a browser that already loaded the
# picture keeps it at most that long.
# The file system needs none of this: it is never served directly, only through the checking view
# (issues.views.issue_picture), which refuses a hidden issue's pictures at once.

WITHHELD_PREFIX = "withheld"
_FILE_FIELDS = ("file", "web_file", "thumbnail_file", "poster_file")


def _served_directly(storage: Storage) -> bool:
    """Whether clients fetch files from the storage itself (an object store), not through our view."""
    return not isinstance(storage, FileSystemStorage)


def _copy(storage: Storage, source: str, target: str) -> None:
    """Copy a stored file to an exact new name, keeping its content type and Cache-Control."""
    if hasattr(storage, "bucket"):  # django-storages' S3: copied by the server, not through us
        client = storage.connection.meta.client
        client.copy_object(
            Bucket=storage.bucket_name,
            Key=storage._normalize_name(target),
            CopySource={"Bucket": storage.bucket_name, "Key": storage._normalize_name(source)},
            MetadataDirective="COPY",
        )
        return
    with storage.open(source, "rb") as content:
        saved = storage.save(target, content)
    if saved != target:
        storage.delete(saved)
        raise FileExistsError(target)


def _rename_files(assets: list[MediaAsset], rename) -> list[str]:
    """Copy every file of `assets` to `rename(asset, name)` where that differs, and save the new
    names; the old names are returned, to delete once the caller's transaction commits."""
    storage = media_storage()
    old_names: list[str] = []
    for asset in assets:
        changes = {}
        for field in _FILE_FIELDS:
            name = getattr(asset, field).name
            target = rename(asset, name) if name else None
            if target and target != name:
                _copy(storage, name, target)
                changes[field] = target
                old_names.append(name)
        if changes:
            MediaAsset.objects.filter(pk=asset.pk).update(**changes)
            for field, target in changes.items():
                getattr(asset, field).name = target
    return old_names


def media_withhold(*, assets: Iterable[MediaAsset]) -> None:
    """Make the stored files of `assets` unreachable at every URL given out so far (their issue was
    hidden): on an object store each file moves under `withheld/<random>/`. Call it inside the
    caller's transaction; the old objects are deleted once that commits. Idempotent."""
    if not _served_directly(media_storage()):
        return
    assets = list(assets)
    folders = {asset.pk: f"{WITHHELD_PREFIX}/{secrets.token_hex(16)}" for asset in assets}

    def withheld(asset: MediaAsset, name: str) -> str:
        return name if name.startswith(f"{WITHHELD_PREFIX}/") else f"{folders[asset.pk]}/{name}"

    old_names = _rename_files(assets, withheld)
    transaction.on_commit(partial(delete_files, media_storage(), old_names), robust=True)


def media_release(*, assets: Iterable[MediaAsset]) -> None:
    """Undo media_withhold: every file goes back to its own `uploads/…` key, so the URLs given out
    before the hiding work again. Inside the caller's transaction, like media_withhold. Idempotent."""

    def released(asset: MediaAsset, name: str) -> str:
        if not name.startswith(f"{WITHHELD_PREFIX}/"):
            return name
        return name.split("/", 2)[2]  # withheld/<token>/uploads/… → uploads/…

    old_names = _rename_files(list(assets), released)
    transaction.on_commit(partial(delete_files, media_storage(), old_names), robust=True)


def photo_clean_upload(*, uploaded_file: File) -> ContentFile:
    """Check an uploaded photo by content and return an upright, metadata-free copy (EXIF with its
    GPS position, XMP, ICC, comments all gone), for photos stored outside media intake (the admin's
    budget-project photos). Raises the same MediaRejected errors as media_intake; videos are refused."""
    limit = settings.OPENCITY_MAX_PHOTO_MB * MB
    if uploaded_file.size and uploaded_file.size > limit:
        raise FileTooLarge(kind=MediaKind.PHOTO, limit_mb=settings.OPENCITY_MAX_PHOTO_MB)
    with tempfile.TemporaryDirectory(prefix="opencity-photo-") as scratch:
        upload_path = Path(scratch) / "upload"
        head = _spool(uploaded_file, upload_path, limit_bytes=limit)
        media_format = sniff(head)
        if media_format == HEIC:
            raise HeicNotSupported()
        if not isinstance(media_format, MediaFormat) or media_format.kind != MediaKind.PHOTO:
            raise UnsupportedType(photo_formats=", ".join(f.name.upper() for f in photo_formats()), video_formats="—")
        clean_path = Path(scratch) / f"clean.{media_format.extension}"
        photo_sanitize(
            source=upload_path,
            destination=clean_path,
            media_format=media_format,
            max_pixels=settings.OPENCITY_MAX_IMAGE_PIXELS,
        )
        stem = Path(getattr(uploaded_file, "name", "") or "photo").stem[:80] or "photo"
        return ContentFile(clean_path.read_bytes(), name=f"{stem}.{media_format.extension}")


# --- helpers ----------------------------------------------------------------------------------


def _spool(uploaded_file: File, destination: Path, *, limit_bytes: int) -> bytes:
    """Copy the upload to a private file of ours (the client's name is never used); return its head."""
    written = 0
    head = b""
    with destination.open("wb") as out:
        for chunk in uploaded_file.chunks():
            written += len(chunk)
            if written > limit_bytes:
                raise FileTooLarge(kind=None, limit_mb=limit_bytes // MB)
            if len(head) < HEAD_BYTES:
                head += chunk[: HEAD_BYTES - len(head)]
            out.write(chunk)
    if not written:
        raise EmptyFile()
    return head


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        for block in iter(lambda: source.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()


def _enqueue_processing(public_id: UUID) -> None:
    media_process_task.enqueue(public_id=str(public_id))


def _uuids(values: Iterable[str]) -> list[UUID]:
    result = []
    for value in values:
        try:
            result.append(UUID(value))
        except ValueError:
            continue
    return result
