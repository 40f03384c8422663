"""Photos with Pillow: check, read the GPS position, turn upright, strip metadata, make derivatives.

Order matters for privacy and safety:
1. open lazily (header only) with only the decoder the file's first bytes announced;
2. refuse too many pixels from the header, before anything is decoded (decompression bombs);
3. read the EXIF GPS position (returned to the uploader, never stored);
4. decode — a truncated or damaged file is refused here;
5. apply the EXIF orientation, convert colours to sRGB, and re-encode from the pixels alone, so no
   EXIF, XMP, ICC profile or comment survives.
"""

from __future__ import annotations

import io
import logging
import math
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from PIL import ExifTags, Image, ImageCms, ImageOps

from media_store.errors import CorruptFile, ImageTooLarge
from media_store.formats import AVIF, JPEG, PNG, WEBP, MediaFormat

logger = logging.getLogger(__name__)

# How the sanitized original is re-encoded, per format. Derivatives are always WebP.
_SAVE_OPTIONS: dict[str, dict] = {
    JPEG.name: {"format": "JPEG", "quality": 90},
    PNG.name: {"format": "PNG", "compress_level": 6},
    WEBP.name: {"format": "WEBP", "quality": 90, "method": 4},
    AVIF.name: {"format": "AVIF", "quality": 80, "speed": 8},
}
DERIVATIVE_FORMAT = MediaFormat("webp", "photo", "image/webp", "webp", pillow_formats=("WEBP",))
_DERIVATIVE_OPTIONS = {"format": "WEBP", "quality": 80, "method": 4}

# What Pillow reports for a file with no metadata at all (JPEG's JFIF header, PNG's resolution).
HARMLESS_INFO_KEYS = frozenset(
    {
        "jfif",
        "jfif_version",
        "jfif_unit",
        "jfif_density",
        "dpi",
        "progressive",
        "progression",
        "adobe",
        "adobe_transform",
        "loop",
        "duration",
        "background",
    }
)


class GpsPosition(NamedTuple):
    """Where a photo was taken, WGS84 degrees, as the camera wrote it in EXIF."""

    lat: float
    lon: float


@dataclass(frozen=True)
class SanitizedPhoto:
    """A checked photo, upright and re-encoded without metadata, written to `path`."""

    path: Path
    format: MediaFormat
    width: int
    height: int
    gps: GpsPosition | None


def photo_sanitize(*, source: Path, destination: Path, media_format: MediaFormat, max_pixels: int) -> SanitizedPhoto:
    """Check the photo at `source` and write its upright, metadata-free copy to `destination`.

    Raises ImageTooLarge before decoding anything when width × height exceeds `max_pixels`, and
    CorruptFile when the file cannot be decoded as the format its first bytes announce."""
    with warnings.catch_warnings():
        # Pillow's own bomb guard warns between its limit and twice it; ours is applied just below.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            image = Image.open(source, formats=list(media_format.pillow_formats))
        except Image.DecompressionBombError as error:
            raise ImageTooLarge(kind="photo", limit_pixels=max_pixels) from error
        except Exception as error:  # any failure to parse the header means a bad file
            raise CorruptFile() from error

    with image:
        if image.format not in media_format.pillow_formats:
            raise CorruptFile()
        if image.width * image.height > max_pixels:
            raise ImageTooLarge(kind="photo", limit_pixels=max_pixels)
        gps = _gps_from_exif(image)
        try:
            image.load()
        except Exception as error:  # decoders raise many kinds of errors on bad data
            raise CorruptFile() from error
        upright = _upright(image)

    clean = _to_srgb(upright)
    clean = _mode_for(media_format, clean)
    clean.info = {}  # the only way metadata could reach the encoder; we pass none explicitly either
    clean.save(destination, **_SAVE_OPTIONS[media_format.name])
    photo_assert_no_metadata(destination)
    return SanitizedPhoto(path=destination, format=media_format, width=clean.width, height=clean.height, gps=gps)


def photo_derivative(*, source: Path | io.BytesIO, destination: Path, long_edge: int) -> tuple[int, int]:
    """Write a WebP no larger than `long_edge` on its longer side from an already sanitized image;
    return its size. Smaller images keep their size (never upscaled)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(source) as image:
            # thumbnail() lets the JPEG decoder scale down while decoding (draft): much less work.
            image.thumbnail((long_edge, long_edge), Image.Resampling.LANCZOS)
            image = image.convert("RGBA" if _has_alpha(image) else "RGB")
            image.info = {}
            image.save(destination, **_DERIVATIVE_OPTIONS)
            return image.size


def photo_assert_no_metadata(path: Path) -> None:
    """Refuse to go on if an encoded file still carries EXIF, XMP, an ICC profile or a comment.

    A guard against a future Pillow copying metadata through: it reads only the header."""
    with Image.open(path) as written:
        leftovers = set(written.info) - HARMLESS_INFO_KEYS - {"transparency"}
        if leftovers or len(written.getexif()):
            raise RuntimeError(f"metadata left in a sanitized image: {sorted(leftovers) or 'EXIF'}")


def _gps_from_exif(image: Image.Image) -> GpsPosition | None:
    """The EXIF GPS position, or None when there is none or it makes no sense."""
    try:
        gps = image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        lat = _degrees(gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "S")
        lon = _degrees(gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), "W")
    except Exception:  # malformed EXIF only means we have no position to offer
        logger.info("unreadable EXIF GPS block ignored", exc_info=True)
        return None
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if lat == 0 and lon == 0:  # what cameras write when they had no fix ("null island")
        return None
    return GpsPosition(round(lat, 6), round(lon, 6))


def _degrees(value, ref, negative_ref: str) -> float | None:
    """EXIF degrees/minutes/seconds (rationals) and a hemisphere letter as signed decimal degrees."""
    if value is None or ref is None:
        return None
    parts = [float(part) for part in (value if isinstance(value, tuple | list) else (value,))]
    if not 1 <= len(parts) <= 3 or not all(math.isfinite(part) and part >= 0 for part in parts):
        return None
    degrees = sum(part / 60**i for i, part in enumerate(parts))
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "replace")
    ref = str(ref).strip("\x00 ").upper()
    if ref not in ("N", "S", "E", "W"):
        return None
    return -degrees if ref == negative_ref else degrees


def _upright(image: Image.Image) -> Image.Image:
    """The image turned as the EXIF orientation says (a phone held sideways writes 6 or 8)."""
    try:
        return ImageOps.exif_transpose(image)
    except Exception:  # a broken orientation tag: keep the pixels as they are
        logger.info("unreadable EXIF orientation ignored", exc_info=True)
        return image.copy()


_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _to_srgb(image: Image.Image) -> Image.Image:
    """Convert pixels described by an embedded ICC profile (Display P3 on phones, CMYK in print
    files) to sRGB, so the profile can be dropped without changing how the photo looks."""
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK", "L"):
        return image
    try:
        profile = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        output_mode = "RGBA" if image.mode == "RGBA" else "RGB"
        converted = ImageCms.profileToProfile(image, profile, _SRGB, outputMode=output_mode)
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        logger.info("embedded ICC profile could not be applied; dropped", exc_info=True)
        return image
    return converted if converted is not None else image


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)


def _mode_for(media_format: MediaFormat, image: Image.Image) -> Image.Image:
    """A pixel mode the target encoder takes and browsers show the same everywhere."""
    if media_format is JPEG:
        return image if image.mode in ("RGB", "L") else image.convert("RGB")
    if image.mode in ("RGB", "RGBA", "L", "LA"):
        return image
    if _has_alpha(image):
        return image.convert("RGBA")
    if image.mode.startswith("I"):
        # 16/32-bit grey (scientific PNGs): scale to 8 bits rather than clip.
        return image.point(lambda value: value / 256).convert("L")
    return image.convert("RGB")
