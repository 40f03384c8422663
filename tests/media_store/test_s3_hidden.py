"""Hiding an issue makes its photos unreachable at every storage URL given out before, in both S3
modes (a private bucket with signed URLs, and a public bucket / CDN with plain URLs), against a real
S3 protocol server on 127.0.0.1; showing it again makes the very same URLs work again.

The URLs are taken the way a visitor gets them: from the checking picture view's redirect."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid

import pytest
from django.core.management import call_command
from django.test import Client
from django_tasks_db.models import DBTaskResult

from issues.models import Issue
from issues.services import issue_create
from issues.services.moderation import issue_set_hidden
from media_store import services as media_services
from media_store.models import MediaAsset
from media_store.services import media_intake
from tests.media_store import test_s3
from tests.media_store.media import image_bytes, upload
from tests.media_store.test_s3 import ACCESS_KEY, REGION, SECRET_KEY, objects, s3_client, s3_storage_settings

s3_server = test_s3.s3_server  # the moto server on 127.0.0.1, one per module

VARIANTS = ("web", "thumbnail")


def status_of(url: str) -> tuple[int, bytes]:
    assert url.startswith("http://127.0.0.1:")
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 — our own local server
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def storage_urls(issue: Issue, asset: MediaAsset) -> dict[str, str]:
    """Where the checking view sends a visitor for each variant (a 302 to the object store)."""
    client = Client()
    urls = {}
    for variant in VARIANTS:
        answer = client.get(f"/issues/pictures/{asset.public_id}/{variant}/")
        assert answer.status_code == 302, (variant, answer.status_code)
        urls[variant] = answer["Location"]
    return urls


@pytest.fixture
def bucket(s3_server) -> str:
    name = f"opencity-hidden-{uuid.uuid4().hex[:12]}"
    s3_client(s3_server).create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION})
    return name


@pytest.fixture
def s3_mode(request, s3_server, bucket, monkeypatch, settings):
    """The storage configured from the environment as production does; "public" adds the public
    URL and the bucket policy README asks for (anonymous reads of uploads/ and budget/ only)."""
    environment = dict(
        OPENCITY_S3_BUCKET=bucket, OPENCITY_S3_ENDPOINT_URL=s3_server, OPENCITY_S3_ACCESS_KEY=ACCESS_KEY,
        OPENCITY_S3_SECRET_KEY=SECRET_KEY, OPENCITY_S3_REGION=REGION,
    )  # fmt: skip
    if request.param == "public":
        environment["OPENCITY_S3_PUBLIC_URL"] = f"{s3_server}/{bucket}/"
        s3_client(s3_server).put_bucket_policy(Bucket=bucket, Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                           "Resource": [f"arn:aws:s3:::{bucket}/uploads/*", f"arn:aws:s3:::{bucket}/budget/*"]}],
        }))  # fmt: skip
    s3_storage_settings(monkeypatch, settings, **environment)
    return request.param


@pytest.fixture
def photographed(world, s3_mode):
    """A public issue with a processed photo stored in the bucket."""
    asset = media_intake(uploaded_file=upload(image_bytes("JPEG", (1200, 900))), uploaded_by=world.citizen).asset
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0, verbosity=0)
    asset.refresh_from_db()
    assert asset.status == "ready" and asset.web_file and asset.thumbnail_file
    issue = issue_create(
        reporter=world.citizen,
        category=world.pothole,
        description="Яма біля школи",
        point=world.inside_west,
        media=[asset],
    ).issue
    return issue, asset


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("s3_mode", ["private", "public"], indirect=True)
def test_hiding_makes_the_old_storage_urls_fail_and_showing_restores_them(
    world, photographed, s3_mode, s3_server, bucket
):
    issue, asset = photographed
    urls = storage_urls(issue, asset)
    if s3_mode == "private":
        assert all("X-Amz-Signature=" in url for url in urls.values())
    else:
        assert all(url.startswith(f"{s3_server}/{bucket}/uploads/") and "?" not in url for url in urls.values())
    before = {variant: status_of(url) for variant, url in urls.items()}
    assert {variant: code for variant, (code, _body) in before.items()} == {"web": 200, "thumbnail": 200}
    names = sorted(asset.stored_names)

    issue_set_hidden(issue=issue, actor=world.dispatcher, hidden=True, note="Номер авто на фото")

    for variant, url in urls.items():
        code, _body = status_of(url)
        assert code in (403, 404), (variant, url, code)  # the URL given out before the hiding is dead
        assert Client().get(f"/issues/pictures/{asset.public_id}/{variant}/").status_code == 404
    stored = objects(s3_server, bucket)
    assert not [key for key in stored if key.startswith("uploads/")]
    asset.refresh_from_db()
    withheld = sorted(asset.stored_names)
    assert len(withheld) == len(names) == len(stored)
    folder = withheld[0].split("/")[1]
    assert len(folder) == 32  # 128 random bits: not derivable from the public id in the old URL
    assert withheld == sorted(f"withheld/{folder}/{name}" for name in names) == sorted(stored)
    if s3_mode == "public":  # the bucket's public prefixes do not reach them, even knowing the key
        assert all(status_of(f"{s3_server}/{bucket}/{key}")[0] == 403 for key in withheld)

    issue_set_hidden(issue=issue, actor=world.dispatcher, hidden=False, note="Фото виправлено")

    asset.refresh_from_db()
    assert sorted(asset.stored_names) == names
    assert sorted(objects(s3_server, bucket)) == names  # the withheld copies are gone
    assert {variant: status_of(url) for variant, url in urls.items()} == before  # the same URLs, the same bytes
    assert storage_urls(issue, asset).keys() == urls.keys()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("s3_mode", ["public"], indirect=True)
def test_a_storage_failure_does_not_stop_the_hiding_and_the_worker_moves_the_files(
    world, photographed, s3_server, bucket, monkeypatch
):
    issue, asset = photographed
    urls = storage_urls(issue, asset)
    original_copy = media_services._copy

    def broken(*args, **kwargs):
        raise ConnectionError("object store unavailable")

    monkeypatch.setattr(media_services, "_copy", broken)
    issue_set_hidden(issue=issue, actor=world.dispatcher, hidden=True, note="Особисті дані")
    issue.refresh_from_db()
    assert issue.is_hidden  # the issue is hidden at once; its pictures' view refuses it
    assert Client().get(f"/issues/pictures/{asset.public_id}/web/").status_code == 404
    assert DBTaskResult.objects.filter(task_path__endswith="issue_media_visibility_task").count() == 1
    asset.refresh_from_db()
    assert all(name.startswith("uploads/") for name in asset.stored_names)  # nothing half-moved

    monkeypatch.setattr(media_services, "_copy", original_copy)
    call_command("db_worker", batch=True, no_startup_delay=True, interval=0, verbosity=0)
    assert all(status_of(url)[0] in (403, 404) for url in urls.values())
    asset.refresh_from_db()
    assert all(name.startswith("withheld/") for name in asset.stored_names)
