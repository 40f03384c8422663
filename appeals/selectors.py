"""Reading appeals: who may see which, the roles an actor holds on one, and the routing suggestion."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.roles import user_executor, user_is_appeal_clerk
from appeals.models import Appeal, AppealEvent, AppealPolicy
from appeals.rules.terms import TermPolicy
from appeals.rules.transitions import AppealRole
from issues.models import RoutingRule
from issues.rules.deadlines import CalendarSpec
from issues.rules.routing import RoutingDecision, RuleCandidate, resolve_route
from issues.selectors import calendar_spec


def appeal_actor_roles(*, appeal: Appeal, user: User | None) -> frozenset[AppealRole]:
    """The roles a user holds on one appeal (None is the platform itself)."""
    if user is None:
        return frozenset({AppealRole.SYSTEM})
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    roles = set()
    if appeal.author_id == user.pk:
        roles.add(AppealRole.AUTHOR)
    if user_is_appeal_clerk(user):
        roles.add(AppealRole.CLERK)
    executor = user_executor(user)
    if executor is not None and appeal.unit_id == executor.pk:
        roles.add(AppealRole.UNIT)
    return frozenset(roles)


def appeals_visible_to(user: User) -> QuerySet[Appeal]:
    """The appeals a user may read: their own; the general department all; a unit's staff those
    assigned to their unit now. Nobody else — not the public, not other units, not the dispatchers."""
    if not user.is_authenticated or not user.is_active:
        return Appeal.objects.none()
    if user_is_appeal_clerk(user):
        return Appeal.objects.all()
    condition = Q(author=user)
    executor = user_executor(user)
    if executor is not None:
        condition |= Q(unit=executor)
    return Appeal.objects.filter(condition)


def appeal_for(*, user: User, ref: str) -> Appeal | None:
    """One appeal by its number, if the user may read it (None otherwise: a 404, never a 403)."""
    return (
        appeals_visible_to(user)
        .select_related("policy__calendar", "unit", "author", "duplicate_of", "category")
        .filter(ref=ref)
        .first()
    )


def appeal_timeline(*, appeal: Appeal, for_author: bool) -> QuerySet[AppealEvent]:
    """The appeal's events, oldest first; the author sees the steps meant for them."""
    events = appeal.events.select_related("actor").order_by("at", "pk")
    return events.filter(for_author=True) if for_author else events


def policy_terms(policy: AppealPolicy) -> tuple[TermPolicy, CalendarSpec]:
    """The policy's terms and its calendar as plain data for the rules."""
    return policy.as_terms(), calendar_spec(policy.calendar)


def appeal_suggested_unit(appeal: Appeal) -> RoutingDecision | None:
    """The structural unit the routing rules give the appeal's topic (rules covering the whole
    community: an appeal has no point on the map), or None: the general department decides."""
    if appeal.category_id is None:
        return None
    rules = RoutingRule.objects.for_category(appeal.category).filter(area__isnull=True, district__isnull=True)
    candidates = [
        RuleCandidate(
            rule_id=rule.pk,
            executor_id=rule.executor_id,
            executor_code=rule.executor.code,
            priority=rule.priority,
            area_m2=None,
            scope="community",
            is_active=rule.is_active and rule.executor.is_active,
            valid_from=rule.valid_from,
            valid_until=rule.valid_until,
        )
        for rule in rules.select_related("executor")
    ]
    return resolve_route(candidates, on=timezone.localdate())
