"""Fixtures for the media tests: a private MEDIA_ROOT per test, users, and videos made once per run."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache

from tests.factories import UserFactory
from tests.media_store.media import ffmpeg, make_video


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    """Every test stores into its own empty directory, so "nothing was stored" can be checked exactly."""
    root = tmp_path / "media-root"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture(autouse=True)
def _fresh_throttle_counters():
    cache.clear()  # the upload throttle counts in the (per-process) cache
    yield
    cache.clear()


def stored_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


@pytest.fixture
def citizen(db):
    return UserFactory(username="olena")


@pytest.fixture
def other_citizen(db):
    return UserFactory(username="taras")


@pytest.fixture(scope="session")
def video_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("videos")


@pytest.fixture(scope="session")
def mp4_video(video_dir) -> bytes:
    """3 s, 320×240, H.264 + AAC, with the place and a title in the container's metadata."""
    return make_video(
        video_dir / "clip.mp4",
        audio=True,
        extra=("-metadata", "location=+49.3489+023.5056/", "-metadata", "title=Olena's street"),
    )


@pytest.fixture(scope="session")
def mov_video(video_dir) -> bytes:
    """A QuickTime file as an iPhone writes it: the location in `©xyz`, recorded sideways (rotation 90)."""
    plain = video_dir / "plain.mov"
    make_video(plain, seconds=2, size="320x240")
    rotated = video_dir / "clip.mov"
    ffmpeg(
        "-i",
        str(plain),
        "-c",
        "copy",
        "-metadata",
        "location=+49.3489+023.5056/",
        "-metadata",
        "com.apple.quicktime.make=Apple",
        "-metadata:s:v:0",
        "rotate=90",
        "-f",
        "mov",
        str(rotated),
    )
    return rotated.read_bytes()


@pytest.fixture(scope="session")
def webm_video(video_dir) -> bytes:
    return make_video(
        video_dir / "clip.webm",
        seconds=2,
        size="160x120",
        codec="libvpx",
        audio=True,
        extra=("-metadata", "title=secret"),
    )


@pytest.fixture(scope="session")
def short_video(video_dir) -> bytes:
    """Shorter than a second: the poster comes from the first frame."""
    return make_video(video_dir / "short.mp4", seconds=0.4, size="64x48", rate=10)


@pytest.fixture(scope="session")
def long_video(video_dir) -> bytes:
    """61 seconds at 16×16, one frame a second: a few kilobytes."""
    return make_video(video_dir / "long.mp4", seconds=61, size="16x16", rate=1, source="color=c=black")


@pytest.fixture(scope="session")
def noisy_video(video_dir) -> bytes:
    """About 2.5 MB (lossless noise), to exceed a 1 MB video limit."""
    path = video_dir / "noise.mp4"
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        "nullsrc=s=256x256:r=25,geq=random(1)*255:128:128",
        "-t",
        "1",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-qp",
        "0",
        "-pix_fmt",
        "yuv420p",
        str(path),
    )
    return path.read_bytes()


@pytest.fixture(scope="session")
def audio_only(video_dir) -> bytes:
    path = video_dir / "voice.m4a"
    ffmpeg("-f", "lavfi", "-i", "sine=duration=1", "-c:a", "aac", str(path))
    return path.read_bytes()


@pytest.fixture(scope="session")
def mkv_video(video_dir) -> bytes:
    return make_video(video_dir / "clip.mkv", seconds=1, size="64x48", codec="libvpx")
