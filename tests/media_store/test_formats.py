"""What a file is, from its first bytes (pure: no database, no decoding)."""

import pytest

from media_store.formats import AVIF, HEIC, JPEG, MOV, MP4, PDF, PNG, WEBM, WEBP, sniff
from media_store.photos import _degrees
from tests.media_store.media import image_bytes, pdf_bytes


@pytest.mark.parametrize(("fmt", "expected"), [("JPEG", JPEG), ("PNG", PNG), ("WEBP", WEBP), ("AVIF", AVIF)])
def test_photos_are_known_by_their_bytes(fmt, expected):
    assert sniff(image_bytes(fmt)[:4096]) is expected


def test_videos_are_known_by_their_bytes(mp4_video, mov_video, webm_video, mkv_video):
    assert sniff(mp4_video[:4096]) is MP4
    assert sniff(mov_video[:4096]) is MOV
    assert sniff(webm_video[:4096]) is WEBM
    assert sniff(mkv_video[:4096]) is None  # Matroska that is not WebM: not accepted


@pytest.mark.parametrize(
    "head",
    [
        b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic",  # iPhone
        b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic",  # Samsung
    ],
)
def test_heic_is_recognised_to_be_refused_with_advice(head):
    assert sniff(head) == HEIC


def test_avif_with_a_generic_major_brand_is_still_avif():
    assert sniff(b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1avifmiaf") is AVIF


def test_old_quicktime_files_without_ftyp_are_mov():
    assert sniff(b"\x00\x00\x00\x08wide\x00\x00\x00\x00mdat") is MOV


@pytest.mark.parametrize(
    "head",
    [
        b"",
        b"hello, this is text",
        b"GIF89a\x01\x00",
        b"BM\x00\x00",
        b"II*\x00",
        b"RIFF\x00\x00\x00\x00WAVE",
    ],
)
def test_anything_else_is_unknown(head):
    assert sniff(head) is None


@pytest.mark.parametrize(
    ("value", "ref", "negative", "expected"),
    [
        ((49.0, 20.0, 56.04), "N", "S", 49.3489),
        ((33.0, 52.0, 4.4), "S", "S", -33.867889),
        ((70.0, 30.0, 0.0), b"W\x00", "W", -70.5),
        ((49.5,), "N", "S", 49.5),
        ((49.0, 20.0, float("nan")), "N", "S", None),
        ((49.0, 20.0, 56.04), "X", "S", None),
        (None, "N", "S", None),
    ],
)
def test_exif_degrees_minutes_seconds(value, ref, negative, expected):
    result = _degrees(value, ref, negative)
    assert (round(result, 6) if result is not None else None) == expected


def test_a_pdf_is_known_by_its_magic_not_its_name():
    assert sniff(pdf_bytes(1)[:4096]) is PDF
    assert sniff(b"%PDF-1.7\n") is PDF
    assert sniff(b"\n%PDF-1.7\n") is None  # the magic must come first
