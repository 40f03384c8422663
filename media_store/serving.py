"""Handing out a stored file from the local file system once a view has checked the caller's right.

The file system is never served directly (/media/uploads/ stays private): the file is streamed, or
nginx streams it from its internal location (X-Accel-Redirect, OPENCITY_MEDIA_X_ACCEL_PREFIX).
"""

from __future__ import annotations

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, HttpResponse


def local_file_response(stored, *, content_type: str) -> HttpResponse | None:
    """The answer for a file on the local file system; None when it lives elsewhere (object storage)."""
    if not isinstance(stored.storage, FileSystemStorage):
        return None
    if settings.OPENCITY_MEDIA_X_ACCEL_PREFIX:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.OPENCITY_MEDIA_X_ACCEL_PREFIX.rstrip("/") + "/" + stored.name
        return response
    return FileResponse(stored.storage.open(stored.name, "rb"), content_type=content_type)
