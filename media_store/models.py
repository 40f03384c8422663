"""Photos, videos and PDF documents: the sanitized original a citizen or an executor uploaded, and
its derivatives.

A **media asset** is created synchronously at upload (checked by content, metadata stripped, stored)
with status `pending`; a background task then makes its derivatives — a web-size image and a
thumbnail for a photo, a poster frame (and its thumbnail) for a video — and marks it `ready`, or
`failed` with the reason. Until then the URL accessors fall back to the sanitized original.
A PDF document (accepted only where the caller allows documents: appeals, never a map report) is
kept exactly as uploaded (a signature in it covers its bytes), has no derivatives and no
dimensions, only its page count, and is `ready` at once.

Assets are addressed by `public_id` (a random UUID) everywhere outside the database; the integer key
never leaves it. This app does not know what an asset is attached to (it must not import `issues`):
`attached_at` records only that something claimed it, and assets never claimed are pruned.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MediaKind(models.TextChoices):
    PHOTO = "photo", _("photo")
    VIDEO = "video", _("video")
    DOCUMENT = "document", _("PDF document")


class MediaStatus(models.TextChoices):
    PENDING = "pending", _("processing")
    READY = "ready", _("ready")
    FAILED = "failed", _("processing failed")


class MediaAssetQuerySet(models.QuerySet):
    def unattached_before(self, moment: datetime) -> MediaAssetQuerySet:
        """Assets nobody attached to anything, uploaded before `moment` (what the prune deletes)."""
        return self.filter(attached_at__isnull=True, created_at__lt=moment)

    def uploaded_by(self, user: AbstractBaseUser) -> MediaAssetQuerySet:
        """Assets the given user uploaded."""
        return self.filter(uploaded_by=user)


class MediaAsset(models.Model):
    """One uploaded photo or video, stored without its metadata, with its derivatives; or one PDF
    document, stored as it came."""

    public_id = models.UUIDField(_("public ID"), default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=8, choices=MediaKind)
    status = models.CharField(_("status"), max_length=8, choices=MediaStatus, default=MediaStatus.PENDING)
    file = models.FileField(_("file (metadata removed)"), max_length=255)
    web_file = models.FileField(_("web-size image"), max_length=255, blank=True)
    thumbnail_file = models.FileField(_("thumbnail"), max_length=255, blank=True)
    poster_file = models.FileField(_("video poster"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=64)
    size_bytes = models.PositiveBigIntegerField(_("size, bytes"))
    # Pictures only (a PDF's pages may each have their own size): null for a document.
    width = models.PositiveIntegerField(_("width, pixels"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height, pixels"), null=True, blank=True)
    duration_seconds = models.FloatField(_("duration, seconds"), null=True, blank=True)
    page_count = models.PositiveIntegerField(_("pages"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="media_assets",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    attached_at = models.DateTimeField(_("attached at"), null=True, blank=True)
    error = models.TextField(_("processing error"), blank=True)

    objects = MediaAssetQuerySet.as_manager()

    class Meta:
        verbose_name = _("media file")
        verbose_name_plural = _("media files")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=MediaKind.values), name="media_asset_kind_valid"),
            models.CheckConstraint(condition=Q(status__in=MediaStatus.values), name="media_asset_status_valid"),
            models.CheckConstraint(
                condition=Q(kind=MediaKind.VIDEO, duration_seconds__isnull=False, duration_seconds__gte=0)
                | Q(kind__in=[MediaKind.PHOTO, MediaKind.DOCUMENT], duration_seconds__isnull=True),
                name="media_asset_duration_only_video",
            ),
            models.CheckConstraint(condition=Q(size_bytes__gt=0), name="media_asset_size_positive"),
            # Pictures have dimensions and no pages; a document has pages and no dimensions.
            models.CheckConstraint(
                condition=Q(kind__in=[MediaKind.PHOTO, MediaKind.VIDEO], width__gt=0, height__gt=0, page_count=None)
                | Q(kind=MediaKind.DOCUMENT, width=None, height=None, page_count__gt=0),
                name="media_asset_dimensions_or_pages",
            ),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="media_asset_sha256_hex"),
            models.CheckConstraint(
                condition=~Q(status=MediaStatus.READY) | Q(processed_at__isnull=False),
                name="media_asset_ready_processed",
            ),
            models.CheckConstraint(
                condition=~Q(status=MediaStatus.FAILED) | ~Q(error=""), name="media_asset_failed_has_error"
            ),
        ]
        indexes = [
            # The prune looks for old assets nobody attached; keep that lookup small.
            models.Index(
                fields=["created_at"], condition=Q(attached_at__isnull=True), name="media_asset_unattached_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.public_id}"

    # URL accessors. Until the derivatives are made they fall back to the sanitized original, so
    # a freshly uploaded photo can be shown at once. A video has no still image until its poster.
    @property
    def original_url(self) -> str:
        """The stored file (metadata removed): the photo in full, or the playable video."""
        return self.file.url

    @property
    def is_document(self) -> bool:
        return self.kind == MediaKind.DOCUMENT

    @property
    def display_url(self) -> str:
        """What to show on a page: the web-size photo (else the original), or the video itself."""
        if self.kind == MediaKind.PHOTO and self.web_file:
            return self.web_file.url
        return self.file.url

    @property
    def thumbnail_url(self) -> str | None:
        """A small still image: the thumbnail, else the original photo; None for a video before its poster."""
        if self.thumbnail_file:
            return self.thumbnail_file.url
        if self.kind == MediaKind.PHOTO:
            return self.file.url
        return None

    @property
    def poster_url(self) -> str | None:
        """A video's poster frame (None for photos and until it is made)."""
        return self.poster_file.url if self.poster_file else None

    def file_for(self, variant: str):
        """The stored file behind a variant ("web", "thumbnail", "poster"), with the same fallbacks
        as the URL accessors above; None when there is none (yet)."""
        if variant == "web":
            return self.web_file if self.kind == MediaKind.PHOTO and self.web_file else self.file
        if variant == "thumbnail":
            if self.thumbnail_file:
                return self.thumbnail_file
            return self.file if self.kind == MediaKind.PHOTO else None
        if variant == "poster":
            return self.poster_file or None
        return None

    @property
    def stored_names(self) -> list[str]:
        """Every storage name this asset owns (the original and whichever derivatives exist)."""
        return [f.name for f in (self.file, self.web_file, self.thumbnail_file, self.poster_file) if f]
