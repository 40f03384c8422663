"""Roles, derived from data: groups for the city's own staff, memberships for executors' staff.

Every permission check in the project asks these functions, never a group name directly.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from accounts.models import Executor, User

DISPATCHERS_GROUP = "dispatchers"
LEADERSHIP_GROUP = "leadership"
# The council's general department: registers written appeals and information requests, routes them
# to the structural units, forwards those for other bodies, merges repeats (appeals app).
APPEAL_CLERKS_GROUP = "appeal_clerks"


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    CITIZEN = "citizen"
    EXECUTOR = "executor"
    DISPATCHER = "dispatcher"
    LEADERSHIP = "leadership"
    SYSTEM = "system"


def _group_names(user: User) -> set[str]:
    cached = getattr(user, "_opencity_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._opencity_groups = cached
    return cached


def user_is_dispatcher(user: User) -> bool:
    """Dispatchers: the city's duty officers (members of the `dispatchers` group)."""
    return bool(user.is_authenticated and user.is_active and DISPATCHERS_GROUP in _group_names(user))


def user_is_leadership(user: User) -> bool:
    """Leadership: the mayor's office (the `leadership` group); reads everything, changes nothing."""
    return bool(user.is_authenticated and user.is_active and LEADERSHIP_GROUP in _group_names(user))


def user_is_appeal_clerk(user: User) -> bool:
    """The general department's staff (the `appeal_clerks` group): the appeals' registry and desk."""
    return bool(user.is_authenticated and user.is_active and APPEAL_CLERKS_GROUP in _group_names(user))


def user_executor(user: User) -> Executor | None:
    """The organisation this user works for, or None. Staff of a deactivated organisation (and
    deactivated accounts) act for no one: their rights end with the organisation's."""
    if not user.is_authenticated or not user.is_active:
        return None
    membership = getattr(user, "membership", None)
    if membership is None or not membership.executor.is_active:
        return None
    return membership.executor


def user_may_correct_issues(user: User) -> bool:
    """Who may correct an issue's category, location and text: dispatchers, and administrators
    given the right to change issues in the admin (superusers have it)."""
    return bool(
        user.is_authenticated and user.is_active and (user_is_dispatcher(user) or user.has_perm("issues.change_issue"))
    )
