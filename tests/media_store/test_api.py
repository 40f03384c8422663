"""POST /api/v1/media/ and GET /api/v1/media/<id>/: exact bodies, error shapes in uk and en."""

import pytest
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from media_store.models import MediaAsset
from media_store.tasks import media_process_task
from tests.media_store.conftest import stored_files
from tests.media_store.media import exif_with, image_bytes, noise_bytes, upload

pytestmark = pytest.mark.django_db

URL = "/api/v1/media/"


@pytest.fixture
def api(citizen) -> APIClient:
    client = APIClient()
    client.force_authenticate(citizen)
    return client


def post(client, content, name="photo.jpg", content_type="image/jpeg", language="uk"):
    return client.post(
        URL, {"file": upload(content, name, content_type)}, format="multipart", headers={"accept-language": language}
    )


def test_a_photo_upload_answers_with_the_asset_and_its_gps(api, citizen, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, image_bytes("JPEG", (64, 48), exif=exif_with()))

    assert response.status_code == 201
    asset = MediaAsset.objects.get()
    original = f"http://testserver/media/{asset.file.name}"
    assert response.json() == {
        "id": str(asset.public_id),
        "kind": "photo",
        "status": "pending",
        "url": original,
        "thumbnail_url": original,
        "poster_url": None,
        "gps": {"lat": 49.3489, "lon": 23.5056},
        "content_type": "image/jpeg",
        "size_bytes": asset.size_bytes,
        "width": 64,
        "height": 48,
        "duration_seconds": None,
        "page_count": None,
    }
    assert asset.uploaded_by == citizen
    assert DBTaskResult.objects.count() == 1


def test_a_video_upload_has_a_duration_and_no_still_yet(api, mp4_video):
    response = post(api, mp4_video, "clip.mp4", "video/mp4")

    assert response.status_code == 201
    body = response.json()
    asset = MediaAsset.objects.get()
    assert body == {
        "id": str(asset.public_id),
        "kind": "video",
        "status": "pending",
        "url": f"http://testserver/media/{asset.file.name}",
        "thumbnail_url": None,
        "poster_url": None,
        "gps": None,
        "content_type": "video/mp4",
        "size_bytes": asset.size_bytes,
        "width": 320,
        "height": 240,
        "duration_seconds": 3.0,
        "page_count": None,
    }


def test_the_uploader_polls_until_ready(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = post(api, image_bytes("JPEG", (2000, 1000))).json()
    detail = f"{URL}{created['id']}/"

    pending = api.get(detail).json()
    assert pending["status"] == "pending"
    assert "gps" not in pending  # the EXIF position is never stored, so never served again

    media_process_task.call(public_id=created["id"])
    ready = api.get(detail)

    assert ready.status_code == 200
    asset = MediaAsset.objects.get()
    folder = f"http://testserver/media/uploads/{asset.public_id.hex[:2]}/{asset.public_id}"
    assert ready.json() == {
        "id": created["id"],
        "kind": "photo",
        "status": "ready",
        "url": f"{folder}/web.webp",
        "thumbnail_url": f"{folder}/thumbnail.webp",
        "poster_url": None,
        "content_type": "image/jpeg",
        "size_bytes": asset.size_bytes,
        "width": 2000,
        "height": 1000,
        "duration_seconds": None,
        "page_count": None,
    }


@pytest.mark.parametrize(
    ("language", "message"),
    ids=["uk", "en"],
    argvalues=[
        # The upload takes PDF documents too (for appeals), so it names them.
        (
            "uk",
            "Цей файл не є підтримуваним фото, відео чи документом PDF. Фото: JPEG, PNG, WEBP, AVIF; "
            "відео: MP4, MOV, WEBM; документи: PDF.",
        ),
        (
            "en",
            "This file is not a supported photo, video or PDF document. Photos: JPEG, PNG, WEBP, AVIF; "
            "videos: MP4, MOV, WEBM; documents: PDF.",
        ),
    ],
)
def test_a_text_file_named_jpg_is_a_400_in_the_users_language(api, media_root, language, message):
    response = post(api, b"just text\n", language=language)

    assert response.status_code == 400
    assert response.json() == {"code": "unsupported_type", "detail": message, "fields": {"file": [message]}}
    assert response["Content-Language"] == language
    assert MediaAsset.objects.count() == 0 and stored_files(media_root) == []


@pytest.mark.parametrize(
    ("language", "message"),
    ids=["uk", "en"],
    argvalues=[
        ("uk", "Файл пошкоджений або неповний, його неможливо прочитати."),
        ("en", "The file is damaged or incomplete and cannot be read."),
    ],
)
def test_a_truncated_photo_is_a_400(api, media_root, language, message):
    whole = noise_bytes("JPEG", (120, 90))
    response = post(api, whole[: -len(whole) // 2], language=language)
    assert response.status_code == 400
    assert response.json() == {"code": "corrupt_file", "detail": message, "fields": {"file": [message]}}
    assert MediaAsset.objects.count() == 0 and stored_files(media_root) == []


@pytest.mark.parametrize(
    ("language", "message"),
    ids=["uk", "en"],
    argvalues=[
        ("uk", "Тривалість відео — 61 с: приймаємо щонайбільше 60 с."),
        ("en", "The video is 61 s long: at most 60 s are accepted."),
    ],
)
def test_a_too_long_video_is_a_400(api, media_root, long_video, language, message):
    response = post(api, long_video, "long.mp4", "video/mp4", language=language)
    assert response.status_code == 400
    assert response.json() == {"code": "video_too_long", "detail": message, "fields": {"file": [message]}}
    assert MediaAsset.objects.count() == 0 and stored_files(media_root) == []


@pytest.mark.parametrize(
    ("language", "detail", "field"),
    ids=["uk", "en"],
    argvalues=[
        ("uk", "У запиті є помилки в полях.", "Файл не було відправленно."),
        ("en", "The request has invalid fields.", "No file was submitted."),
    ],
)
def test_a_missing_file_is_a_field_error(api, language, detail, field):
    response = api.post(URL, {}, format="multipart", headers={"accept-language": language})
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "detail": detail, "fields": {"file": [field]}}


@pytest.mark.parametrize(
    ("language", "message"),
    ids=["uk", "en"],
    argvalues=[
        ("uk", "Розмір файлу перевищує 1 МБ."),
        ("en", "The file is larger than 1 MB."),
    ],
)
def test_an_oversized_body_is_refused_before_it_is_read(api, settings, media_root, language, message):
    settings.OPENCITY_MAX_PHOTO_MB = 1
    settings.OPENCITY_MAX_VIDEO_MB = 1
    settings.OPENCITY_MAX_DOCUMENT_MB = 1
    response = post(api, noise_bytes("PNG", (700, 700)), "big.png", "image/png", language=language)
    assert response.status_code == 400
    assert response.json() == {"code": "file_too_large", "detail": message, "fields": {"file": [message]}}
    assert MediaAsset.objects.count() == 0 and stored_files(media_root) == []


def test_anonymous_users_cannot_upload_or_poll(media_root):
    client = APIClient()
    response = client.post(
        URL, {"file": upload(image_bytes("JPEG"))}, format="multipart", headers={"accept-language": "en"}
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {
        "code": "not_authenticated",
        "detail": "Authentication credentials were not provided.",
        "fields": {},
    }
    assert MediaAsset.objects.count() == 0 and stored_files(media_root) == []
    assert client.get(f"{URL}00000000-0000-4000-8000-000000000000/").status_code == 401


def test_phone_apps_upload_with_a_token(citizen):
    from accounts.access_tokens import access_token_issue

    client = APIClient()
    response = client.post(URL, {}, format="multipart", headers={"authorization": "Token wrong"})
    # 401 with a WWW-Authenticate scheme: token authentication comes first in the project's settings.
    assert (response.status_code, response.json()["code"]) == (401, "authentication_failed")
    client.credentials(HTTP_AUTHORIZATION=f"Token {access_token_issue(user=citizen)[1]}")
    assert client.post(URL, {"file": upload(image_bytes("JPEG"))}, format="multipart").status_code == 201


def test_only_the_uploader_sees_an_upload(api, other_citizen):
    created = post(api, image_bytes("JPEG")).json()
    asset = MediaAsset.objects.get()
    other = APIClient()
    other.force_authenticate(other_citizen)

    response = other.get(f"{URL}{created['id']}/", headers={"accept-language": "uk"})

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "detail": "Такого фото чи відео немає.", "fields": {}}
    assert api.get(f"{URL}{asset.pk}/").status_code == 404  # the integer key is no address


def test_uploads_are_rate_limited_per_account(api, settings):
    settings.OPENCITY_MEDIA_UPLOADS_PER_HOUR = 2
    assert [post(api, image_bytes("JPEG")).status_code for _ in range(3)] == [201, 201, 429]
    assert MediaAsset.objects.count() == 2
    response = post(api, image_bytes("JPEG"), language="en")
    assert response.json()["code"] == "throttled"


def test_a_large_upload_spooled_to_disk_by_django_is_taken_in_too(api, settings, mp4_video):
    """Above FILE_UPLOAD_MAX_MEMORY_SIZE Django hands the view a temporary file, not memory."""
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = post(api, mp4_video, "clip.mp4", "video/mp4")
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["duration_seconds"]) == ("video", 3.0)
