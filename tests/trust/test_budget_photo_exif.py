"""Budget-project photos uploaded through the admin lose their metadata (EXIF GPS) before storage."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from geo.admin import BudgetProjectPhotoForm
from geo.models import BudgetProjectPhoto
from tests.factories import BudgetProjectFactory
from tests.media_store.media import exif_with, image_bytes

pytestmark = pytest.mark.django_db


def test_an_admin_budget_photo_is_stored_without_exif(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    original = image_bytes("JPEG", (64, 48), exif=exif_with(), comment=b"taken by Olena at home")
    assert b"TestPhone" in original
    project = BudgetProjectFactory()
    form = BudgetProjectPhotoForm(
        data={"caption": "Before the works", "order": 0},
        files={"image": SimpleUploadedFile("IMG_0001.jpg", original, content_type="image/jpeg")},
        instance=BudgetProjectPhoto(project=project),
    )
    assert form.is_valid(), form.errors
    photo = form.save()
    with photo.image.open("rb") as stored:
        data = stored.read()
    for secret in (b"Exif", b"TestPhone", b"Olena"):
        assert secret not in data
    with Image.open(photo.image.path) as image:
        assert len(image.getexif()) == 0 and image.size == (64, 48)


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_stored(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    form = BudgetProjectPhotoForm(
        data={"caption": "", "order": 0},
        files={"image": SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")},
        instance=BudgetProjectPhoto(project=BudgetProjectFactory()),
    )
    assert not form.is_valid()
    assert "image" in form.errors
    assert not BudgetProjectPhoto.objects.exists()
