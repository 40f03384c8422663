"""Reads about issues: the public timeline, the executor's queue, the dispatcher's lists."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.utils import timezone

from accounts.localized import localized
from accounts.models import Executor, User
from accounts.roles import user_executor, user_is_dispatcher
from issues.models import (
    Category,
    CategoryGroup,
    FollowReason,
    Issue,
    IssueEvent,
    IssueEventKind,
    IssueFollower,
    IssueMedia,
    IssueStatus,
    MediaRole,
    WorkingCalendar,
    next_deadline_expression,
    overdue_q,
)
from issues.rules.clocks import is_due_soon
from issues.rules.confirmation import report_waiting_for_confirmation
from issues.rules.deadlines import CalendarSpec
from issues.rules.transitions import ActorRole
from media_store.models import MediaAsset


def calendar_spec(calendar: WorkingCalendar) -> CalendarSpec:
    """The working calendar as plain data for the deadline rules (its dates read now, unless they
    were read with it: calendar_with_dates)."""
    dates = getattr(calendar, "_dates_read", None)
    if dates is None:
        dates = list(calendar.dates.values_list("date", "is_working"))
    return CalendarSpec(
        time_zone=calendar.time_zone,
        day_start=calendar.day_start,
        day_end=calendar.day_end,
        working_weekdays=frozenset(calendar.working_weekdays),
        non_working_dates=frozenset(day for day, working in dates if not working),
        extra_working_dates=frozenset(day for day, working in dates if working),
    )


def calendar_with_dates(calendar: WorkingCalendar, dates: Iterable[tuple[datetime.date, bool]]) -> WorkingCalendar:
    """The calendar carrying its dates (date, is_working) as read in the same statement as it (the
    routing rules of a report): calendar_spec reads them from here, not again."""
    calendar._dates_read = list(dates)
    return calendar


def issue_actor_roles(*, issue: Issue, user: User | None) -> frozenset[ActorRole]:
    """The roles a user holds with respect to one issue (None is the platform itself)."""
    if user is None:
        return frozenset({ActorRole.SYSTEM})
    roles = set()
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if issue.reporter_id is not None and issue.reporter_id == user.pk:
        roles.add(ActorRole.REPORTER)
    executor = user_executor(user)
    if executor is not None and issue.executor_id == executor.pk:
        roles.add(ActorRole.EXECUTOR)
    if user_is_dispatcher(user):
        roles.add(ActorRole.DISPATCHER)
    return frozenset(roles)


def issue_for_viewer(*, ref: str, user) -> tuple[Issue | None, frozenset]:
    """The issue with this public reference as `user` may see it, and the user's roles for it.

    A hidden issue exists only for its reporter, its executor's staff and dispatchers; for anyone
    else it is (None, roles) exactly like an unknown reference, so hiding leaks nothing."""
    # Only what every view of an issue shows is joined: each further join (the reporter, the
    # original of a duplicate, the outage, the budget project) multiplied the planning of this
    # one-row query (2.3 ms against 0.3 ms with these three, on 100,000 issues). Those are loaded
    # when a view reads them, and only when the issue has one (most have none).
    issue = next(
        iter(Issue.objects.select_related("category__group", "district", "executor").filter(ref=ref).order_by()[:1]),
        None,
    )
    if issue is None:
        return None, frozenset()
    roles = issue_actor_roles(issue=issue, user=user) if user.is_authenticated else frozenset()
    if (issue.is_hidden or issue.awaiting_confirmation) and not roles & {
        ActorRole.REPORTER,
        ActorRole.EXECUTOR,
        ActorRole.DISPATCHER,
    }:
        return None, roles
    return issue, roles


def issue_public_timeline(*, issue: Issue) -> QuerySet[IssueEvent]:
    """The events a citizen sees, oldest first."""
    return issue.events.filter(is_public=True).order_by("at", "pk")


def issue_timeline(*, issue: Issue) -> QuerySet[IssueEvent]:
    """Every event, for staff."""
    return issue.events.select_related("actor").order_by("at", "pk")


def queue_for_executor(*, executor: Executor, at: datetime.datetime | None = None) -> QuerySet[Issue]:
    """The executor's open issues: overdue first, then by the nearest running deadline."""
    at = at or timezone.now()
    nearest = next_deadline_expression()
    overdue = Case(When(overdue_q(at), then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        Issue.objects.for_executor(executor)
        .open()
        .select_related("category", "district", "executor")
        .annotate(next_due_at=nearest, is_overdue_rank=overdue)
        .order_by("is_overdue_rank", F("next_due_at").asc(nulls_last=True), "created_at")
    )


def dispatch_unrouted() -> QuerySet[Issue]:
    """Issues waiting for the dispatcher: new (no rule matched, handed back, or held), oldest first."""
    return (
        Issue.objects.filter(status=IssueStatus.NEW)
        .select_related("category", "district", "reporter")
        .order_by("created_at")
    )


def dispatch_possible_duplicates(*, limit: int = 50) -> QuerySet[Issue]:
    """Open issues flagged as possible duplicates that nobody merged yet, newest first."""
    flagged = IssueEvent.objects.filter(kind=IssueEventKind.DUPLICATE_FLAGGED).values("issue_id")
    return (
        Issue.objects.open()
        .filter(pk__in=flagged)
        .select_related("category", "district", "executor")
        .order_by("-created_at")[:limit]
    )


def dispatch_overdue(*, at: datetime.datetime | None = None, limit: int = 100) -> QuerySet[Issue]:
    """Open issues past a deadline, the longest overdue first."""
    at = at or timezone.now()
    return (
        Issue.objects.overdue(at)
        .select_related("category", "executor", "district")
        .order_by(F("resolve_due_at").asc(nulls_last=True))[:limit]
    )


def categories_active() -> QuerySet[Category]:
    """Categories a citizen can choose, grouped in display order."""
    return (
        Category.objects.filter(is_active=True)
        .select_related("group", "sla_policy")
        .prefetch_related("attributes")
        .order_by("group__order", "group__code", "order", "code")
    )


def issue_by_ref(*, ref: str) -> Issue | None:
    """The issue with this public reference, hidden or not (for checks made by a service)."""
    return Issue.objects.filter(ref=ref).first()


@dataclass(frozen=True)
class IssuePictures:
    report: list[MediaAsset]  # the citizen's photos or video, in their order
    work: list[IssueMedia]  # the executor's "before" and "after" pictures, with their role


def issue_pictures(*, issue: Issue) -> IssuePictures:
    """The issue's photos and videos: the citizen's, and the executor's before and after."""
    links = list(issue.media.select_related("asset").order_by("position", "pk"))
    return IssuePictures(
        report=[link.asset for link in links if link.role == MediaRole.REPORT],
        work=[link for link in links if link.role in (MediaRole.BEFORE, MediaRole.AFTER)],
    )


@dataclass(frozen=True)
class ViewerSupport:
    can_support: bool  # signed in, not the reporter, and the issue still open (as issue_support checks)
    supports: bool  # has already said "me too"


def issue_support_of_viewer(*, issue: Issue, user: User | AnonymousUser) -> ViewerSupport:
    """Whether the viewer may say "me too" about the issue, and whether they already have."""
    if not user.is_authenticated:
        return ViewerSupport(can_support=False, supports=False)
    return ViewerSupport(
        can_support=issue.is_open and issue.reporter_id != user.pk,
        supports=issue.followers.filter(user=user, reason=FollowReason.SUPPORTER).exists(),
    )


def issue_held_for_confirmation(*, issue: Issue, viewer: User | AnonymousUser | None) -> bool:
    """True, for its own reporter only, while the report waits for their e-mail confirmation."""
    if viewer is None or not viewer.is_authenticated or issue.reporter_id != viewer.pk:
        return False
    confirmed = viewer.email_confirmed_at is not None
    return report_waiting_for_confirmation(status=issue.status, reporter_confirmed=confirmed)


@dataclass(frozen=True)
class QueueEntry:
    issue: Issue  # annotated by queue_for_executor: next_due_at, is_overdue_rank
    state: str  # "overdue", "soon" (issues.rules.clocks.is_due_soon) or ""


# The queue page shows this many issues at a time (a large department has thousands open).
QUEUE_PAGE_SIZE = 50


def _queue_narrowed(
    *, executor: Executor, at: datetime.datetime, status: str, category: Category | None, overdue_only: bool
) -> QuerySet[Issue]:
    issues = queue_for_executor(executor=executor, at=at)
    if status:
        issues = issues.filter(status=status)
    if category is not None:
        issues = issues.filter(category=category)
    if overdue_only:
        issues = issues.filter(is_overdue_rank=0)
    return issues


def queue_entries_for_executor(
    *,
    executor: Executor,
    at: datetime.datetime | None = None,
    status: str = "",
    category: Category | None = None,
    overdue_only: bool = False,
) -> list[QueueEntry]:
    """The executor's queue (queue_for_executor), narrowed to a status, a category or the overdue
    issues when asked, each issue marked overdue, due soon or neither."""
    at = at or timezone.now()
    issues = _queue_narrowed(executor=executor, at=at, status=status, category=category, overdue_only=overdue_only)
    return [QueueEntry(issue=issue, state=_queue_state(issue, at=at)) for issue in issues]


def queue_page_for_executor(
    *,
    executor: Executor,
    page: str | int | None,
    at: datetime.datetime | None = None,
    status: str = "",
    category: Category | None = None,
    overdue_only: bool = False,
    per_page: int | None = None,
) -> Page:
    """One page of queue_entries_for_executor (a count and one slice, whatever the queue's length);
    its object_list holds the QueueEntry rows. An unknown page number gives the nearest page."""
    at = at or timezone.now()
    issues = _queue_narrowed(executor=executor, at=at, status=status, category=category, overdue_only=overdue_only)
    shown = Paginator(issues, per_page or QUEUE_PAGE_SIZE).get_page(page)
    shown.object_list = [QueueEntry(issue=issue, state=_queue_state(issue, at=at)) for issue in shown.object_list]
    return shown


def _queue_state(issue: Issue, *, at: datetime.datetime) -> str:
    """A queue row's mark: the database ranked it overdue, or the clock rules call it due soon."""
    if issue.is_overdue_rank == 0:
        return "overdue"
    soon = is_due_soon(
        status=issue.status, response_due_at=issue.response_due_at, resolve_due_at=issue.resolve_due_at, at=at
    )
    return "soon" if soon else ""


@dataclass(frozen=True)
class FollowedIssues:
    reported: list[IssueFollower]
    supported: list[IssueFollower]


def issues_followed_by(*, user: User) -> FollowedIssues:
    """What the user reported and what they support (with their e-mail switch), recently changed first.
    An issue hidden by moderation stays in its reporter's list but leaves its supporters'."""
    followed = (
        IssueFollower.objects.filter(user=user)
        .exclude(issue__is_hidden=True, reason=FollowReason.SUPPORTER)
        .select_related("issue__category", "issue__executor")
        .order_by("-issue__updated_at")
    )
    return FollowedIssues(
        reported=[f for f in followed if f.reason == FollowReason.REPORTER],
        supported=[f for f in followed if f.reason == FollowReason.SUPPORTER],
    )


def category_groups_active() -> QuerySet[CategoryGroup]:
    """Groups with at least one category a citizen can choose, in display order."""
    return CategoryGroup.objects.filter(categories__is_active=True).distinct().order_by("order", "code")


def category_groups_for_map(*, language: str) -> list[dict]:
    """The active categories by group as the map's report form needs them (plain data for JSON):
    names, the duplicate radius, whether a photo is needed, the urgent notice in `language` and
    the extra questions in their order."""
    groups: dict[int, dict] = {}
    for category in categories_active():
        group = groups.setdefault(
            category.group_id, {"code": category.group.code, "name": category.group.name, "categories": []}
        )
        group["categories"].append(
            {
                "code": category.code,
                "name": category.name,
                "duplicate_radius_m": category.duplicate_radius_m,
                "photo_required": category.photo_required,
                "urgent_notice": localized(category.urgent_notice_uk, category.urgent_notice_en, language=language),
                "questions": [
                    {
                        "code": question.code,
                        "datatype": question.datatype,
                        "required": question.required,
                        "variable": question.variable,
                        "description": question.description,
                        "hint": question.datatype_description,
                        "options": [
                            {"key": item["key"], "name": question.value_name(item["key"])} for item in question.values
                        ],
                    }
                    for question in sorted(category.attributes.all(), key=lambda q: (q.order, q.pk))
                ],
            }
        )
    return list(groups.values())


def issue_media_visible(*, public_id: uuid.UUID) -> IssueMedia | None:
    """A picture's link to its issue, with the asset; None when the picture is unknown or its
    issue is hidden."""
    link = IssueMedia.objects.select_related("asset", "issue").filter(asset__public_id=public_id).first()
    if link is None or link.issue.is_hidden or link.issue.awaiting_confirmation:
        return None
    return link
