"""Reads for photos and videos."""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from media_store.errors import MediaUnavailable
from media_store.models import MediaAsset
from opencity.errors import NotFound


def media_get_for_uploader(*, public_id: UUID | str, user: AbstractBaseUser) -> MediaAsset:
    """One asset by its public ID, only for the account that uploaded it; NotFound otherwise (the
    same answer whether it does not exist or is someone else's)."""
    asset = MediaAsset.objects.uploaded_by(user).filter(public_id=public_id).first()
    if asset is None:
        raise NotFound(_("No such photo or video."))
    return asset


def media_get_many(
    *, public_ids: Iterable[UUID | str], uploaded_by: AbstractBaseUser | None = None
) -> list[MediaAsset]:
    """The assets with these public IDs, in the order given, e.g. to attach to a new report.

    With `uploaded_by`, only that account's uploads count. Raises MediaUnavailable if any is
    missing (or someone else's)."""
    wanted = [UUID(str(public_id)) for public_id in public_ids]
    if not wanted:
        return []  # most reports: not even a query to build
    queryset = MediaAsset.objects.filter(public_id__in=wanted)
    if uploaded_by is not None:
        queryset = queryset.uploaded_by(uploaded_by)
    found = {asset.public_id: asset for asset in queryset}
    if len(found) != len(set(wanted)):
        raise MediaUnavailable()
    return [found[public_id] for public_id in dict.fromkeys(wanted)]
