"""How many pictures one report or one action may carry: up to five photos, or one video (a report
is read on a phone: one clip says enough)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from media_store.formats import Kind
from opencity.errors import InvalidInput

MAX_PHOTOS = 5
MAX_VIDEOS = 1


def media_check_set(*, kinds: Iterable[Kind], field: str = "media") -> None:
    """Refuse a set of media kinds ("photo", "video") that mixes photos with a video or has too many,
    or holds a PDF document (uploaded for an appeal: an issue and its pictures are public)."""
    kinds = list(kinds)
    if "document" in kinds:
        message = _("A PDF document cannot be attached here: only photos and videos are accepted.")
        raise InvalidInput(message, code="unsupported_type", fields={field: [message]})
    photos, videos = kinds.count("photo"), kinds.count("video")
    if photos > MAX_PHOTOS or videos > MAX_VIDEOS or (videos and photos):
        message = _("Up to 5 photos or one video.")
        raise InvalidInput(message, code="too_many_files", fields={field: [message]})
