"""The one answer that hands out a file of an appeal (its page's link and the API's), once the caller's
right to read the appeal has been checked (appeals.selectors.appeal_for).

The file system is never served directly: the file is streamed, or nginx streams it from its
internal location (X-Accel-Redirect). On an object store the answer is a redirect to a signed
address that expires, asking the store to answer with the same type and file name — signed even
where the bucket has a public address (OPENCITY_S3_PUBLIC_URL): an appeal's files sit under the
withheld prefix (media_store.services.media_withhold), which no bucket policy exposes. A PDF document
is always an attachment (saved, never opened on our origin); a photo or video may be shown inline on
the page. The file name says whose file it is (the appeal's number), never the stored name.
"""

from __future__ import annotations

import mimetypes

from django.http import HttpResponse, HttpResponseRedirect

from appeals.models import AppealAttachment
from media_store.models import MediaKind
from media_store.serving import local_file_response


def appeal_file_name(link: AppealAttachment) -> str:
    """DRH-A-2026-000001-answer-7.pdf: the appeal, the file's role and its number; ASCII only."""
    extension = mimetypes.guess_extension(link.asset.content_type or "") or ""
    if extension == ".jpe":  # some platforms' first guess for image/jpeg
        extension = ".jpg"
    return f"{link.appeal.ref}-{link.role}-{link.pk}{extension}"


def appeal_file_response(link: AppealAttachment, *, for_page: bool) -> HttpResponse:
    """The stored file of `link` with its own Content-Type, a Content-Disposition and `Cache-Control:
    private, no-store`. The API hands out the original (a PDF as it came, a photo without its
    metadata) as an attachment; the page shows the web-size photo inline, and saves a PDF."""
    stored = link.asset.file_for("web") if for_page else link.asset.file
    content_type = link.asset.content_type or mimetypes.guess_type(stored.name)[0] or "application/octet-stream"
    inline = for_page and link.asset.kind != MediaKind.DOCUMENT
    disposition = f'{"inline" if inline else "attachment"}; filename="{appeal_file_name(link)}"'
    response = local_file_response(stored, content_type=content_type)
    if response is not None:
        response["Content-Disposition"] = disposition
    elif hasattr(stored.storage, "bucket"):  # django-storages' S3
        storage = stored.storage
        url = storage.connection.meta.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": storage.bucket_name,
                "Key": storage._normalize_name(stored.name),
                # The headers the store answers with; signed too, so nobody can change them.
                "ResponseContentType": content_type,
                "ResponseContentDisposition": disposition,
            },
            ExpiresIn=storage.querystring_expire,
        )
        response = HttpResponseRedirect(url)
    else:
        response = HttpResponseRedirect(stored.url)
    response["Cache-Control"] = "private, no-store"
    return response
