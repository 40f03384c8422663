"""The admin lists uploads read-only, previews them, deletes files with rows, and can retry processing."""

import pytest
from django_tasks_db.models import DBTaskResult

from media_store.models import MediaAsset
from media_store.services import media_intake
from tests.factories import UserFactory
from tests.media_store.conftest import stored_files
from tests.media_store.media import image_bytes, upload

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/media_store/mediaasset/"


@pytest.fixture
def admin_client_uk(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_the_list_shows_a_preview_in_ukrainian(admin_client_uk, citizen):
    asset = media_intake(uploaded_file=upload(image_bytes("JPEG")), uploaded_by=citizen).asset
    html = admin_client_uk.get(CHANGELIST, headers={"accept-language": "uk"}).content.decode()
    assert "Медіафайли" in html
    assert f'<img src="/media/{asset.file.name}" alt=""' in html
    assert admin_client_uk.get(f"{CHANGELIST}add/").status_code == 403


def test_deleting_in_the_admin_removes_the_files(
    admin_client_uk, citizen, media_root, django_capture_on_commit_callbacks
):
    asset = media_intake(uploaded_file=upload(image_bytes("JPEG")), uploaded_by=citizen).asset
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client_uk.post(
            CHANGELIST, {"action": "delete_selected", "_selected_action": [asset.pk], "post": "yes"}
        )
    assert response.status_code == 302
    assert MediaAsset.objects.count() == 0
    assert stored_files(media_root) == []


def test_the_admin_can_queue_processing_again(admin_client_uk, citizen, django_capture_on_commit_callbacks):
    asset = media_intake(uploaded_file=upload(image_bytes("JPEG")), uploaded_by=citizen).asset
    MediaAsset.objects.filter(pk=asset.pk).update(status="failed", error="timeout")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client_uk.post(CHANGELIST, {"action": "reprocess", "_selected_action": [asset.pk]})
    asset.refresh_from_db()
    assert (asset.status, asset.error) == ("pending", "")
    assert DBTaskResult.objects.get().args_kwargs == {"args": [], "kwargs": {"public_id": str(asset.public_id)}}
