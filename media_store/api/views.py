"""Thin views: validate the request, call one service or selector, serialize the answer."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from media_store.api.serializers import (
    GpsOutputSerializer,
    MediaAssetOutputSerializer,
    MediaUploadInputSerializer,
    MediaUploadOutputSerializer,
)
from media_store.errors import FileTooLarge
from media_store.formats import ALL_KINDS
from media_store.selectors import media_get_for_uploader
from media_store.services import MB, media_intake, media_limits_mb
from opencity.openapi import BAD_REQUEST, NOT_FOUND, RATE_LIMITED, UNAUTHORIZED

# Multipart framing around the file: boundaries, headers, other small fields.
MULTIPART_OVERHEAD_BYTES = 64 * 1024


class MediaUploadThrottle(UserRateThrottle):
    scope = "media_upload"

    def get_rate(self) -> str:
        return f"{settings.OPENCITY_MEDIA_UPLOADS_PER_HOUR}/hour"


def media_upload_allowed(request, *, files: int) -> float | None:
    """Count a request carrying `files` uploads against the same hourly budget as POST
    /api/v1/media/ (whatever the endpoint: a report, an action, an addition). None when allowed,
    otherwise the seconds to wait."""
    if not files:
        return None
    throttle = MediaUploadThrottle()
    for _file in range(files):
        if not throttle.allow_request(request, None):
            return throttle.wait() or 1.0
    return None


class MediaUploadView(APIView):
    """POST /api/v1/media/ — upload one photo, video or PDF document (multipart field `file`) for a
    report or an appeal. What the upload is then attached to decides whether it is welcome there: a
    map report refuses a PDF (issues.rules.media), an appeal takes it."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]
    throttle_classes = [MediaUploadThrottle]

    @extend_schema(
        tags=["media"],
        summary="Upload a photo, a video or a PDF document",
        description="A PDF document (at most `OPENCITY_MAX_DOCUMENT_MB`, not encrypted) may go with an appeal or "
        "its answer only; a map report refuses it. It is kept as it came (a signature inside stays valid), has no "
        "`url`, and is `ready` at once with its `page_count`.",
        request={"multipart/form-data": MediaUploadInputSerializer},
        responses={
            201: OpenApiResponse(
                MediaUploadOutputSerializer,
                description="Taken in; processing goes on in the background (`status`). `gps` is the photo's "
                "EXIF position, returned once and never stored.",
            ),
            400: BAD_REQUEST,
            401: UNAUTHORIZED,
            429: RATE_LIMITED,
        },
    )
    def post(self, request):
        # Refuse an announced oversized body before reading (and spooling to disk) any of it.
        limit_mb = max(media_limits_mb(ALL_KINDS).values())
        try:
            announced = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            announced = 0
        if announced > limit_mb * MB + MULTIPART_OVERHEAD_BYTES:
            raise FileTooLarge(kind=None, limit_mb=limit_mb)

        serializer = MediaUploadInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = media_intake(
            uploaded_file=serializer.validated_data["file"], uploaded_by=request.user, kinds=ALL_KINDS
        )
        body = MediaAssetOutputSerializer(result.asset, context={"request": request}).data
        body["gps"] = GpsOutputSerializer(result.gps._asdict()).data if result.gps else None
        return Response(body, status=status.HTTP_201_CREATED)


class MediaDetailView(APIView):
    """GET /api/v1/media/<id>/ — the uploader polls its processing status. The EXIF position is
    only ever returned by the upload itself: it is not stored."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        tags=["media"],
        summary="An upload's processing status",
        parameters=[OpenApiParameter("public_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses={
            200: OpenApiResponse(MediaAssetOutputSerializer, description="The upload and its status."),
            401: UNAUTHORIZED,
            404: NOT_FOUND,
        },
    )
    def get(self, request, public_id):
        asset = media_get_for_uploader(public_id=public_id, user=request.user)
        return Response(MediaAssetOutputSerializer(asset, context={"request": request}).data)
