"""Real media files made on the spot for the tests: Pillow images (with EXIF written through
`Image.Exif`), ffmpeg-generated videos and pypdf-written PDFs. Everything is small so the suite
stays fast."""

from __future__ import annotations

import io
import os
import struct
import subprocess
import zlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ExifTags, Image, ImageCms
from PIL.TiffImagePlugin import IFDRational
from pypdf import PdfWriter

# Drohobych town hall: 49°20'56.04" N, 23°30'20.16" E.
TOWN_HALL_DMS = ((49, 20, "56.04"), (23, 30, "20.16"))
TOWN_HALL = (49.3489, 23.5056)


def _rational(value) -> IFDRational:
    if isinstance(value, str):
        whole, _dot, fraction = value.partition(".")
        return IFDRational(int(whole + fraction), 10 ** len(fraction))
    return IFDRational(value, 1)


def exif_with(
    *,
    gps: tuple = TOWN_HALL_DMS,
    refs: tuple[str, str] = ("N", "E"),
    orientation: int | None = None,
    camera: str = "TestPhone 15",
) -> Image.Exif:
    """EXIF with a GPS position (degrees, minutes, seconds), an orientation and a camera model."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Open City Test"
    exif[ExifTags.Base.Model] = camera
    if orientation is not None:
        exif[ExifTags.Base.Orientation] = orientation
    if gps is not None:
        block = exif.get_ifd(ExifTags.IFD.GPSInfo)
        (lat, lon) = gps
        block[ExifTags.GPS.GPSLatitudeRef] = refs[0]
        block[ExifTags.GPS.GPSLatitude] = tuple(_rational(v) for v in lat)
        block[ExifTags.GPS.GPSLongitudeRef] = refs[1]
        block[ExifTags.GPS.GPSLongitude] = tuple(_rational(v) for v in lon)
    return exif


def image_bytes(
    fmt: str = "JPEG",
    size: tuple[int, int] = (64, 48),
    *,
    color=(200, 40, 40),
    mode: str = "RGB",
    exif: Image.Exif | None = None,
    **save_options,
) -> bytes:
    image = Image.new(mode, size, color)
    out = io.BytesIO()
    if exif is not None:
        save_options["exif"] = exif
    image.save(out, fmt, **save_options)
    return out.getvalue()


def marked_image(size: tuple[int, int] = (40, 20)) -> Image.Image:
    """A white image with a pure red 4×4 block in its stored top-left corner (to follow rotations)."""
    image = Image.new("RGB", size, (255, 255, 255))
    image.paste((255, 0, 0), (0, 0, 4, 4))
    return image


def noise_bytes(fmt: str, size: tuple[int, int]) -> bytes:
    """An incompressible image: its file is about width × height × 3 bytes."""
    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, fmt, **({"quality": 95} if fmt == "JPEG" else {}))
    return out.getvalue()


def png_bomb(width: int = 30000, height: int = 30000) -> bytes:
    """A valid 1-bit PNG of width × height zeros: ~110 KB on disk, 900 megapixels once decoded."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" * (1 + (width + 7) // 8)  # filter byte + packed bits
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def srgb_icc_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


def make_video(
    path: Path,
    *,
    seconds: float = 3,
    size: str = "320x240",
    rate: int = 25,
    audio: bool = False,
    codec: str = "libx264",
    extra: tuple[str, ...] = (),
    source: str = "testsrc",
) -> bytes:
    """A test pattern video (codec by container: H.264 for MP4/MOV, VP8 for WebM)."""
    separator = ":" if "=" in source else "="  # "testsrc" or "color=c=black"
    inputs = ["-f", "lavfi", "-i", f"{source}{separator}duration={seconds}:size={size}:rate={rate}"]
    if audio:
        inputs += ["-f", "lavfi", "-i", f"sine=duration={seconds}"]
    codecs = ["-c:v", codec] + (["-preset", "ultrafast"] if codec == "libx264" else ["-b:v", "200k"])
    if audio:
        codecs += ["-c:a", "libopus" if path.suffix in (".webm", ".mkv") else "aac"]
    ffmpeg(*inputs, *codecs, "-pix_fmt", "yuv420p", *extra, str(path))
    return path.read_bytes()


def upload(content: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    """What Django hands a view for a multipart file field; name and type are the client's claims."""
    return SimpleUploadedFile(name, content, content_type=content_type)


def pdf_bytes(
    pages: int = 2, *, password: str | None = None, attachment: bytes | None = None, title: str = "Відповідь"
) -> bytes:
    """A real PDF of blank A4 pages, written by pypdf; encrypted (AES-256) with `password`, and
    carrying `attachment` as an embedded file (to make it as large as a test needs)."""
    writer = PdfWriter()
    for _page in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    if attachment is not None:
        writer.add_attachment("annex.bin", attachment)
    if password is not None:
        writer.encrypt(user_password=password, owner_password=password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
