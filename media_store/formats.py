"""What a file is, from its first bytes — never from its name or the type the browser declared.

`sniff()` is plain Python on the file's head. It only decides which checker looks at the file
(Pillow for photos, ffprobe for videos, pypdf for PDF documents) and with which decoder: each
checker then confirms the format by decoding (or, for a PDF, by parsing it). Forcing the decoder
matters for videos: left to guess, ffmpeg would happily open a playlist or a concat script that
points at other files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from PIL import features

HEAD_BYTES = 4096  # enough for an ISO-BMFF `ftyp` box with many brands, and the EBML header

Kind = Literal["photo", "video", "document"]

# What most callers take (a map report: pictures only); documents only where the caller says so.
PICTURE_KINDS: frozenset[Kind] = frozenset({"photo", "video"})
ALL_KINDS: frozenset[Kind] = frozenset({"photo", "video", "document"})


@dataclass(frozen=True)
class MediaFormat:
    """A format we accept, and how we check, store and serve it."""

    name: str
    kind: Kind
    content_type: str
    extension: str
    pillow_formats: tuple[str, ...] = ()  # Image.open(formats=…) and what Image.format may say
    demuxer: str = ""  # ffprobe/ffmpeg input format (-f)
    muxer: str = ""  # ffmpeg output format when the metadata is stripped


JPEG = MediaFormat("jpeg", "photo", "image/jpeg", "jpg", pillow_formats=("JPEG", "MPO"))
PNG = MediaFormat("png", "photo", "image/png", "png", pillow_formats=("PNG",))
WEBP = MediaFormat("webp", "photo", "image/webp", "webp", pillow_formats=("WEBP",))
AVIF = MediaFormat("avif", "photo", "image/avif", "avif", pillow_formats=("AVIF",))
MP4 = MediaFormat("mp4", "video", "video/mp4", "mp4", demuxer="mov", muxer="mp4")
MOV = MediaFormat("mov", "video", "video/quicktime", "mov", demuxer="mov", muxer="mov")
WEBM = MediaFormat("webm", "video", "video/webm", "webm", demuxer="matroska", muxer="webm")
PDF = MediaFormat("pdf", "document", "application/pdf", "pdf")

# Not accepted, but recognised so that the refusal can say what to do instead.
HEIC = "heic"


def photo_formats() -> tuple[MediaFormat, ...]:
    """The photo formats this installation reads (AVIF only where Pillow was built with it)."""
    return (JPEG, PNG, WEBP, AVIF) if features.check("avif") else (JPEG, PNG, WEBP)


def video_formats() -> tuple[MediaFormat, ...]:
    return (MP4, MOV, WEBM)


def document_formats() -> tuple[MediaFormat, ...]:
    return (PDF,)


def all_content_types() -> list[str]:
    """Every content type media_store may hold, whatever this installation reads (for fixed schemas)."""
    return sorted({f.content_type for f in (JPEG, PNG, WEBP, AVIF, MP4, MOV, WEBM, PDF)})


_AVIF_BRANDS = {b"avif", b"avis"}
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"heif"}
# Old QuickTime files start with one of these atoms instead of `ftyp`.
_QUICKTIME_FIRST_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}
_EBML_MAGIC = b"\x1a\x45\xdf\xa3"
_EBML_DOCTYPE = b"\x42\x82"
_PDF_MAGIC = b"%PDF-"


def sniff(head: bytes) -> MediaFormat | str | None:
    """The format the first bytes announce: a MediaFormat, `HEIC`, or None when we do not know it."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[4:8] == b"ftyp":
        return _sniff_iso_bmff(head)
    if head[4:8] in _QUICKTIME_FIRST_ATOMS:
        return MOV
    if head.startswith(_EBML_MAGIC):
        return WEBM if _ebml_doctype(head) == b"webm" else None
    if head.startswith(_PDF_MAGIC):
        return PDF
    return None


def _sniff_iso_bmff(head: bytes) -> MediaFormat | str | None:
    """ISO base media files (MP4, QuickTime, HEIF, AVIF) say what they are in their `ftyp` brands."""
    box_size = int.from_bytes(head[0:4], "big")
    major = head[8:12]
    compatible = head[16 : min(max(box_size, 16), len(head))]
    brands = {major} | {compatible[i : i + 4] for i in range(0, len(compatible) - 3, 4)}
    if brands & _AVIF_BRANDS:
        return AVIF if AVIF in photo_formats() else None
    if brands & _HEIF_BRANDS:
        return HEIC
    if major == b"qt  ":
        return MOV
    # isom, mp41, mp42, avc1, dash, M4V … and whatever else a phone writes: ffprobe decides whether
    # there is a video in it (an M4A audio file is refused there for having none).
    return MP4


def _ebml_doctype(head: bytes) -> bytes | None:
    """The DocType of a Matroska/WebM file ("webm" or "matroska") from its EBML header."""
    at = head.find(_EBML_DOCTYPE, 4, 64)
    if at < 0 or at + 3 > len(head):
        return None
    first = head[at + 2]
    length = 1
    while length <= 8 and not first & (0x80 >> (length - 1)):
        length += 1
    if length > 8:
        return None
    size = first & (0xFF >> length)
    for byte in head[at + 3 : at + 2 + length]:
        size = (size << 8) | byte
    start = at + 2 + length
    return head[start : start + size]
