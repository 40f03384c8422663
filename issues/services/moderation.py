"""The dispatcher's moderation and the staff's comments: everything except status changes."""

from __future__ import annotations

import datetime
import logging
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import user_is_dispatcher, user_may_correct_issues
from issues.events import CategoryChanged
from issues.models import Category, Issue, IssueEvent, IssueEventKind, IssueStatus
from issues.rules.transitions import ActorRole
from issues.selectors import issue_actor_roles
from issues.services.lifecycle import issue_deadlines_record, issue_recompute_deadlines
from issues.services.media import issue_media_follow_visibility, issue_media_visibility_task
from issues.services.reporting import issue_route
from opencity.errors import Forbidden, InvalidInput

logger = logging.getLogger(__name__)


def _require_dispatcher(user: User) -> None:
    if not user_is_dispatcher(user):
        raise Forbidden(_("Only the dispatcher may do this."), code="dispatcher_only")


def require_corrector(user: User) -> None:
    """Refuse anyone who may not correct issues (accounts.roles.user_may_correct_issues)."""
    if not user_may_correct_issues(user):
        raise Forbidden(_("Only dispatchers and administrators may correct issues."), code="corrector_only")


def issue_set_hidden(
    *, issue: Issue, actor: User, hidden: bool, note: str = "", now: datetime.datetime | None = None
) -> Issue:
    """Hide an issue from public pages and feeds (personal data, abuse), or show it again."""
    _require_dispatcher(actor)
    now = now or timezone.now()
    with transaction.atomic():
        locked = Issue.objects.select_for_update(of=("self",)).get(pk=issue.pk)
        if locked.is_hidden == hidden:
            return locked
        locked.is_hidden = hidden
        locked.updated_at = now
        locked.save(update_fields=["is_hidden", "updated_at"])
        IssueEvent.objects.create(
            issue=locked,
            kind=IssueEventKind.HIDDEN if hidden else IssueEventKind.SHOWN,
            at=now,
            actor=actor,
            is_public=False,
            note=note.strip(),
        )
        # Its photos and videos leave (or regain) their storage addresses in the same transaction.
        # Should the object store fail, the issue is hidden all the same (its page, the API, Open311
        # and the checking picture view refuse it at once) and the worker moves the files.
        try:
            with transaction.atomic():
                issue_media_follow_visibility(issue=locked)
        except Exception:
            logger.exception("could not move the media of issue %s; the worker retries", locked.ref)
            transaction.on_commit(partial(issue_media_visibility_task.enqueue, issue_id=locked.pk), robust=True)
    return locked


def issue_change_category(
    *, issue: Issue, actor: User, category: Category, now: datetime.datetime | None = None
) -> Issue:
    """Fix the category a citizen chose. A new issue is routed again by the new category's rules;
    an assigned one keeps its executor (reassign it separately) with deadlines by the new policy.
    Part of correcting an issue, so administrators may do it too (issues.services.corrections)."""
    require_corrector(actor)
    if not category.is_active:
        raise InvalidInput(
            _("Please choose an active category."), fields={"category": [_("This category is not active.")]}
        )
    now = now or timezone.now()
    with transaction.atomic():
        locked = Issue.objects.select_for_update(of=("self",)).select_related("category").get(pk=issue.pk)
        if locked.category_id == category.pk:
            return locked
        previous = locked.category.code
        locked.category = category
        locked.updated_at = now
        issue_recompute_deadlines(issue=locked)
        locked.save()
        IssueEvent.objects.create(
            issue=locked,
            kind=IssueEventKind.CATEGORY_CHANGED,
            at=now,
            actor=actor,
            is_public=True,
            # The new policy's deadlines, when it changed running ones (see DEADLINE_SETTING_ACTIONS).
            data=CategoryChanged(
                from_code=previous,
                to_code=category.code,
                deadlines=issue_deadlines_record(locked) if locked.is_open and locked.clock_started_at else None,
            ).as_json(),
        )
        if locked.status == IssueStatus.NEW:
            locked = issue_route(issue=locked, now=now)
    return locked


def issue_comment(
    *, issue: Issue, actor: User, note: str, is_public: bool, now: datetime.datetime | None = None
) -> IssueEvent:
    """A note on the timeline by the executor's staff or a dispatcher, public or internal."""
    roles = issue_actor_roles(issue=issue, user=actor)
    if not roles & {ActorRole.EXECUTOR, ActorRole.DISPATCHER}:
        raise Forbidden(_("Only the executor's staff and dispatchers may comment here."), code="action_forbidden")
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("The comment is empty."), fields={"note": [_("Please write the comment.")]})
    if len(note) > 4000:
        raise InvalidInput(_("The comment is too long."), fields={"note": [_("At most 4000 characters.")]})
    now = now or timezone.now()
    with transaction.atomic():
        Issue.objects.filter(pk=issue.pk).update(updated_at=now)
        return IssueEvent.objects.create(
            issue=issue, kind=IssueEventKind.COMMENT, at=now, actor=actor, is_public=is_public, note=note
        )
