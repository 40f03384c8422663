"""Video intake: ffprobe checks the container, the metadata (and the place) is stripped, limits hold."""

import json
import subprocess

import pytest
from django.utils import translation

from media_store.errors import MediaRejected
from media_store.models import MediaAsset
from media_store.services import media_intake
from tests.media_store.conftest import stored_files
from tests.media_store.media import upload

pytestmark = pytest.mark.django_db


def probe(path) -> dict:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_format", "-show_streams", "-of", "json", str(path)],
        capture_output=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout)


def test_mp4_is_stored_without_its_place_or_title(citizen, media_root, mp4_video):
    original_tags = probe_bytes(mp4_video, media_root.parent / "in.mp4")["format"]["tags"]
    assert original_tags["location"] == "+49.3489+023.5056/" and original_tags["title"] == "Olena's street"

    result = media_intake(uploaded_file=upload(mp4_video, "clip.mp4", "video/mp4"), uploaded_by=citizen)

    assert result.gps is None
    asset = MediaAsset.objects.get()
    assert (asset.kind, asset.status, asset.content_type) == ("video", "pending", "video/mp4")
    assert (asset.width, asset.height, asset.duration_seconds) == (320, 240, 3.0)
    assert asset.file.name == f"uploads/{asset.public_id.hex[:2]}/{asset.public_id}/original.mp4"
    assert stored_files(media_root) == [asset.file.name]
    stored = probe(asset.file.path)
    assert stored["format"]["tags"] == {
        "major_brand": "isom",
        "minor_version": "512",
        "compatible_brands": "isomiso2avc1mp41",
    }
    assert [(s["codec_type"], s["codec_name"]) for s in stored["streams"]] == [("video", "h264"), ("audio", "aac")]
    for stream in stored["streams"]:
        assert set(stream.get("tags", {})) <= {"language", "handler_name", "vendor_id"}
    assert asset.size_bytes == (media_root / asset.file.name).stat().st_size


def test_mov_loses_its_location_atom_but_keeps_its_rotation(citizen, media_root, mov_video):
    assert b"+49.3489+023.5056/" in mov_video  # QuickTime keeps ©xyz as text

    asset = media_intake(uploaded_file=upload(mov_video, "IMG_0042.MOV", "video/quicktime"), uploaded_by=citizen).asset

    assert (asset.content_type, asset.width, asset.height, asset.duration_seconds) == ("video/quicktime", 240, 320, 2.0)
    data = (media_root / asset.file.name).read_bytes()
    assert b"+49.3489" not in data and b"Apple" not in data
    stored = probe(asset.file.path)
    assert set(stored["format"]["tags"]) == {"major_brand", "minor_version", "compatible_brands"}
    video = stored["streams"][0]
    assert video["side_data_list"][0]["rotation"] == 90  # shown upright, as it was filmed


def test_webm_is_accepted(citizen, media_root, webm_video):
    asset = media_intake(uploaded_file=upload(webm_video, "clip.webm", "video/webm"), uploaded_by=citizen).asset
    # 2.021 s, not 2: the Opus audio track starts with its encoder's pre-roll.
    assert (asset.content_type, asset.width, asset.height, asset.duration_seconds) == ("video/webm", 160, 120, 2.021)
    assert asset.file.name.endswith("/original.webm")
    stored = probe(asset.file.path)
    assert "title" not in {key.lower() for key in stored["format"].get("tags", {})}
    assert [s["codec_name"] for s in stored["streams"]] == ["vp8", "opus"]


def test_a_video_with_a_photo_name_is_still_a_video(citizen, mp4_video):
    asset = media_intake(uploaded_file=upload(mp4_video, "photo.jpg", "image/jpeg"), uploaded_by=citizen).asset
    assert (asset.kind, asset.content_type) == ("video", "video/mp4")


def refused(uploaded, user, media_root) -> MediaRejected:
    with pytest.raises(MediaRejected) as caught:
        media_intake(uploaded_file=uploaded, uploaded_by=user)
    assert MediaAsset.objects.count() == 0
    assert stored_files(media_root) == []
    return caught.value


def test_a_61_second_video_is_refused(citizen, media_root, long_video):
    error = refused(upload(long_video, "long.mp4", "video/mp4"), citizen, media_root)
    assert error.code == "video_too_long"
    with translation.override("en"):
        assert str(error.message) == "The video is 61 s long: at most 60 s are accepted."
    with translation.override("uk"):
        assert str(error.message) == "Тривалість відео — 61 с: приймаємо щонайбільше 60 с."


def test_the_duration_limit_is_a_setting(citizen, media_root, settings, mp4_video):
    settings.OPENCITY_MAX_VIDEO_SECONDS = 2
    error = refused(upload(mp4_video, "clip.mp4", "video/mp4"), citizen, media_root)
    assert error.code == "video_too_long"


def test_an_oversized_video_is_refused(citizen, media_root, settings, noisy_video):
    settings.OPENCITY_MAX_VIDEO_MB = 1
    assert 1024 * 1024 < len(noisy_video) < 15 * 1024 * 1024  # under the photo limit, over the video one
    error = refused(upload(noisy_video, "noise.mp4", "video/mp4"), citizen, media_root)
    assert error.code == "file_too_large"
    with translation.override("en"):
        assert str(error.message) == "The video is larger than 1 MB."


def test_a_truncated_video_is_refused(citizen, media_root, mp4_video):
    error = refused(upload(mp4_video[: len(mp4_video) // 3], "cut.mp4", "video/mp4"), citizen, media_root)
    assert error.code == "corrupt_file"


def test_sound_only_is_refused(citizen, media_root, audio_only):
    error = refused(upload(audio_only, "voice.mp4", "video/mp4"), citizen, media_root)
    assert error.code == "no_video_stream"
    with translation.override("uk"):
        assert str(error.message) == "У файлі немає відео (лише звук або дані)."


def test_matroska_that_is_not_webm_is_refused(citizen, media_root, mkv_video):
    assert refused(upload(mkv_video, "clip.webm", "video/webm"), citizen, media_root).code == "unsupported_type"


def test_a_video_frame_over_the_pixel_limit_is_refused(citizen, media_root, settings, mp4_video):
    settings.OPENCITY_MAX_IMAGE_PIXELS = 320 * 240 - 1
    error = refused(upload(mp4_video, "clip.mp4", "video/mp4"), citizen, media_root)
    assert error.code == "image_too_large"


def test_an_mp4_playlist_trick_cannot_make_ffmpeg_read_other_files(citizen, media_root, tmp_path):
    """An HLS playlist dressed as MP4 (an `ftyp` head) is read with the MP4 demuxer only."""
    secret = tmp_path / "secret.txt"
    secret.write_text("password")
    playlist = (
        b"\x00\x00\x00\x14ftypisom\x00\x00\x02\x00isom\n#EXTM3U\n#EXTINF:1,\n"
        + f"file://{secret}\n#EXT-X-ENDLIST\n".encode()
    )
    assert refused(upload(playlist, "x.mp4", "video/mp4"), citizen, media_root).code == "corrupt_file"


def probe_bytes(data: bytes, path) -> dict:
    path.write_bytes(data)
    return probe(path)
