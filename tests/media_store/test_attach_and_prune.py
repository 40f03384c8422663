"""Attaching keeps an upload for good; the prune deletes what nobody attached (rows and files)."""

import datetime
import os
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from media_store.errors import MediaUnavailable
from media_store.models import MediaAsset
from media_store.selectors import media_get_many
from media_store.services import media_attach, media_delete, media_intake
from tests.media_store.conftest import stored_files
from tests.media_store.media import image_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def make_asset(citizen):
    def make(user=citizen, *, hours_old: float = 0, attached: bool = False, status: str = "pending") -> MediaAsset:
        asset = media_intake(uploaded_file=upload(image_bytes("JPEG", (8, 8))), uploaded_by=user).asset
        changes = {"status": status, "created_at": timezone.now() - datetime.timedelta(hours=hours_old)}
        if attached:
            changes["attached_at"] = timezone.now()
        if status == "failed":
            changes["error"] = "broken"
        MediaAsset.objects.filter(pk=asset.pk).update(**changes)
        asset.refresh_from_db()
        return asset

    return make


def test_attaching_marks_the_assets(make_asset):
    first, second = make_asset(), make_asset()
    attached = media_attach(assets=[first, second])
    assert attached == [first, second]
    assert MediaAsset.objects.filter(attached_at__isnull=False).count() == 2
    assert first.attached_at == MediaAsset.objects.get(pk=first.pk).attached_at


def test_nothing_is_attached_if_one_asset_is_unavailable(make_asset):
    fresh, taken, failed = make_asset(), make_asset(attached=True), make_asset(status="failed")
    for unavailable in (taken, failed):
        with pytest.raises(MediaUnavailable) as caught:
            media_attach(assets=[fresh, unavailable])
        assert caught.value.code == "media_unavailable" and caught.value.status == 409
        assert MediaAsset.objects.get(pk=fresh.pk).attached_at is None


def test_a_deleted_asset_cannot_be_attached(make_asset):
    asset = make_asset()
    MediaAsset.objects.filter(pk=asset.pk).delete()
    with pytest.raises(MediaUnavailable):
        media_attach(assets=[asset])


def test_assets_are_found_by_public_id_for_their_uploader(make_asset, other_citizen):
    first, second, theirs = make_asset(), make_asset(), make_asset(other_citizen)
    assert media_get_many(public_ids=[str(second.public_id), first.public_id], uploaded_by=first.uploaded_by) == [
        second,
        first,
    ]
    with pytest.raises(MediaUnavailable):
        media_get_many(public_ids=[first.public_id, theirs.public_id], uploaded_by=first.uploaded_by)
    with pytest.raises(MediaUnavailable):
        media_get_many(public_ids=[uuid.uuid4()])


def test_the_prune_deletes_old_unattached_uploads_only(make_asset, media_root, django_capture_on_commit_callbacks):
    old_unattached = make_asset(hours_old=25)
    old_attached = make_asset(hours_old=25, attached=True)
    recent = make_asset(hours_old=23)
    out = StringIO()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("opencity_prune_media", stdout=out)

    assert out.getvalue() == "Deleted 1 unattached media older than 24 h.\n"
    assert set(MediaAsset.objects.values_list("pk", flat=True)) == {old_attached.pk, recent.pk}
    assert stored_files(media_root) == sorted([old_attached.file.name, recent.file.name])
    assert old_unattached.file.name not in stored_files(media_root)


def test_the_prune_age_is_an_option(make_asset, django_capture_on_commit_callbacks):
    make_asset(hours_old=3)
    make_asset(hours_old=1)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("opencity_prune_media", hours=2, stdout=StringIO())
    assert MediaAsset.objects.count() == 1
    with pytest.raises(CommandError):
        call_command("opencity_prune_media", hours=0)


def test_files_are_deleted_only_after_the_rows_commit(make_asset, media_root, django_capture_on_commit_callbacks):
    asset = make_asset()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        media_delete(asset=asset)
    assert MediaAsset.objects.count() == 0
    assert stored_files(media_root) == [asset.file.name]  # a rollback here would still find its file
    callbacks[0]()
    assert stored_files(media_root) == []


def test_orphan_files_are_swept_when_old_enough(make_asset, media_root):
    kept = make_asset(hours_old=48, attached=True)
    old_orphan = media_root / "uploads" / "ab" / str(uuid.uuid4()) / "original.jpg"
    new_orphan = media_root / "uploads" / "cd" / str(uuid.uuid4()) / "original.jpg"
    for path in (old_orphan, new_orphan):
        path.parent.mkdir(parents=True)
        path.write_bytes(b"left by a crash")
    two_days_ago = (timezone.now() - datetime.timedelta(hours=48)).timestamp()
    os.utime(old_orphan, (two_days_ago, two_days_ago))
    os.utime(media_root / kept.file.name, (two_days_ago, two_days_ago))
    out = StringIO()

    call_command("opencity_prune_media", orphan_files=True, stdout=out)

    assert out.getvalue().splitlines()[-1] == "Deleted 1 orphan files."
    assert stored_files(media_root) == sorted([kept.file.name, str(new_orphan.relative_to(media_root))])


def test_the_orphan_sweep_copes_with_an_empty_store(media_root):
    out = StringIO()
    call_command("opencity_prune_media", orphan_files=True, stdout=out)
    assert out.getvalue().splitlines() == ["Deleted 0 unattached media older than 24 h.", "Deleted 0 orphan files."]


# --- the database guards the data -------------------------------------------------------------


def refused(asset: MediaAsset, **changes) -> bool:
    try:
        with transaction.atomic():
            MediaAsset.objects.filter(pk=asset.pk).update(**changes)
    except IntegrityError:
        return True
    return False


def test_enumerations_and_invariants_are_checked_by_the_database(make_asset):
    photo = make_asset()
    assert refused(photo, kind="audio")
    assert refused(photo, status="done")
    assert refused(photo, duration_seconds=3.0)  # photos have no duration
    assert refused(photo, kind="video")  # … and videos must have one
    assert refused(photo, width=0)
    assert refused(photo, size_bytes=0)
    assert refused(photo, sha256="not-a-checksum")
    assert refused(photo, status="ready")  # ready means processed_at is known
    assert refused(photo, status="failed")  # failed must say why
    assert not refused(photo, status="failed", error="ffmpeg timed out")
    assert not refused(photo, kind="video", duration_seconds=2.5)
