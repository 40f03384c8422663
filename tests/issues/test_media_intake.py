"""media_intake_for_request: a request's uploads are kept when its block succeeds and deleted (row
and files) when it fails, whichever of the three callers (the API, the issue page, Open311) uses it."""

import datetime
from pathlib import Path

import pytest
from django.test import Client
from django.utils import timezone

from issues.models import IssueMedia
from issues.services.media import MAX_PHOTOS, media_intake_for_request
from media_store.models import MediaAsset
from opencity.errors import Conflict, InvalidInput
from tests.media_store.media import image_bytes, upload

# Files are deleted once the deletion commits, so the tests that look at the disk commit for real.
committing = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


def files_in(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def photos(count: int) -> list:
    return [upload(image_bytes("PNG", (40 + n, 30)), f"photo-{n}.png", "image/png") for n in range(count)]


@committing
def test_a_failed_block_deletes_the_uploads_and_their_files(world, media_root):
    with pytest.raises(Conflict), media_intake_for_request(files=photos(2), uploaded_by=world.citizen) as intake:
        assert MediaAsset.objects.count() == 2
        assert files_in(media_root)
        raise Conflict("refused")
    assert intake.assets == []
    assert MediaAsset.objects.count() == 0
    assert files_in(media_root) == []


@committing
def test_an_unexpected_error_deletes_them_too(world, media_root):
    with pytest.raises(RuntimeError), media_intake_for_request(files=photos(1), uploaded_by=world.citizen):
        raise RuntimeError("boom")
    assert MediaAsset.objects.count() == 0
    assert files_in(media_root) == []


@committing
def test_a_successful_block_keeps_the_uploads(world, media_root):
    with media_intake_for_request(files=photos(2), uploaded_by=world.citizen) as intake:
        pass
    assert len(intake.assets) == 2
    assert sorted(MediaAsset.objects.values_list("pk", flat=True)) == sorted(a.pk for a in intake.assets)
    assert {a.uploaded_by_id for a in intake.assets} == {world.citizen.pk}
    assert files_in(media_root)


@committing
def test_discard_deletes_what_a_successful_block_does_not_need(world, media_root):
    with media_intake_for_request(files=photos(1), uploaded_by=world.citizen) as intake:
        intake.discard()
    assert intake.assets == []
    assert MediaAsset.objects.count() == 0
    assert files_in(media_root) == []


@pytest.mark.django_db
def test_too_many_files_are_refused_before_any_is_taken(world):
    entered = False
    with pytest.raises(InvalidInput) as refused:
        with media_intake_for_request(files=photos(MAX_PHOTOS + 1), uploaded_by=world.citizen):
            entered = True
    assert (refused.value.code, list(refused.value.fields)) == ("too_many_files", ["media"])
    assert not entered
    assert MediaAsset.objects.count() == 0


@pytest.mark.django_db
def test_no_files_is_an_empty_intake(world):
    with media_intake_for_request(files=[], uploaded_by=world.citizen) as intake:
        assert (intake.assets, intake.gps) == ([], None)


def staff_page(world) -> Client:
    client = Client(headers={"accept-language": "uk"})
    client.force_login(world.roads_staff)
    return client


@committing
def test_a_refused_action_on_the_issue_page_leaves_no_photo(world, report, media_root):
    issue = report()
    response = staff_page(world).post(f"/issues/{issue.ref}/act/", {"action": "accept", "photos": photos(1)})
    assert response.status_code == 400
    assert MediaAsset.objects.count() == 0
    assert files_in(media_root) == []
    assert not IssueMedia.objects.filter(issue=issue).exists()


@committing
def test_an_action_on_the_issue_page_keeps_its_photo(world, report, media_root):
    issue = report()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = staff_page(world).post(
        f"/issues/{issue.ref}/act/", {"action": "accept", "promised_date": tomorrow, "photos": photos(1)}
    )
    assert response.status_code == 302
    link = IssueMedia.objects.get(issue=issue)
    assert (link.role, link.added_by_id, MediaAsset.objects.count()) == ("report", world.roads_staff.pk, 1)
    assert files_in(media_root)
