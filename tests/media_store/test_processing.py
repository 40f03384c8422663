"""Background processing: derivatives and posters made by the task, failures recorded, never fatal."""

import io

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult
from PIL import Image

from media_store.models import MediaAsset
from media_store.services import media_intake, media_reprocess
from media_store.tasks import media_process_task
from tests.media_store.conftest import stored_files
from tests.media_store.media import exif_with, image_bytes, make_video, upload

pytestmark = pytest.mark.django_db


def open_field(field) -> Image.Image:
    with field.open("rb") as f:
        return Image.open(io.BytesIO(f.read()))


def intake(content, user, captured, name="photo.jpg"):
    with captured(execute=True):
        return media_intake(uploaded_file=upload(content, name), uploaded_by=user).asset


def test_photo_derivatives_are_made_by_the_task(citizen, media_root, django_capture_on_commit_callbacks):
    asset = intake(image_bytes("JPEG", (2400, 1200), exif=exif_with()), citizen, django_capture_on_commit_callbacks)

    queued = DBTaskResult.objects.get()
    assert queued.task_path == "media_store.tasks.media_process_task"
    assert queued.args_kwargs == {"args": [], "kwargs": {"public_id": str(asset.public_id)}}
    # Until processed, every accessor shows the sanitized original.
    original = f"/media/{asset.file.name}"
    assert (asset.display_url, asset.thumbnail_url, asset.poster_url) == (original, original, None)

    assert media_process_task.call(public_id=str(asset.public_id)) == "ready"

    asset.refresh_from_db()
    folder = f"uploads/{asset.public_id.hex[:2]}/{asset.public_id}"
    assert (asset.status, asset.error) == ("ready", "")
    assert asset.processed_at is not None
    assert (asset.web_file.name, asset.thumbnail_file.name, asset.poster_file.name) == (
        f"{folder}/web.webp",
        f"{folder}/thumbnail.webp",
        "",
    )
    assert stored_files(media_root) == [f"{folder}/original.jpg", f"{folder}/thumbnail.webp", f"{folder}/web.webp"]
    web, thumbnail = open_field(asset.web_file), open_field(asset.thumbnail_file)
    assert (web.format, web.size) == ("WEBP", (1600, 800))
    assert (thumbnail.format, thumbnail.size) == ("WEBP", (320, 160))
    assert len(web.getexif()) == 0 and len(thumbnail.getexif()) == 0
    assert asset.display_url == f"/media/{folder}/web.webp"
    assert asset.thumbnail_url == f"/media/{folder}/thumbnail.webp"
    assert asset.original_url == original


def test_a_small_photo_is_never_enlarged(citizen, django_capture_on_commit_callbacks):
    asset = intake(image_bytes("PNG", (200, 100)), citizen, django_capture_on_commit_callbacks)
    media_process_task.call(public_id=str(asset.public_id))
    asset.refresh_from_db()
    assert open_field(asset.web_file).size == (200, 100)
    assert open_field(asset.thumbnail_file).size == (200, 100)


def colour(image: Image.Image) -> str:
    """ "red" or "blue" for the centre pixel (H.264 shifts pure colours by a few levels)."""
    r, g, b = image.convert("RGB").getpixel((image.width // 2, image.height // 2))
    if r > 200 and max(g, b) < 60:
        return "red"
    if b > 200 and max(r, g) < 60:
        return "blue"
    return str((r, g, b))


@pytest.fixture(scope="session")
def red_then_blue(video_dir) -> bytes:
    """Red for the first second, blue after: tells which frame became the poster."""
    return make_video(
        video_dir / "red-blue.mp4",
        seconds=3,
        size="320x240",
        source="color=c=red",
        extra=("-vf", "drawbox=enable='gte(t,1)':color=blue:t=fill"),
    )


@pytest.fixture(scope="session")
def short_red(video_dir) -> bytes:
    return make_video(
        video_dir / "short-red.mp4",
        seconds=0.4,
        size="64x48",
        rate=10,
        source="color=c=red",
        extra=("-vf", "drawbox=enable='gte(t,1)':color=blue:t=fill"),
    )


def test_a_video_poster_is_cut_at_one_second(citizen, media_root, django_capture_on_commit_callbacks, red_then_blue):
    asset = intake(red_then_blue, citizen, django_capture_on_commit_callbacks, "clip.mp4")
    assert (asset.display_url, asset.thumbnail_url, asset.poster_url) == (f"/media/{asset.file.name}", None, None)

    assert media_process_task.call(public_id=str(asset.public_id)) == "ready"

    asset.refresh_from_db()
    folder = f"uploads/{asset.public_id.hex[:2]}/{asset.public_id}"
    assert (asset.poster_file.name, asset.thumbnail_file.name, asset.web_file.name) == (
        f"{folder}/poster.webp",
        f"{folder}/thumbnail.webp",
        "",
    )
    assert stored_files(media_root) == [f"{folder}/original.mp4", f"{folder}/poster.webp", f"{folder}/thumbnail.webp"]
    poster = open_field(asset.poster_file)
    assert (poster.format, poster.size, colour(poster)) == ("WEBP", (320, 240), "blue")
    assert open_field(asset.thumbnail_file).size == (320, 240)
    assert asset.display_url == f"/media/{folder}/original.mp4"  # the video itself is what plays
    assert asset.poster_url == f"/media/{folder}/poster.webp"
    assert asset.thumbnail_url == f"/media/{folder}/thumbnail.webp"


def test_a_video_shorter_than_a_second_gets_its_first_frame(citizen, django_capture_on_commit_callbacks, short_red):
    asset = intake(short_red, citizen, django_capture_on_commit_callbacks, "short.mp4")
    assert asset.duration_seconds == 0.4
    assert media_process_task.call(public_id=str(asset.public_id)) == "ready"
    asset.refresh_from_db()
    poster = open_field(asset.poster_file)
    assert (poster.size, colour(poster)) == ((64, 48), "red")


def test_a_sideways_phone_video_gets_an_upright_poster(citizen, django_capture_on_commit_callbacks, mov_video):
    asset = intake(mov_video, citizen, django_capture_on_commit_callbacks, "IMG_0042.MOV")
    media_process_task.call(public_id=str(asset.public_id))
    asset.refresh_from_db()
    assert open_field(asset.poster_file).size == (240, 320)


def test_webm_gets_a_poster(citizen, django_capture_on_commit_callbacks, webm_video):
    asset = intake(webm_video, citizen, django_capture_on_commit_callbacks, "clip.webm")
    assert media_process_task.call(public_id=str(asset.public_id)) == "ready"
    asset.refresh_from_db()
    assert open_field(asset.poster_file).size == (160, 120)


def test_a_file_that_cannot_be_processed_marks_the_asset_failed(
    citizen, media_root, django_capture_on_commit_callbacks
):
    asset = intake(image_bytes("JPEG", (100, 100)), citizen, django_capture_on_commit_callbacks)
    (media_root / asset.file.name).write_bytes(b"damaged on disk after intake")

    assert media_process_task.call(public_id=str(asset.public_id)) == "failed"

    asset.refresh_from_db()
    assert asset.status == "failed"
    assert asset.error.startswith("UnidentifiedImageError: cannot identify image file")
    assert asset.processed_at is not None
    assert (asset.web_file.name, asset.thumbnail_file.name) == ("", "")
    assert stored_files(media_root) == [asset.file.name]  # no half-made derivative left behind
    # Still shown as the original (the page does not break), and processing can be retried.
    assert asset.thumbnail_url == f"/media/{asset.file.name}"


def test_processing_a_deleted_asset_does_nothing(citizen, django_capture_on_commit_callbacks):
    asset = intake(image_bytes("JPEG"), citizen, django_capture_on_commit_callbacks)
    public_id = str(asset.public_id)
    MediaAsset.objects.all().delete()
    assert media_process_task.call(public_id=public_id) is None


def test_processing_twice_changes_nothing(citizen, media_root, django_capture_on_commit_callbacks):
    asset = intake(image_bytes("JPEG"), citizen, django_capture_on_commit_callbacks)
    media_process_task.call(public_id=str(asset.public_id))
    before = stored_files(media_root)
    assert media_process_task.call(public_id=str(asset.public_id)) == "ready"
    assert stored_files(media_root) == before


def test_a_failed_asset_can_be_queued_again(citizen, media_root, django_capture_on_commit_callbacks):
    good = image_bytes("JPEG", (50, 50))
    asset = intake(good, citizen, django_capture_on_commit_callbacks)
    stored = media_root / asset.file.name
    stored.write_bytes(b"broken")
    media_process_task.call(public_id=str(asset.public_id))
    stored.write_bytes(good)  # e.g. restored from a backup

    with django_capture_on_commit_callbacks(execute=True):
        media_reprocess(asset=asset)

    assert (asset.status, asset.error, asset.processed_at) == ("pending", "", None)
    assert DBTaskResult.objects.count() == 2
    assert media_process_task.call(public_id=str(asset.public_id)) == "ready"


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_drains_the_queue_past_a_failure(media_root, red_then_blue):
    """End to end with the real worker: uploads commit, tasks are queued on commit, `db_worker
    --batch` runs them all — a broken file fails its asset and the worker goes on."""
    from tests.factories import UserFactory

    user = UserFactory(username="worker-test")
    broken = media_intake(uploaded_file=upload(image_bytes("JPEG")), uploaded_by=user).asset
    (media_root / broken.file.name).write_bytes(b"not any more")
    photo = media_intake(uploaded_file=upload(image_bytes("PNG", (1800, 900)), "b.png"), uploaded_by=user).asset
    video = media_intake(uploaded_file=upload(red_then_blue, "c.mp4"), uploaded_by=user).asset
    assert DBTaskResult.objects.filter(status="READY").count() == 3

    call_command("db_worker", batch=True, no_startup_delay=True, interval=0, verbosity=0)

    assert sorted(DBTaskResult.objects.values_list("status", flat=True)) == ["SUCCESSFUL"] * 3
    statuses = dict(MediaAsset.objects.values_list("public_id", "status"))
    assert statuses == {broken.public_id: "failed", photo.public_id: "ready", video.public_id: "ready"}
    photo.refresh_from_db()
    assert open_field(photo.web_file).size == (1600, 800)
