"""Files are taken (spooled, sniffed, re-encoded, probed) only for someone who may add them, and
every upload counts against the uploader's hourly media budget, whatever the endpoint."""

import json

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from issues.services import media as issue_media
from media_store.models import MediaAsset
from tests.factories import CENTRE_LAT, CENTRE_LON
from tests.media_store.media import image_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def no_intake(monkeypatch):
    """Fails the test if any file is taken."""

    def refuse(**kwargs):
        raise AssertionError("a file was processed before the permission check")

    monkeypatch.setattr(issue_media, "media_intake_many", refuse)


def api(user):
    client = APIClient(headers={"accept-language": "uk"})
    client.force_authenticate(user)
    return client


def test_adding_media_to_someone_elses_issue_is_refused_before_any_file_is_taken(world, report, no_intake):
    issue = report()
    answer = api(world.other_citizen).post(
        f"/api/v1/issues/{issue.ref}/media/", {"photos": [upload(image_bytes())]}, format="multipart"
    )
    assert answer.status_code == 403
    assert not MediaAsset.objects.exists()
    assert not issue.events.filter(kind="media_added").exists()


def test_an_action_one_may_not_take_takes_no_photos(world, report, no_intake):
    issue = report()
    page = Client()
    page.force_login(world.other_citizen)
    answer = page.post(
        f"/issues/{issue.ref}/act/",
        {"action": "resolve", "note": "Готово", "photos": [upload(image_bytes())]},
    )
    assert answer.status_code == 403
    assert not MediaAsset.objects.exists()
    issue.refresh_from_db()
    assert issue.status == "assigned"


def test_uploads_through_a_report_count_against_the_hourly_media_budget(world, settings):
    settings.OPENCITY_MEDIA_UPLOADS_PER_HOUR = 2
    body = {
        "category": "pothole",
        "description": "Яма з водою",
        "location": json.dumps({"type": "Point", "coordinates": [CENTRE_LON - 0.01, CENTRE_LAT]}),
        "photos": [upload(image_bytes()), upload(image_bytes()), upload(image_bytes())],
    }
    answer = api(world.citizen).post("/api/v1/issues/", body, format="multipart")
    assert answer.status_code == 429
    assert "Retry-After" in answer
    assert not MediaAsset.objects.exists()
