"""A file with an appeal, made on demand: the permission matrix and the privacy scan fetch it as every
actor (inside each test's own transaction, so the trust city itself stays as it is)."""

from __future__ import annotations

from appeals.attachments import appeal_attach
from appeals.models import Appeal, AppealAttachment
from media_store.services import media_intake
from tests.media_store.media import image_bytes, upload


def appeal_file_path(appeal: Appeal) -> str:
    """The API address of a file with `appeal` (a small photo its author sent), attached if none is."""
    link = AppealAttachment.objects.filter(appeal=appeal).select_related("asset").first()
    if link is None:
        photo = upload(image_bytes("PNG", (24, 16)), "appeal.png", "image/png")
        asset = media_intake(uploaded_file=photo, uploaded_by=appeal.author).asset
        [link] = appeal_attach(appeal=appeal, assets=[asset], role="appeal", actor=appeal.author)
    return f"/api/v1/appeals/{appeal.ref}/attachments/{link.asset.public_id}/"
