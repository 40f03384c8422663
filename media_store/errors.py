"""Why an upload was refused: one exception class per stable code, each with a message for people.

All are `InvalidInput` (400) and put their message on the `file` field, so the API's error shape is
{"code": "file_too_large", "detail": "…", "fields": {"file": ["…"]}}. Messages are lazy: they are
rendered in the language active when they are shown.
"""

from __future__ import annotations

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from opencity.errors import Conflict, InvalidInput


class MediaRejected(InvalidInput):
    """An upload refused because of what the file is or contains; nothing was stored."""

    code = "media_rejected"

    def __init__(self, message) -> None:
        super().__init__(message, fields={"file": [message]})


class UnsupportedType(MediaRejected):
    code = "unsupported_type"

    def __init__(self, *, photo_formats: str, video_formats: str) -> None:
        super().__init__(
            format_lazy(
                _("This file is not a supported photo or video. Photos: {photo_formats}; videos: {video_formats}."),
                photo_formats=photo_formats,
                video_formats=video_formats,
            )
        )


class DocumentNotAccepted(UnsupportedType):
    """A PDF where only photos and videos are taken (a map report is public: no documents there)."""

    def __init__(self) -> None:
        MediaRejected.__init__(self, _("A PDF document cannot be attached here: only photos and videos are accepted."))


class UnsupportedDocumentOrPicture(UnsupportedType):
    """Neither a photo, a video nor a PDF, where all three are taken (an appeal)."""

    def __init__(self, *, photo_formats: str, video_formats: str) -> None:
        MediaRejected.__init__(
            self,
            format_lazy(
                _(
                    "This file is not a supported photo, video or PDF document. Photos: {photo_formats}; "
                    "videos: {video_formats}; documents: PDF."
                ),
                photo_formats=photo_formats,
                video_formats=video_formats,
            ),
        )


class HeicNotSupported(UnsupportedType):
    """HEIC/HEIF (iPhone's "High Efficiency" photos): Pillow cannot read them."""

    def __init__(self) -> None:
        MediaRejected.__init__(
            self,
            _(
                "HEIC/HEIF photos are not supported. Please send the photo as JPEG "
                "(on an iPhone: Settings → Camera → Formats → Most Compatible)."
            ),
        )


class EmptyFile(MediaRejected):
    code = "empty_file"

    def __init__(self) -> None:
        super().__init__(_("The file is empty."))


class CorruptFile(MediaRejected):
    code = "corrupt_file"

    def __init__(self) -> None:
        super().__init__(_("The file is damaged or incomplete and cannot be read."))


class FileTooLarge(MediaRejected):
    code = "file_too_large"

    def __init__(self, *, kind: str | None, limit_mb: int) -> None:
        if kind == "photo":
            message = _("The photo is larger than {limit} MB.")
        elif kind == "video":
            message = _("The video is larger than {limit} MB.")
        elif kind == "document":
            message = _("The PDF document is larger than {limit} MB.")
        else:
            message = _("The file is larger than {limit} MB.")
        super().__init__(format_lazy(message, limit=limit_mb))


class ImageTooLarge(MediaRejected):
    code = "image_too_large"

    def __init__(self, *, kind: str, limit_pixels: int) -> None:
        limit = f"{limit_pixels / 1_000_000:g}"
        if kind == "video":
            message = _("The video's picture is too large: at most {limit} megapixels are accepted.")
        else:
            message = _("The photo has too many pixels: at most {limit} megapixels are accepted.")
        super().__init__(format_lazy(message, limit=limit))


class VideoTooLong(MediaRejected):
    code = "video_too_long"

    def __init__(self, *, seconds: float, limit_seconds: int) -> None:
        super().__init__(
            format_lazy(
                _("The video is {seconds} s long: at most {limit} s are accepted."),
                seconds=round(seconds),
                limit=limit_seconds,
            )
        )


class NoVideoStream(MediaRejected):
    code = "no_video_stream"

    def __init__(self) -> None:
        super().__init__(_("The file has no video in it (only sound or data)."))


class EncryptedDocument(MediaRejected):
    """A password-protected or encrypted PDF: nobody at the council could be sure to open it."""

    code = "encrypted_document"

    def __init__(self) -> None:
        super().__init__(_("The PDF document is protected by a password or encrypted. Please send it without one."))


class MediaUnavailable(Conflict):
    """Attaching assets that are missing, failed, or already attached to something else."""

    code = "media_unavailable"

    def __init__(self) -> None:
        message = _("A photo or video is no longer available: upload it again.")
        super().__init__(message, fields={"media": [message]})
