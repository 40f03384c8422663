"""Photo intake: checked by content, GPS read then removed, turned upright, refusals leave nothing."""

import hashlib
import io
import time

import pytest
from django.db import transaction
from django.utils import translation
from PIL import Image, ImageFile

from media_store.errors import MediaRejected
from media_store.models import MediaAsset
from media_store.services import media_intake
from tests.media_store.conftest import stored_files
from tests.media_store.media import (
    TOWN_HALL,
    exif_with,
    image_bytes,
    marked_image,
    noise_bytes,
    png_bomb,
    srgb_icc_profile,
    upload,
)

pytestmark = pytest.mark.django_db


def stored_image(asset: MediaAsset) -> tuple[bytes, Image.Image]:
    with asset.file.open("rb") as f:
        data = f.read()
    return data, Image.open(io.BytesIO(data))


def test_jpeg_with_gps_is_stored_without_any_metadata(citizen, media_root, django_capture_on_commit_callbacks):
    original = image_bytes("JPEG", (64, 48), exif=exif_with(), comment=b"taken by Olena at home")
    assert b"TestPhone 15" in original and b"Olena" in original

    with django_capture_on_commit_callbacks() as callbacks:
        result = media_intake(uploaded_file=upload(original), uploaded_by=citizen)

    assert result.gps == TOWN_HALL
    asset = MediaAsset.objects.get()
    assert asset == result.asset
    assert (asset.kind, asset.status, asset.content_type) == ("photo", "pending", "image/jpeg")
    assert (asset.width, asset.height, asset.duration_seconds) == (64, 48, None)
    assert asset.uploaded_by == citizen and asset.attached_at is None and asset.error == ""
    assert asset.file.name == f"uploads/{asset.public_id.hex[:2]}/{asset.public_id}/original.jpg"
    assert stored_files(media_root) == [asset.file.name]
    assert len(callbacks) == 1  # processing is queued after the commit

    data, image = stored_image(asset)
    assert asset.size_bytes == len(data)
    assert asset.sha256 == hashlib.sha256(data).hexdigest()
    assert image.format == "JPEG"
    assert len(image.getexif()) == 0
    assert set(image.info) == {"jfif", "jfif_version", "jfif_unit", "jfif_density"}
    for secret in (b"Exif", b"TestPhone", b"Olena", b"Open City Test"):
        assert secret not in data


@pytest.mark.parametrize(
    ("fmt", "extension", "content_type"),
    [
        ("PNG", "png", "image/png"),
        ("WEBP", "webp", "image/webp"),
        ("AVIF", "avif", "image/avif"),
    ],
)
def test_png_webp_and_avif_lose_their_exif_too(citizen, fmt, extension, content_type):
    original = image_bytes(fmt, (30, 20), exif=exif_with(), **({"quality": 90} if fmt != "PNG" else {}))

    result = media_intake(
        uploaded_file=upload(original, name="x.bin", content_type="application/octet-stream"), uploaded_by=citizen
    )

    assert result.gps == TOWN_HALL
    asset = result.asset
    assert (asset.content_type, asset.width, asset.height) == (content_type, 30, 20)
    assert asset.file.name.endswith(f"/original.{extension}")
    data, image = stored_image(asset)
    assert image.format == fmt
    assert len(image.getexif()) == 0
    assert "exif" not in image.info and "xmp" not in image.info
    assert b"TestPhone" not in data


def test_southern_and_western_positions_are_negative(citizen):
    exif = exif_with(gps=((33, 52, "4.4"), (151, 12, "36")), refs=("S", "W"))
    result = media_intake(uploaded_file=upload(image_bytes("JPEG", exif=exif)), uploaded_by=citizen)
    assert result.gps == (-33.867889, -151.21)


def test_a_photo_without_gps_gives_no_position(citizen):
    result = media_intake(uploaded_file=upload(image_bytes("JPEG", exif=exif_with(gps=None))), uploaded_by=citizen)
    assert result.gps is None


def test_a_zero_position_is_not_offered(citizen):
    exif = exif_with(gps=((0, 0, 0), (0, 0, 0)))
    result = media_intake(uploaded_file=upload(image_bytes("JPEG", exif=exif)), uploaded_by=citizen)
    assert result.gps is None


@pytest.mark.parametrize(("orientation", "red_corner"), [(6, (19, 0)), (8, (0, 39)), (3, (39, 19))])
def test_exif_orientation_is_applied_before_it_is_dropped(citizen, orientation, red_corner):
    """Stored 40×20 with a red block top-left; a phone held upright wrote orientation 6 (or 8)."""
    out = io.BytesIO()
    marked_image((40, 20)).save(out, "PNG", exif=exif_with(orientation=orientation))

    asset = media_intake(uploaded_file=upload(out.getvalue()), uploaded_by=citizen).asset

    expected_size = (40, 20) if orientation == 3 else (20, 40)
    assert (asset.width, asset.height) == expected_size
    _data, image = stored_image(asset)
    assert image.size == expected_size
    assert len(image.getexif()) == 0
    assert image.convert("RGB").getpixel(red_corner) == (255, 0, 0)
    assert image.convert("RGB").getpixel((0, 0) if red_corner != (0, 0) else (19, 39)) == (255, 255, 255)


def test_a_sideways_jpeg_comes_out_upright(citizen):
    original = image_bytes("JPEG", (64, 48), exif=exif_with(orientation=6))
    asset = media_intake(uploaded_file=upload(original), uploaded_by=citizen).asset
    assert (asset.width, asset.height) == (48, 64)
    assert stored_image(asset)[1].size == (48, 64)


def test_the_colour_profile_is_applied_and_dropped(citizen):
    original = image_bytes("JPEG", (16, 16), icc_profile=srgb_icc_profile())
    assert Image.open(io.BytesIO(original)).info.get("icc_profile")

    asset = media_intake(uploaded_file=upload(original), uploaded_by=citizen).asset

    assert "icc_profile" not in stored_image(asset)[1].info


def test_a_palette_png_with_transparency_keeps_it(citizen):
    image = Image.new("P", (8, 8), 0)
    image.putpalette([255, 0, 0, 0, 0, 255])
    image.putpixel((0, 0), 1)
    out = io.BytesIO()
    image.save(out, "PNG", transparency=0)

    asset = media_intake(uploaded_file=upload(out.getvalue(), "a.png", "image/png"), uploaded_by=citizen).asset

    stored = stored_image(asset)[1]
    assert stored.mode == "RGBA"
    assert stored.getpixel((1, 1)) == (255, 0, 0, 0)
    assert stored.getpixel((0, 0)) == (0, 0, 255, 255)


# --- refusals: the right code, a message for people, and nothing stored -----------------------


def refused(uploaded, user, media_root) -> MediaRejected:
    with pytest.raises(MediaRejected) as caught:
        media_intake(uploaded_file=uploaded, uploaded_by=user)
    assert MediaAsset.objects.count() == 0
    assert stored_files(media_root) == []
    return caught.value


def test_text_with_a_jpeg_name_is_refused(citizen, media_root):
    error = refused(upload(b"I am not a photo, just a text file.\n"), citizen, media_root)
    assert error.code == "unsupported_type"
    assert error.status == 400
    with translation.override("en"):
        assert str(error.message) == (
            "This file is not a supported photo or video. Photos: JPEG, PNG, WEBP, AVIF; videos: MP4, MOV, WEBM."
        )
        assert [str(m) for m in error.fields["file"]] == [str(error.message)]
    with translation.override("uk"):
        assert str(error.message) == (
            "Цей файл не є підтримуваним фото чи відео. Фото: JPEG, PNG, WEBP, AVIF; відео: MP4, MOV, WEBM."
        )


def test_a_gif_is_refused(citizen, media_root):
    assert refused(upload(image_bytes("GIF"), "a.gif", "image/gif"), citizen, media_root).code == "unsupported_type"


def test_heic_is_refused_with_advice(citizen, media_root):
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 200
    error = refused(upload(heic, "IMG_0001.HEIC", "image/heic"), citizen, media_root)
    assert error.code == "unsupported_type"
    with translation.override("uk"):
        assert str(error.message) == (
            "Фото у форматі HEIC/HEIF не підтримуються. Надішліть фото як JPEG "
            "(на iPhone: Параметри → Камера → Формати → Найсумісніший)."
        )


def test_a_truncated_jpeg_is_refused(citizen, media_root):
    whole = noise_bytes("JPEG", (200, 150))
    error = refused(upload(whole[: len(whole) // 2]), citizen, media_root)
    assert error.code == "corrupt_file"
    with translation.override("en"):
        assert str(error.message) == "The file is damaged or incomplete and cannot be read."


def test_a_jpeg_header_with_garbage_after_it_is_refused(citizen, media_root):
    assert refused(upload(b"\xff\xd8\xff\xe0" + b"\x13" * 500), citizen, media_root).code == "corrupt_file"


def test_an_empty_file_is_refused(citizen, media_root):
    error = refused(upload(b""), citizen, media_root)
    assert error.code == "empty_file"


def test_a_png_decompression_bomb_is_refused_from_its_header(citizen, media_root, monkeypatch):
    bomb = png_bomb(30000, 30000)
    assert len(bomb) < 200_000  # 900 megapixels in ~110 KB
    decoded = []
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self) or None)

    started = time.perf_counter()
    error = refused(upload(bomb, "bomb.png", "image/png"), citizen, media_root)
    elapsed = time.perf_counter() - started

    assert error.code == "image_too_large"
    assert decoded == []  # not a single pixel was decoded
    assert elapsed < 1.0
    with translation.override("en"):
        assert str(error.message) == "The photo has too many pixels: at most 40 megapixels are accepted."


def test_our_pixel_limit_applies_below_pillows_own(citizen, media_root, settings):
    settings.OPENCITY_MAX_IMAGE_PIXELS = 2_000_000
    error = refused(upload(png_bomb(2001, 1000), "big.png"), citizen, media_root)
    assert error.code == "image_too_large"
    with translation.override("uk"):
        assert str(error.message) == "Роздільна здатність фото завелика: приймаємо щонайбільше 2 Мп."
    accepted = media_intake(uploaded_file=upload(png_bomb(2000, 1000), "ok.png"), uploaded_by=citizen).asset
    assert (accepted.width, accepted.height) == (2000, 1000)


def test_an_oversized_photo_is_refused(citizen, media_root, settings):
    settings.OPENCITY_MAX_PHOTO_MB = 1
    photo = noise_bytes("PNG", (700, 700))
    assert 1024 * 1024 < len(photo) < 15 * 1024 * 1024
    error = refused(upload(photo, "big.png"), citizen, media_root)
    assert error.code == "file_too_large"
    with translation.override("en"):
        assert str(error.message) == "The photo is larger than 1 MB."
    with translation.override("uk"):
        assert str(error.message) == "Розмір фото перевищує 1 МБ."


def test_a_file_larger_than_any_limit_is_refused_before_it_is_read(citizen, media_root, settings):
    settings.OPENCITY_MAX_PHOTO_MB = 1
    settings.OPENCITY_MAX_VIDEO_MB = 1

    class Unreadable(type(upload(b"x"))):
        def chunks(self, chunk_size=None):
            raise AssertionError("read")

    big = Unreadable("big.jpg", b"\xff\xd8\xff" + b"\x00" * (1024 * 1024 + 1), content_type="image/jpeg")
    error = refused(big, citizen, media_root)
    assert error.code == "file_too_large"
    with translation.override("en"):
        assert str(error.message) == "The file is larger than 1 MB."


def test_intake_refuses_to_run_inside_another_transaction_and_leaves_nothing(citizen, media_root):
    """Its row and its file must commit together; nested in a caller's transaction they could not."""
    with pytest.raises(RuntimeError), transaction.atomic():
        media_intake(uploaded_file=upload(image_bytes("JPEG")), uploaded_by=citizen)
    assert MediaAsset.objects.count() == 0
    assert stored_files(media_root) == []
