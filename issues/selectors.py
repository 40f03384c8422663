"""Reads about issues: the public timeline, the executor's queue, the dispatcher's lists."""

from __future__ import annotations

import datetime

from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.utils import timezone

from accounts.models import Executor, User
from accounts.roles import user_executor, user_is_dispatcher
from issues.models import (
    Category,
    Issue,
    IssueEvent,
    IssueEventKind,
    IssueStatus,
    WorkingCalendar,
    next_deadline_expression,
    overdue_q,
)
from issues.rules.deadlines import CalendarSpec
from issues.rules.transitions import ActorRole


def calendar_spec(calendar: WorkingCalendar) -> CalendarSpec:
    """The working calendar as plain data for the deadline rules."""
    dates = list(calendar.dates.values_list("date", "is_working"))
    return CalendarSpec(
        time_zone=calendar.time_zone,
        day_start=calendar.day_start,
        day_end=calendar.day_end,
        working_weekdays=frozenset(calendar.working_weekdays),
        non_working_dates=frozenset(day for day, working in dates if not working),
        extra_working_dates=frozenset(day for day, working in dates if working),
    )


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
    issue = (
        Issue.objects.select_related(
            "category__group", "district", "executor", "duplicate_of", "reporter", "outage", "budget_project"
        )
        .filter(ref=ref)
        .first()
    )
    if issue is None:
        return None, frozenset()
    roles = issue_actor_roles(issue=issue, user=user) if user.is_authenticated else frozenset()
    if issue.is_hidden and not roles & {ActorRole.REPORTER, ActorRole.EXECUTOR, ActorRole.DISPATCHER}:
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


def issues_reported_by(*, user: User) -> QuerySet[Issue]:
    return Issue.objects.filter(reporter=user).select_related("category", "executor").order_by("-created_at")

