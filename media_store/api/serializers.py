from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from media_store.models import MediaAsset


class MediaUploadInputSerializer(serializers.Serializer):
    # Only presence is checked here; what the file is gets decided by its content (media_intake).
    file = serializers.FileField(allow_empty_file=True, use_url=False)


class MediaAssetOutputSerializer(serializers.ModelSerializer):
    """An asset as its uploader sees it. `url` is what to show (the web-size photo or the video);
    until processing is done `url`/`thumbnail_url` fall back to the sanitized original. A PDF
    document has no `url` (it is private: read it through what it is attached to, e.g. an appeal),
    no dimensions, and its `page_count`."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()

    class Meta:
        model = MediaAsset
        fields = [
            "id", "kind", "status", "url", "thumbnail_url", "poster_url", "content_type", "size_bytes",
            "width", "height", "duration_seconds", "page_count",
        ]  # fmt: skip
        read_only_fields = fields

    def _absolute(self, url: str | None) -> str | None:
        request = self.context.get("request")
        if url is None or request is None:
            return url
        return request.build_absolute_uri(url)  # S3 URLs are absolute already and stay as they are

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_url(self, asset: MediaAsset) -> str | None:
        if asset.is_document:
            return None
        return self._absolute(asset.display_url)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_thumbnail_url(self, asset: MediaAsset) -> str | None:
        return self._absolute(asset.thumbnail_url)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_poster_url(self, asset: MediaAsset) -> str | None:
        return self._absolute(asset.poster_url)


class GpsOutputSerializer(serializers.Serializer):
    lat = serializers.FloatField()
    lon = serializers.FloatField()


class MediaUploadOutputSerializer(MediaAssetOutputSerializer):
    """The upload's answer: the asset, and the photo's GPS position if it had one."""

    gps = GpsOutputSerializer(allow_null=True, read_only=True)

    class Meta(MediaAssetOutputSerializer.Meta):
        fields = [*MediaAssetOutputSerializer.Meta.fields, "gps"]
        read_only_fields = fields
