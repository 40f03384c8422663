"""Photos and videos of issues: the citizen's with the report, the executor's before and after.

The files themselves are media_store's business (checked by content, cleaned of metadata, stored,
processed in the background); here they are tied to issues, in the issue's transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from issues.events import MediaAdded
from issues.models import Issue, IssueEvent, IssueEventKind, IssueMedia, MediaRole
from issues.rules.media import MAX_PHOTOS, media_check_set
from issues.rules.transitions import ActorRole
from issues.selectors import issue_actor_roles
from media_store.formats import PICTURE_KINDS, Kind
from media_store.models import MediaAsset
from media_store.photos import GpsPosition
from media_store.services import media_attach, media_delete, media_intake, media_release, media_withhold
from opencity.errors import Forbidden, InvalidInput


def media_intake_many(
    *, files: Iterable[UploadedFile], uploaded_by: User | None, kinds: Collection[Kind] = PICTURE_KINDS
) -> tuple[list[MediaAsset], GpsPosition | None]:
    """Take several uploads (of the given kinds: photos and videos unless "document" is named too);
    if any is refused, the ones already taken are deleted and the refusal is raised, so a rejected
    request leaves nothing behind. Returns the assets and the first GPS position found in a photo
    (offered as the pin)."""
    taken: list[MediaAsset] = []
    gps = None
    try:
        for uploaded in files:
            result = media_intake(uploaded_file=uploaded, uploaded_by=uploaded_by, kinds=kinds)
            taken.append(result.asset)
            gps = gps or result.gps
    except Exception:
        for asset in taken:
            media_delete(asset=asset)
        raise
    return taken, gps


@dataclass
class MediaIntake:
    """The uploads one request took in, and the first GPS position found in a photo."""

    assets: list[MediaAsset] = field(default_factory=list)
    gps: GpsPosition | None = None

    def discard(self) -> None:
        """Delete the uploads again (the request was refused, or it was a retry whose first
        submission already has its files)."""
        for asset in self.assets:
            media_delete(asset=asset)
        self.assets = []


@contextmanager
def media_intake_for_request(
    *, files: Sequence[UploadedFile], uploaded_by: User | None, kinds: Collection[Kind] = PICTURE_KINDS
) -> Iterator[MediaIntake]:
    """Take a request's uploads for the block that uses them (a report, an action, an addition, an
    appeal: the only caller that passes `kinds` with "document").

    More than MAX_PHOTOS files are refused before any is taken. If the block raises, the files
    taken are deleted and the error goes on, so a refused request leaves no upload behind."""
    if len(files) > MAX_PHOTOS:
        message = _("Up to 5 photos or one video.")
        raise InvalidInput(message, code="too_many_files", fields={"media": [message]})
    assets, gps = media_intake_many(files=files, uploaded_by=uploaded_by, kinds=kinds)
    intake = MediaIntake(assets=assets, gps=gps)
    try:
        yield intake
    except BaseException:
        intake.discard()
        raise


def issue_attach_media(
    *,
    issue: Issue,
    assets: Sequence[MediaAsset],
    role: str,
    actor: User | None,
    now: datetime.datetime | None = None,
) -> list[IssueMedia]:
    """Tie assets to an issue (inside the caller's transaction) and record it in the timeline."""
    if not assets:
        return []
    now = now or timezone.now()
    with transaction.atomic():
        media_attach(assets=assets)
        start = IssueMedia.objects.filter(issue=issue, role=role).count()
        links = IssueMedia.objects.bulk_create(
            [
                IssueMedia(issue=issue, asset=asset, role=role, added_by=actor, position=start + index, created_at=now)
                for index, asset in enumerate(assets)
            ]
        )
        IssueEvent.objects.create(
            issue=issue,
            kind=IssueEventKind.MEDIA_ADDED,
            at=now,
            actor=actor,
            is_public=True,
            data=MediaAdded(role=role, media=[str(asset.public_id) for asset in assets]).as_json(),
        )
    return links


def issue_media_add_check(*, issue: Issue, actor: User, role: str | None = None) -> str:
    """The role the actor's pictures take on this issue, or Forbidden/InvalidInput. Called before a
    request's files are taken (checked, re-encoded, probed) as well as by issue_add_media."""
    roles = issue_actor_roles(issue=issue, user=actor)
    if role is None:
        role = MediaRole.AFTER if roles & {ActorRole.EXECUTOR} else MediaRole.REPORT
    if role not in MediaRole.values:
        raise InvalidInput(_("Unknown role."), fields={"role": [_("Choose report, before or after.")]})
    allowed = (
        ActorRole.DISPATCHER in roles
        or (role == MediaRole.REPORT and ActorRole.REPORTER in roles and issue.is_open)
        or (role in (MediaRole.BEFORE, MediaRole.AFTER) and ActorRole.EXECUTOR in roles)
    )
    if not allowed:
        raise Forbidden(_("You may not add photos to this issue."), code="action_forbidden")
    return role


def issue_add_media(
    *, issue: Issue, actor: User, assets: Sequence[MediaAsset], role: str | None = None
) -> list[IssueMedia]:
    """Add photos or a video to an existing issue: the reporter adds to the report while it is
    open; the executor's staff add "before"/"after" pictures; dispatchers may add either."""
    role = issue_media_add_check(issue=issue, actor=actor, role=role)
    existing = [link.asset for link in IssueMedia.objects.filter(issue=issue, role=role).select_related("asset")]
    media_check_set(kinds=[asset.kind for asset in [*existing, *assets]])
    return issue_attach_media(issue=issue, assets=assets, role=role, actor=actor)


def issue_media_follow_visibility(*, issue: Issue) -> None:
    """The stored files of an issue's photos and videos follow its visibility: withheld while it is
    hidden (every storage URL given out so far stops working; media_store.services.media_withhold
    says why and how), back at their old addresses once it is shown. Inside the caller's
    transaction, with the issue's row locked."""
    assets = [link.asset for link in IssueMedia.objects.filter(issue=issue).select_related("asset")]
    if issue.is_hidden:
        media_withhold(assets=assets)
    else:
        media_release(assets=assets)


@task
def issue_media_visibility_task(*, issue_id: int) -> None:
    """Retry of issue_media_follow_visibility when the storage failed during the hiding itself; it
    reads the issue's current visibility, so a later show or hide is never undone."""
    with transaction.atomic():
        issue = Issue.objects.select_for_update(of=("self",)).get(pk=issue_id)
        issue_media_follow_visibility(issue=issue)
