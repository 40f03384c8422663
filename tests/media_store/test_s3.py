"""S3-compatible storage end to end, against a real S3 protocol server on 127.0.0.1 (moto's).

The storage is configured the way production configures it — base settings reading OPENCITY_S3_*
from the environment — so these tests check that wiring too. An upload goes into the bucket, the
real worker processes it, and the bytes come back over HTTP from the URLs the asset gives."""

import importlib
import io
import json
import urllib.request

import boto3
import pytest
from django.core.management import call_command
from moto.server import ThreadedMotoServer
from PIL import Image

from media_store.models import MediaAsset
from media_store.services import media_intake
from tests.factories import UserFactory
from tests.media_store.media import exif_with, image_bytes, upload

ACCESS_KEY, SECRET_KEY, REGION = "opencity-test", "opencity-test-secret", "eu-central-1"


@pytest.fixture(scope="module")
def s3_server():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket(s3_server, request) -> str:
    name = f"opencity-{request.node.name.replace('_', '-')[:40].lower().strip('-')}"
    s3_client(s3_server).create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name


def s3_storage_settings(monkeypatch, settings, **environment) -> dict:
    """STORAGES["default"] exactly as opencity/settings/base.py builds it from these variables."""
    for key, value in environment.items():
        monkeypatch.setenv(key, value)
    base = importlib.import_module("opencity.settings.base")
    config = base.media_storage_from_env()
    settings.STORAGES = {**settings.STORAGES, "default": config}
    return config


def s3_client(s3_server):
    return boto3.client(
        "s3", endpoint_url=s3_server, region_name=REGION, aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY
    )


def objects(s3_server, bucket) -> dict[str, bytes]:
    client = s3_client(s3_server)
    listing = client.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {o["Key"]: client.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listing}


def fetch(url: str) -> tuple[bytes, str]:
    assert url.startswith("http://127.0.0.1:")
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 — our own local server
        return response.read(), response.headers["Content-Type"]


@pytest.mark.django_db(transaction=True)
def test_a_photo_goes_through_a_private_bucket_with_signed_urls(s3_server, bucket, monkeypatch, settings):
    config = s3_storage_settings(
        monkeypatch, settings, OPENCITY_S3_BUCKET=bucket, OPENCITY_S3_ENDPOINT_URL=s3_server,
        OPENCITY_S3_ACCESS_KEY=ACCESS_KEY, OPENCITY_S3_SECRET_KEY=SECRET_KEY, OPENCITY_S3_REGION=REGION,
    )  # fmt: skip
    assert config["BACKEND"] == "storages.backends.s3.S3Storage"
    assert config["OPTIONS"]["querystring_auth"] is True
    user = UserFactory(username="s3-user")

    result = media_intake(uploaded_file=upload(image_bytes("JPEG", (2000, 1500), exif=exif_with())), uploaded_by=user)
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0, verbosity=0)

    assert result.gps == (49.3489, 23.5056)
    asset = MediaAsset.objects.get()
    assert asset.status == "ready"
    folder = f"uploads/{asset.public_id.hex[:2]}/{asset.public_id}"
    stored = objects(s3_server, bucket)
    assert sorted(stored) == [f"{folder}/original.jpg", f"{folder}/thumbnail.webp", f"{folder}/web.webp"]

    original, original_type = fetch(asset.original_url)
    assert original == stored[f"{folder}/original.jpg"]
    assert original_type == "image/jpeg"
    assert len(original) == asset.size_bytes
    assert len(Image.open(io.BytesIO(original)).getexif()) == 0
    assert b"TestPhone" not in original

    web, web_type = fetch(asset.display_url)
    assert (web, web_type) == (stored[f"{folder}/web.webp"], "image/webp")
    assert Image.open(io.BytesIO(web)).size == (1600, 1200)
    thumbnail, _type = fetch(asset.thumbnail_url)
    assert Image.open(io.BytesIO(thumbnail)).size == (320, 240)
    assert "X-Amz-Signature=" in asset.display_url  # private bucket: signed, expiring links


@pytest.mark.django_db(transaction=True)
def test_a_video_is_served_from_the_public_url(s3_server, bucket, monkeypatch, settings, mp4_video):
    s3_storage_settings(
        monkeypatch, settings, OPENCITY_S3_BUCKET=bucket, OPENCITY_S3_ENDPOINT_URL=s3_server,
        OPENCITY_S3_ACCESS_KEY=ACCESS_KEY, OPENCITY_S3_SECRET_KEY=SECRET_KEY, OPENCITY_S3_REGION=REGION,
        OPENCITY_S3_PUBLIC_URL=f"{s3_server}/{bucket}/",
    )  # fmt: skip
    # A public bucket is the operator's choice, made with a bucket policy (no per-object ACLs:
    # AWS refuses those on new buckets, and several S3-compatible servers ignore them).
    s3_client(s3_server).put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                       "Resource": f"arn:aws:s3:::{bucket}/uploads/*"}],
    }))  # fmt: skip
    user = UserFactory(username="s3-video")

    asset = media_intake(uploaded_file=upload(mp4_video, "clip.mp4", "video/mp4"), uploaded_by=user).asset
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0, verbosity=0)

    asset.refresh_from_db()
    folder = f"uploads/{asset.public_id.hex[:2]}/{asset.public_id}"
    assert asset.display_url == f"{s3_server}/{bucket}/{folder}/original.mp4"
    stored = objects(s3_server, bucket)
    video, video_type = fetch(asset.display_url)
    assert (video, video_type) == (stored[f"{folder}/original.mp4"], "video/mp4")
    poster, poster_type = fetch(asset.poster_url)
    assert poster_type == "image/webp"
    assert Image.open(io.BytesIO(poster)).size == (320, 240)


@pytest.mark.django_db(transaction=True)
def test_a_refused_upload_leaves_the_bucket_empty(s3_server, bucket, monkeypatch, settings):
    s3_storage_settings(
        monkeypatch, settings, OPENCITY_S3_BUCKET=bucket, OPENCITY_S3_ENDPOINT_URL=s3_server,
        OPENCITY_S3_ACCESS_KEY=ACCESS_KEY, OPENCITY_S3_SECRET_KEY=SECRET_KEY, OPENCITY_S3_REGION=REGION,
    )  # fmt: skip
    user = UserFactory(username="s3-refused")
    from media_store.errors import MediaRejected

    with pytest.raises(MediaRejected):
        media_intake(uploaded_file=upload(b"not a photo"), uploaded_by=user)
    assert objects(s3_server, bucket) == {}
    assert MediaAsset.objects.count() == 0


def test_no_bucket_means_the_file_system(monkeypatch):
    monkeypatch.delenv("OPENCITY_S3_BUCKET", raising=False)
    base = importlib.import_module("opencity.settings.base")
    assert base.media_storage_from_env() == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
