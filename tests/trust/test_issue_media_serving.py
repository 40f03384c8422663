"""Issue media are served only through the checking view: pages and the API link there, never to
/media/; hiding the issue makes every picture unreachable; nginx can send the file once checked."""

import pytest
from django.test import Client

from issues.services.moderation import issue_set_hidden
from media_store.services import media_intake
from tests.media_store.media import image_bytes, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def pictured(world, report, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    asset = media_intake(uploaded_file=upload(image_bytes()), uploaded_by=world.citizen).asset
    return report(media=[asset]), asset


def test_pages_and_the_api_link_only_to_the_checking_view(world, pictured):
    issue, asset = pictured
    page = Client().get(f"/issues/{issue.ref}/").content.decode()
    assert f"/issues/pictures/{asset.public_id}/web/" in page
    assert "/media/" not in page
    media = Client().get(f"/api/v1/issues/{issue.ref}/").json()["media"]
    assert [m["url"] for m in media] == [f"/issues/pictures/{asset.public_id}/web/"]
    assert "/media/" not in str(media)


def test_a_hidden_issues_pictures_are_unreachable(world, pictured):
    issue, asset = pictured
    client = Client()
    shown = client.get(f"/issues/pictures/{asset.public_id}/web/")
    assert shown.status_code == 200 and shown["Cache-Control"] == "private, max-age=300"
    assert b"".join(shown.streaming_content)[:2] == b"\xff\xd8"  # the JPEG itself
    issue_set_hidden(issue=issue, actor=world.dispatcher, hidden=True, note="Номер авто на фото")
    for variant in ("web", "thumbnail", "poster"):
        assert client.get(f"/issues/pictures/{asset.public_id}/{variant}/").status_code == 404


def test_behind_nginx_the_checked_view_answers_with_x_accel_redirect(world, pictured, settings):
    settings.OPENCITY_MEDIA_X_ACCEL_PREFIX = "/protected-media/"
    _issue, asset = pictured
    answer = Client().get(f"/issues/pictures/{asset.public_id}/web/")
    assert answer.status_code == 200
    assert answer["X-Accel-Redirect"] == f"/protected-media/{asset.file.name}"
    assert answer.content == b""
