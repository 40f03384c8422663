"""PDF documents: taken only where the caller allows them, checked by parsing, kept byte for byte,
private, ready at once; encrypted, broken and oversized ones refused with a message, nothing stored."""

import hashlib
import os

import pytest
from django.utils import translation
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from media_store.errors import MediaRejected
from media_store.formats import ALL_KINDS
from media_store.models import MediaAsset, MediaStatus
from media_store.processing import media_process
from media_store.services import media_intake, media_reprocess
from tests.media_store.conftest import stored_files
from tests.media_store.media import pdf_bytes, upload

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def pdf_upload(content: bytes, name: str = "vidpovid.pdf"):
    return upload(content, name, "application/pdf")


def refused(uploaded, citizen, media_root, *, kinds=ALL_KINDS) -> MediaRejected:
    with pytest.raises(MediaRejected) as caught:
        media_intake(uploaded_file=uploaded, uploaded_by=citizen, kinds=kinds)
    assert MediaAsset.objects.count() == 0
    assert stored_files(media_root) == []
    return caught.value


def test_a_pdf_is_kept_byte_for_byte_with_its_page_count_and_ready_at_once(
    citizen, media_root, django_capture_on_commit_callbacks
):
    original = pdf_bytes(3)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = media_intake(uploaded_file=pdf_upload(original), uploaded_by=citizen, kinds=ALL_KINDS)

    asset = MediaAsset.objects.get()
    assert asset == result.asset and result.gps is None
    assert (asset.kind, asset.status, asset.content_type) == ("document", "ready", "application/pdf")
    assert (asset.page_count, asset.width, asset.height, asset.duration_seconds) == (3, None, None, None)
    assert asset.processed_at is not None and asset.error == ""
    assert asset.file.name == f"uploads/{asset.public_id.hex[:2]}/{asset.public_id}/original.pdf"
    assert stored_files(media_root) == [asset.file.name]  # no derivatives
    with asset.file.open("rb") as stored:
        assert stored.read() == original  # a signature inside would still verify
    assert asset.size_bytes == len(original)
    assert asset.sha256 == hashlib.sha256(original).hexdigest()
    assert callbacks == [] and DBTaskResult.objects.count() == 0  # nothing to process
    assert asset.thumbnail_url is None and asset.poster_url is None


def test_reprocessing_a_document_makes_nothing_and_leaves_it_ready(citizen, media_root):
    asset = media_intake(uploaded_file=pdf_upload(pdf_bytes(1)), uploaded_by=citizen, kinds=ALL_KINDS).asset
    media_reprocess(asset=asset)
    assert media_process(public_id=asset.public_id) == MediaStatus.READY
    asset.refresh_from_db()
    assert (asset.status, asset.web_file.name, asset.thumbnail_file.name) == ("ready", "", "")
    assert stored_files(media_root) == [asset.file.name]


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "A PDF document cannot be attached here: only photos and videos are accepted."),
        ("uk", "Документ PDF тут додати не можна: приймаються лише фото та відео."),
    ],
)
def test_a_pdf_is_refused_where_only_pictures_are_taken(citizen, media_root, language, message):
    error = refused(pdf_upload(pdf_bytes(1)), citizen, media_root, kinds={"photo", "video"})
    assert error.code == "unsupported_type"
    with translation.override(language):
        assert str(error.message) == message
        assert [str(m) for m in error.fields["file"]] == [message]


def test_the_default_is_pictures_only(citizen, media_root):
    with pytest.raises(MediaRejected) as caught:
        media_intake(uploaded_file=pdf_upload(pdf_bytes(1)), uploaded_by=citizen)
    assert caught.value.code == "unsupported_type"
    assert MediaAsset.objects.count() == 0 and stored_files(media_root) == []


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "The PDF document is protected by a password or encrypted. Please send it without one."),
        ("uk", "Документ PDF захищено паролем або зашифровано. Надішліть його без пароля."),
    ],
)
def test_an_encrypted_pdf_is_refused(citizen, media_root, language, message):
    error = refused(pdf_upload(pdf_bytes(2, password="secret")), citizen, media_root)
    assert error.code == "encrypted_document"
    with translation.override(language):
        assert str(error.message) == message


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(pdf_bytes(3)[:300], id="cut-in-the-middle"),
        pytest.param(pdf_bytes(3)[:-20], id="cut-before-its-end"),
        pytest.param(b"%PDF-1.7\n" + os.urandom(2000) + b"\n%%EOF\n", id="garbage-after-the-magic"),
        pytest.param(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF", id="no-pages"),
    ],
)
def test_a_broken_pdf_is_refused_as_damaged(citizen, media_root, content):
    error = refused(pdf_upload(content), citizen, media_root)
    assert error.code == "corrupt_file"
    with translation.override("uk"):
        assert str(error.message) == "Файл пошкоджений або неповний, його неможливо прочитати."


@pytest.mark.parametrize(
    ("language", "message"),
    [
        (
            "en",
            "This file is not a supported photo, video or PDF document. Photos: JPEG, PNG, WEBP, AVIF; "
            "videos: MP4, MOV, WEBM; documents: PDF.",
        ),
        (
            "uk",
            "Цей файл не є підтримуваним фото, відео чи документом PDF. Фото: JPEG, PNG, WEBP, AVIF; "
            "відео: MP4, MOV, WEBM; документи: PDF.",
        ),
    ],
)
def test_a_text_file_named_pdf_is_not_a_document(citizen, media_root, language, message):
    error = refused(pdf_upload(b"Dear council,\nplease fix the road.\n"), citizen, media_root)
    assert error.code == "unsupported_type"
    with translation.override(language):
        assert str(error.message) == message


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "The PDF document is larger than 1 MB."), ("uk", "Розмір документа PDF перевищує 1 МБ.")],
)
def test_an_oversized_pdf_is_refused(citizen, media_root, settings, language, message):
    settings.OPENCITY_MAX_DOCUMENT_MB = 1
    big = pdf_bytes(1, attachment=os.urandom(MB + 1000))
    assert MB < len(big) < 15 * MB  # under the photo limit: the document's own limit refuses it
    error = refused(pdf_upload(big), citizen, media_root)
    assert error.code == "file_too_large"
    with translation.override(language):
        assert str(error.message) == message


def test_a_pdf_just_under_the_limit_is_taken(citizen, media_root, settings):
    settings.OPENCITY_MAX_DOCUMENT_MB = 2
    content = pdf_bytes(1, attachment=os.urandom(MB + 1000))
    asset = media_intake(uploaded_file=pdf_upload(content), uploaded_by=citizen, kinds=ALL_KINDS).asset
    assert (asset.kind, asset.page_count, asset.size_bytes) == ("document", 1, len(content))


# --- through the API: POST /api/v1/media/ takes a PDF; what it is attached to decides ------------------


@pytest.fixture
def api(citizen) -> APIClient:
    client = APIClient()
    client.force_authenticate(citizen)
    return client


def test_the_upload_api_takes_a_pdf_and_gives_it_no_address(api, media_root):
    content = pdf_bytes(2)
    response = api.post("/api/v1/media/", {"file": pdf_upload(content)}, format="multipart")

    assert response.status_code == 201, response.content
    asset = MediaAsset.objects.get()
    assert response.json() == {
        "id": str(asset.public_id),
        "kind": "document",
        "status": "ready",
        "url": None,
        "thumbnail_url": None,
        "poster_url": None,
        "gps": None,
        "content_type": "application/pdf",
        "size_bytes": len(content),
        "width": None,
        "height": None,
        "duration_seconds": None,
        "page_count": 2,
    }
    assert DBTaskResult.objects.count() == 0
    polled = api.get(f"/api/v1/media/{asset.public_id}/").json()
    assert (polled["kind"], polled["url"], polled["page_count"]) == ("document", None, 2)


@pytest.mark.parametrize(
    ("language", "code", "message"),
    [
        (
            "uk",
            "encrypted_document",
            "Документ PDF захищено паролем або зашифровано. Надішліть його без пароля.",
        ),
        (
            "en",
            "encrypted_document",
            "The PDF document is protected by a password or encrypted. Please send it without one.",
        ),
    ],
)
def test_an_encrypted_pdf_is_a_400_with_a_field_message(api, media_root, language, code, message):
    response = api.post(
        "/api/v1/media/",
        {"file": pdf_upload(pdf_bytes(1, password="x"))},
        format="multipart",
        headers={"accept-language": language},
    )
    assert response.status_code == 400
    assert response.json() == {"code": code, "detail": message, "fields": {"file": [message]}}
    assert MediaAsset.objects.count() == 0 and stored_files(media_root) == []


def test_a_truncated_pdf_is_a_400_never_a_500(api, media_root):
    response = api.post(
        "/api/v1/media/",
        {"file": pdf_upload(pdf_bytes(4)[:-200])},
        format="multipart",
        headers={"accept-language": "en"},
    )
    assert (response.status_code, response.json()["code"]) == (400, "corrupt_file")
    assert MediaAsset.objects.count() == 0 and stored_files(media_root) == []
