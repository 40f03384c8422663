"""Citizens following issues: "me too" (support) and e-mail preferences per issue."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from issues.models import FollowReason, Issue, IssueEvent, IssueEventKind, IssueFollower
from opencity.errors import Conflict, Forbidden, NotFound


def issue_support(*, issue: Issue, user: User, now: datetime.datetime | None = None) -> tuple[Issue, bool]:
    """Say "me too" about an open issue, once per citizen. Returns the issue with its new count and
    whether this call added the support (False: already supported — nothing changes)."""
    if not user.is_authenticated:
        raise Forbidden(_("Please sign in to support an issue."), code="sign_in_required")
    if issue.reporter_id == user.pk:
        raise Conflict(_("You reported this issue yourself."), code="own_issue")
    now = now or timezone.now()
    with transaction.atomic():
        locked = Issue.objects.select_for_update(of=("self",)).get(pk=issue.pk)
        # Checked under the lock: a resolution committed between reading the page and now wins.
        if not locked.is_open:
            raise Conflict(_("This issue is no longer open."), code="issue_not_open")
        try:
            with transaction.atomic():
                IssueFollower.objects.create(issue=locked, user=user, reason=FollowReason.SUPPORTER, created_at=now)
        except IntegrityError:
            return locked, False
        if user.email_confirmed_at is not None:
            # An unconfirmed account's "me too" waits: issues_recount_support counts it on confirmation.
            Issue.objects.filter(pk=locked.pk).update(support_count=F("support_count") + 1)
        IssueEvent.objects.create(issue=locked, kind=IssueEventKind.SUPPORTED, at=now, actor=user, is_public=False)
        locked.refresh_from_db(fields=["support_count"])
    return locked, True


def issue_set_notifications(*, issue: Issue, user: User, notify: bool) -> IssueFollower:
    """Switch e-mails about one issue on or off for someone who follows it."""
    follower = IssueFollower.objects.filter(issue=issue, user=user).first()
    if follower is None:
        raise NotFound(_("You do not follow this issue."), code="not_following")
    if follower.notify != notify:
        follower.notify = notify
        follower.save(update_fields=["notify"])
    return follower


def issue_move_followers(*, duplicate: Issue, original: Issue) -> int:
    """When a duplicate is merged, its reporter and supporters follow the original as supporters
    (nobody twice, and not the original's own reporter). Returns how many supporters were added.
    Nobody is moved onto an original hidden by moderation: that would show it on their page and mail
    them about it."""
    if Issue.objects.filter(pk=original.pk, is_hidden=True).exists():  # the stored flag, not a stale copy
        return 0
    existing = set(IssueFollower.objects.filter(issue=original).values_list("user_id", flat=True))
    if original.reporter_id:
        existing.add(original.reporter_id)
    moved = []
    for follower in IssueFollower.objects.filter(issue=duplicate).order_by("created_at"):
        if follower.user_id in existing:
            continue
        existing.add(follower.user_id)
        moved.append(
            IssueFollower(
                issue=original,
                user_id=follower.user_id,
                reason=FollowReason.SUPPORTER,
                notify=follower.notify,
                created_at=follower.created_at,
            )
        )
    IssueFollower.objects.bulk_create(moved)
    if moved:
        Issue.objects.filter(pk=original.pk).update(support_count=F("support_count") + len(moved))
    return len(moved)


def issues_recount_support(*, user: User) -> int:
    """Recount the supporters of every issue this person supports, counting only confirmed
    accounts (run when they confirm their address; idempotent). Returns how many issues."""
    issue_ids = list(
        IssueFollower.objects.filter(user=user, reason=FollowReason.SUPPORTER).values_list("issue_id", flat=True)
    )
    confirmed = Count(
        "followers",
        filter=Q(followers__reason=FollowReason.SUPPORTER, followers__user__email_confirmed_at__isnull=False),
    )
    for issue_id, count in Issue.objects.filter(pk__in=issue_ids).annotate(n=confirmed).values_list("pk", "n"):
        Issue.objects.filter(pk=issue_id).update(support_count=count)
    return len(issue_ids)
