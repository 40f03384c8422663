"""Reports with photos and videos: multipart or uploaded first, refusals that leave nothing behind,
"after" photos of a fix, and adding pictures later."""

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from rest_framework.test import APIClient

from issues.models import Issue, IssueMedia
from media_store.models import MediaAsset
from tests.factories import CENTRE_LAT, CENTRE_LON
from tests.media_store.media import exif_with, image_bytes, make_video, pdf_bytes, png_bomb, upload

pytestmark = pytest.mark.django_db

LOCATION = json.dumps({"type": "Point", "coordinates": [CENTRE_LON - 0.01, CENTRE_LAT]})


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


# Files of a refused request are deleted once the deletion commits: the tests that look at the
# disk afterwards run with real commits.
committing = pytest.mark.django_db(transaction=True)


def files_in(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def api(user=None):
    client = APIClient(headers={"accept-language": "uk"})
    if user is not None:
        client.force_authenticate(user)
    return client


def report(client, *, category="pothole", files=(), **extra):
    body = {"category": category, "description": "Яма з водою", "location": LOCATION, **extra}
    for name, content in files:
        body.setdefault(name, []).append(content)
    return client.post("/api/v1/issues/", body, format="multipart")


def test_a_multipart_report_with_photos_stores_them_without_metadata(world, media_root):
    gps_photo = upload(image_bytes("JPEG", (320, 240), exif=exif_with()), "IMG_0001.JPG")
    second = upload(image_bytes("PNG", (200, 100)), "second.png", "image/png")
    response = report(api(world.citizen), files=[("photos", gps_photo), ("photos", second)])
    assert response.status_code == 201, response.content
    media = response.json()["media"]
    assert [(m["role"], m["kind"], m["width"], m["height"]) for m in media] == [
        ("report", "photo", 320, 240),
        ("report", "photo", 200, 100),
    ]
    assert all(m["url"] == f"/issues/pictures/{m['id']}/web/" for m in media)  # the checking view, never /media/
    issue = Issue.objects.get()
    assert [e for e in issue.events.values_list("kind", flat=True)] == ["created", "media_added", "routed"]
    stored = MediaAsset.objects.get(public_id=media[0]["id"])
    with Image.open(io.BytesIO(stored.file.read())) as image:
        assert not image.getexif()
        assert "exif" not in image.info
    assert stored.attached_at is not None


def test_media_uploaded_first_is_attached_by_id(world):
    client = api(world.citizen)
    uploaded = client.post("/api/v1/media/", {"file": upload(image_bytes())}, format="multipart").json()
    response = client.post(
        "/api/v1/issues/",
        {"category": "pothole", "description": "Яма", "location": json.loads(LOCATION), "media": [uploaded["id"]]},
        format="json",
    )
    assert response.status_code == 201
    assert [m["id"] for m in response.json()["media"]] == [uploaded["id"]]


def test_someone_elses_upload_cannot_be_attached(world):
    theirs = api(world.other_citizen).post("/api/v1/media/", {"file": upload(image_bytes())}, format="multipart").json()
    response = api(world.citizen).post(
        "/api/v1/issues/",
        {"category": "pothole", "description": "Яма", "location": json.loads(LOCATION), "media": [theirs["id"]]},
        format="json",
    )
    assert (response.status_code, response.json()["code"]) == (409, "media_unavailable")
    assert not Issue.objects.exists()
    assert MediaAsset.objects.get(public_id=theirs["id"]).attached_at is None


@committing
@pytest.mark.parametrize(
    ("name", "content", "content_type", "code"),
    [
        ("photo.jpg", b"%PDF-1.7 definitely not a photo", "image/jpeg", "unsupported_type"),
        ("photo.jpg", image_bytes("JPEG", (320, 240))[:400], "image/jpeg", "corrupt_file"),
        ("huge.png", png_bomb(), "image/png", "image_too_large"),
    ],
)
def test_a_refused_file_refuses_the_report_and_leaves_nothing(world, media_root, name, content, content_type, code):
    good = upload(image_bytes("JPEG"), "good.jpg")
    bad = upload(content, name, content_type)
    response = report(api(world.citizen), files=[("photos", good), ("photos", bad)])
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert list(response.json()["fields"]) == ["file"]
    assert not Issue.objects.exists()
    assert not MediaAsset.objects.exists()
    assert files_in(media_root) == []


PDF_REFUSED = "Документ PDF тут додати не можна: приймаються лише фото та відео."


@committing
def test_a_pdf_sent_with_a_map_report_is_refused_and_leaves_nothing(world, media_root):
    """A report is public: a document (taken with an appeal) never goes with one."""
    scan = upload(pdf_bytes(1), "scan.pdf", "application/pdf")
    response = report(api(world.citizen), files=[("photos", upload(image_bytes())), ("photos", scan)])
    assert response.status_code == 400
    assert response.json() == {"code": "unsupported_type", "detail": PDF_REFUSED, "fields": {"file": [PDF_REFUSED]}}
    assert not Issue.objects.exists() and not MediaAsset.objects.exists() and files_in(media_root) == []


def test_a_pdf_uploaded_first_cannot_be_attached_to_a_map_report(world):
    client = api(world.citizen)
    uploaded = client.post(
        "/api/v1/media/", {"file": upload(pdf_bytes(2), "scan.pdf", "application/pdf")}, format="multipart"
    )
    assert (uploaded.status_code, uploaded.json()["kind"]) == (201, "document")  # the upload takes it (appeals)
    response = client.post(
        "/api/v1/issues/",
        {
            "category": "pothole",
            "description": "Яма",
            "location": json.loads(LOCATION),
            "media": [uploaded.json()["id"]],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"code": "unsupported_type", "detail": PDF_REFUSED, "fields": {"media": [PDF_REFUSED]}}
    assert not Issue.objects.exists()
    assert MediaAsset.objects.get(public_id=uploaded.json()["id"]).attached_at is None


@committing
def test_a_too_long_video_refuses_the_report(world, media_root, tmp_path, settings):
    settings.OPENCITY_MAX_VIDEO_SECONDS = 2
    video = make_video(tmp_path / "long.mp4", seconds=4, size="64x48")
    response = report(api(world.citizen), files=[("video", upload(video, "clip.mp4", "video/mp4"))])
    assert (response.status_code, response.json()["code"]) == (400, "video_too_long")
    assert not Issue.objects.exists() and not MediaAsset.objects.exists() and files_in(media_root) == []


@committing
def test_a_report_that_fails_after_the_upload_leaves_no_files(world, media_root):
    response = report(api(world.citizen), files=[("photos", upload(image_bytes()))], description="")
    assert response.status_code == 400
    outside = report(
        api(world.citizen),
        files=[("photos", upload(image_bytes()))],
        location=json.dumps({"type": "Point", "coordinates": [24.03, 49.84]}),
    )
    assert outside.json()["code"] == "outside_community"
    assert not MediaAsset.objects.exists() and files_in(media_root) == []


@committing
def test_photos_or_one_video_not_both(world, media_root, tmp_path):
    video = make_video(tmp_path / "c.mp4", seconds=1, size="64x48")
    response = report(
        api(world.citizen),
        files=[("photos", upload(image_bytes())), ("video", upload(video, "c.mp4", "video/mp4"))],
    )
    assert (response.status_code, list(response.json()["fields"])) == (400, ["media"])
    assert not MediaAsset.objects.exists() and files_in(media_root) == []
    six = [("photos", upload(image_bytes(), f"{n}.jpg")) for n in range(6)]
    assert report(api(world.citizen), files=six).status_code == 400
    assert not MediaAsset.objects.exists()


def test_a_category_that_needs_a_photo_refuses_a_report_without_one(world):
    world.pothole.photo_required = True
    world.pothole.save()
    response = report(api(world.citizen))
    assert response.status_code == 400
    assert response.json()["fields"] == {"media": ["Для такої проблеми потрібне фото."]}
    assert report(api(world.citizen), files=[("photos", upload(image_bytes()))]).status_code == 201


def test_a_retry_with_files_keeps_only_the_first_files(world, media_root):
    client = api(world.citizen)
    client.credentials(HTTP_IDEMPOTENCY_KEY="retry-with-photo")
    first = report(client, files=[("photos", upload(image_bytes()))])
    again = report(client, files=[("photos", upload(image_bytes()))])
    assert (first.status_code, again.status_code) == (201, 200)
    assert MediaAsset.objects.count() == 1
    assert again.json()["media"] == first.json()["media"]


def test_the_fix_needs_an_after_photo_where_the_category_asks(world):
    from issues.services import issue_create
    from media_store.services import media_intake

    world.pothole.photo_required = True
    world.pothole.save()
    photo = media_intake(uploaded_file=upload(image_bytes()), uploaded_by=world.citizen).asset
    issue = issue_create(
        reporter=world.citizen, category=world.pothole, description="Яма", point=world.inside_west, media=[photo]
    ).issue
    url = f"/api/v1/issues/{issue.ref}/transition/"
    staff = api(world.roads_staff)
    refused = staff.post(url, {"action": "resolve", "note": "Залатали"}, format="json")
    assert refused.status_code == 400, refused.content
    assert refused.json()["code"] == "after_photo_required"
    issue.refresh_from_db()
    assert issue.status == "assigned"
    after = staff.post("/api/v1/media/", {"file": upload(image_bytes(color=(20, 160, 20)))}, format="multipart").json()
    done = staff.post(url, {"action": "resolve", "note": "Залатали", "media": [after["id"]]}, format="json")
    assert done.status_code == 200
    assert [(m["role"], m["id"]) for m in done.json()["media"]] == [
        ("after", after["id"]),
        ("report", str(photo.public_id)),
    ]


def test_adding_pictures_later(world, report, tmp_path):
    issue = report()
    citizen, staff, stranger = api(world.citizen), api(world.roads_staff), api(world.other_citizen)
    added = citizen.post(f"/api/v1/issues/{issue.ref}/media/", {"photos": [upload(image_bytes())]}, format="multipart")
    assert added.status_code == 201
    assert [m["role"] for m in added.json()["media"]] == ["report"]
    before = staff.post(
        f"/api/v1/issues/{issue.ref}/media/", {"photos": [upload(image_bytes())], "role": "before"}, format="multipart"
    )
    assert [m["role"] for m in before.json()["media"]] == ["before", "report"]
    refused = stranger.post(
        f"/api/v1/issues/{issue.ref}/media/", {"photos": [upload(image_bytes())]}, format="multipart"
    )
    assert refused.status_code == 403
    assert IssueMedia.objects.filter(issue=issue).count() == 2
    assert MediaAsset.objects.filter(attached_at__isnull=True).count() == 0
    empty = citizen.post(f"/api/v1/issues/{issue.ref}/media/", {}, format="multipart")
    assert (empty.status_code, list(empty.json()["fields"])) == (400, ["media"])
