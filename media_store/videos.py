"""Videos with ffprobe and ffmpeg: check the container, strip its metadata, cut a poster frame.

Every run is a subprocess with a fixed argument list, a timeout, no shell and no standard input.
The input format is always forced (`-f mov` / `-f matroska`, chosen from the file's first bytes) and
only the `file` protocol is allowed, so a crafted upload cannot make ffmpeg read a playlist, a concat
list or a URL. Phones write the place a video was shot into its container (QuickTime `©xyz`, Apple's
`com.apple.quicktime.location.ISO6709`, timed metadata tracks): we keep only the video stream and
the first audio stream, copied bit for bit, and none of the metadata.
"""

from __future__ import annotations

import json
import logging
import math
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from media_store.errors import CorruptFile, ImageTooLarge, NoVideoStream, VideoTooLong
from media_store.formats import MediaFormat

logger = logging.getLogger(__name__)

FFPROBE = "ffprobe"
FFMPEG = "ffmpeg"
# A phone's "60 s" clip is often a few hundredths longer; do not refuse it for that.
DURATION_GRACE_SECONDS = 0.5


class MediaToolError(RuntimeError):
    """ffmpeg or ffprobe failed or timed out on a file we had already accepted (processing)."""


@dataclass(frozen=True)
class VideoProbe:
    """What ffprobe says about a video: the stream we keep and the picture as it is shown."""

    video_stream_index: int
    audio_stream_index: int | None
    width: int  # after the rotation the container asks for (portrait phone videos)
    height: int
    duration_seconds: float | None


@dataclass(frozen=True)
class SanitizedVideo:
    path: Path
    format: MediaFormat
    width: int
    height: int
    duration_seconds: float


def _run(args: list[str], *, timeout: int | None = None) -> subprocess.CompletedProcess:
    timeout = timeout or settings.OPENCITY_FFMPEG_TIMEOUT_SECONDS
    return subprocess.run(args, capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL)


def video_probe(*, path: Path, media_format: MediaFormat) -> VideoProbe:
    """Read the container with ffprobe; CorruptFile if it cannot, NoVideoStream if it holds no video."""
    args = [
        FFPROBE, "-v", "error", "-hide_banner", "-protocol_whitelist", "file",
        "-f", media_format.demuxer, "-show_format", "-show_streams", "-of", "json", "-i", str(path),
    ]  # fmt: skip
    try:
        completed = _run(args)
    except subprocess.TimeoutExpired as error:
        raise CorruptFile() from error
    if completed.returncode != 0:
        logger.info("ffprobe refused a %s upload: %s", media_format.name, completed.stderr[-500:])
        raise CorruptFile()
    try:
        data = json.loads(completed.stdout)
    except ValueError as error:
        raise CorruptFile() from error
    streams = data.get("streams") or []
    videos = [
        s for s in streams
        if s.get("codec_type") == "video" and not (s.get("disposition") or {}).get("attached_pic")
    ]  # fmt: skip
    if not videos:
        raise NoVideoStream()
    video = videos[0]
    width, height = _int(video.get("width")), _int(video.get("height"))
    if not width or not height or not video.get("codec_name"):
        raise CorruptFile()
    if _rotation(video) in (90, 270):
        width, height = height, width
    audio = next((s for s in streams if s.get("codec_type") == "audio" and s.get("codec_name")), None)
    duration = _float((data.get("format") or {}).get("duration")) or _float(video.get("duration"))
    return VideoProbe(
        video_stream_index=int(video["index"]),
        audio_stream_index=int(audio["index"]) if audio else None,
        width=width,
        height=height,
        duration_seconds=duration,
    )


def video_sanitize(
    *, source: Path, destination: Path, media_format: MediaFormat, max_seconds: int, max_pixels: int
) -> SanitizedVideo:
    """Check the video at `source` and write a copy without any metadata to `destination`.

    The streams are copied, not re-encoded (fast, lossless). The duration is measured on the copy
    too: browser recordings (MediaRecorder WebM) carry none until they are remuxed."""
    probe = video_probe(path=source, media_format=media_format)
    if probe.width * probe.height > max_pixels:
        raise ImageTooLarge(kind="video", limit_pixels=max_pixels)
    _check_duration(probe.duration_seconds, max_seconds)

    args = [
        FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
        "-protocol_whitelist", "file", "-f", media_format.demuxer, "-i", str(source),
        "-map", f"0:{probe.video_stream_index}",
    ]  # fmt: skip
    if probe.audio_stream_index is not None:
        args += ["-map", f"0:{probe.audio_stream_index}"]
    args += [
        "-c", "copy", "-map_metadata", "-1", "-map_chapters", "-1",
        # No "encoder" tags naming our ffmpeg build either.
        "-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
    ]  # fmt: skip
    if media_format.muxer in ("mp4", "mov"):
        args += ["-movflags", "+faststart"]  # the index first: browsers start playing at once
    args += ["-f", media_format.muxer, str(destination)]
    try:
        completed = _run(args)
    except subprocess.TimeoutExpired as error:
        raise CorruptFile() from error
    if completed.returncode != 0 or not destination.exists() or destination.stat().st_size == 0:
        logger.info("ffmpeg could not remux a %s upload: %s", media_format.name, completed.stderr[-500:])
        raise CorruptFile()

    stored = video_probe(path=destination, media_format=media_format)
    if stored.duration_seconds is None:
        raise CorruptFile()
    _check_duration(stored.duration_seconds, max_seconds)
    return SanitizedVideo(
        path=destination,
        format=media_format,
        width=stored.width,
        height=stored.height,
        duration_seconds=round(stored.duration_seconds, 3),
    )


def video_poster_frame(*, source: Path, destination: Path, media_format: MediaFormat, duration: float) -> None:
    """Write one frame of the stored video as PNG: at 1 s, or the first frame of a shorter video.

    ffmpeg turns the frame upright as the container's rotation says. Raises MediaToolError."""
    offsets = ["1", "0"] if duration > 1 else ["0"]
    for offset in offsets:
        args = [
            FFMPEG, "-nostdin", "-hide_banner", "-loglevel", "error", "-y",
            "-protocol_whitelist", "file", "-f", media_format.demuxer, "-ss", offset, "-i", str(source),
            "-map", "0:v:0", "-frames:v", "1", "-f", "image2", "-c:v", "png", str(destination),
        ]  # fmt: skip
        try:
            completed = _run(args)
        except subprocess.TimeoutExpired as error:
            raise MediaToolError(f"ffmpeg timed out cutting a poster at {offset} s") from error
        if completed.returncode == 0 and destination.exists() and destination.stat().st_size > 0:
            return
        logger.info("no poster frame at %s s: %s", offset, completed.stderr[-500:])
    raise MediaToolError("ffmpeg could not cut a poster frame: " + completed.stderr.decode(errors="replace")[-500:])


def _check_duration(seconds: float | None, max_seconds: int) -> None:
    if seconds is not None and seconds > max_seconds + DURATION_GRACE_SECONDS:
        raise VideoTooLong(seconds=seconds, limit_seconds=max_seconds)


def _rotation(stream: dict) -> int:
    """The display rotation in degrees (0, 90, 180, 270) from the stream's display matrix."""
    for side_data in stream.get("side_data_list") or []:
        if "rotation" in side_data:
            return int(round(float(side_data["rotation"]))) % 360
    rotate = (stream.get("tags") or {}).get("rotate")  # what older ffmpeg versions report
    return int(rotate) % 360 if rotate and str(rotate).lstrip("-").isdigit() else 0


def _int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _float(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and number >= 0 else None
