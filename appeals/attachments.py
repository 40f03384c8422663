"""Files with an appeal or its answer: kept by media_store, never at a public address.

On an object store media_store moves the files under its withheld prefix at once (media_withhold);
on the local disk they are never in the public media URL space either: the only way to a file is
the appeal's download view, which asks who may read the appeal (appeals.selectors.appeal_for).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from appeals.models import Appeal, AppealAttachment, AppealEvent, AppealEventKind
from media_store.models import MediaAsset
from media_store.services import media_attach, media_withhold


def appeal_attach(
    *, appeal: Appeal, assets: Sequence[MediaAsset], role: str, actor: User | None, now: datetime.datetime | None = None
) -> list[AppealAttachment]:
    """Tie uploaded assets to the appeal (inside the caller's transaction), withhold their files
    from every public address, and record it in the appeal's timeline."""
    if not assets:
        return []
    now = now or timezone.now()
    with transaction.atomic():
        media_attach(assets=assets)
        media_withhold(assets=assets)
        links = AppealAttachment.objects.bulk_create(
            [
                AppealAttachment(appeal=appeal, asset=asset, role=role, added_by=actor, created_at=now)
                for asset in assets
            ]
        )
        AppealEvent.objects.create(
            appeal=appeal,
            kind=AppealEventKind.ATTACHMENT_ADDED,
            at=now,
            actor=actor,
            data={"role": role, "files": [str(asset.public_id) for asset in assets]},
        )
    return links
