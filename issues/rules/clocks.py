"""Which deadline runs in which status: the one definition of "overdue" and "due soon".

An issue has two stored deadlines (see issues.rules.deadlines for how they are computed). The
*answer* deadline runs while the executor has not answered yet (`assigned`); the *fix* deadline
runs while the issue is assigned or in progress — paused while `planned`, stopped once resolved.
An open issue is *overdue* when a running deadline has passed, and *due soon* when it is not
overdue and its nearest running deadline comes within DUE_SOON.

The ORM (Issue.objects.overdue), the SQL of the dashboard (issues.sql.overdue_sql), the SLA sweep,
the queues and the pages all use these sets and functions; none restates them.
"""

from __future__ import annotations

import datetime
from enum import StrEnum

from issues.rules.transitions import CLOCK_RUNNING_STATUSES, Action, Status

# The answer clock runs only until the executor answers, which takes the issue out of `assigned`.
RESPONSE_CLOCK_STATUSES = frozenset({Status.ASSIGNED})
# The fix clock runs while someone is working against it.
RESOLVE_CLOCK_STATUSES = CLOCK_RUNNING_STATUSES
DUE_SOON = datetime.timedelta(hours=24)
# Actions that give an executor the issue with fresh deadlines: each starts an *assignment period*
# (the dashboard judges every period against the deadlines in force in it).
CLOCK_STARTING_ACTIONS = frozenset({Action.ROUTE, Action.REASSIGN, Action.DISPUTE})
# Actions from `assigned` that answer the report, stopping the answer clock.
ANSWER_ACTIONS = frozenset({Action.ACCEPT, Action.PLAN, Action.RESOLVE, Action.REJECT, Action.HAND_BACK})


class DeadlineKind(StrEnum):
    RESPONSE = "response"
    RESOLUTION = "resolution"


def running_deadlines(
    *, status: str, response_due_at: datetime.datetime | None, resolve_due_at: datetime.datetime | None
) -> list[tuple[DeadlineKind, datetime.datetime]]:
    """The deadlines whose clock runs in this status (those that are set), answer first."""
    running = []
    if status in RESPONSE_CLOCK_STATUSES and response_due_at is not None:
        running.append((DeadlineKind.RESPONSE, response_due_at))
    if status in RESOLVE_CLOCK_STATUSES and resolve_due_at is not None:
        running.append((DeadlineKind.RESOLUTION, resolve_due_at))
    return running


def missed_deadlines(
    *,
    status: str,
    response_due_at: datetime.datetime | None,
    resolve_due_at: datetime.datetime | None,
    at: datetime.datetime,
) -> list[tuple[DeadlineKind, datetime.datetime]]:
    """The running deadlines that have passed at `at`."""
    running = running_deadlines(status=status, response_due_at=response_due_at, resolve_due_at=resolve_due_at)
    return [(kind, due_at) for kind, due_at in running if due_at < at]


def next_deadline(
    *, status: str, response_due_at: datetime.datetime | None, resolve_due_at: datetime.datetime | None
) -> datetime.datetime | None:
    """The deadline the executor works against now: the answer one until answered, then the fix one."""
    if status in RESPONSE_CLOCK_STATUSES:
        return response_due_at
    return resolve_due_at


def is_overdue(
    *,
    status: str,
    response_due_at: datetime.datetime | None,
    resolve_due_at: datetime.datetime | None,
    at: datetime.datetime,
) -> bool:
    """A running deadline has passed."""
    return bool(missed_deadlines(status=status, response_due_at=response_due_at, resolve_due_at=resolve_due_at, at=at))


def is_due_soon(
    *,
    status: str,
    response_due_at: datetime.datetime | None,
    resolve_due_at: datetime.datetime | None,
    at: datetime.datetime,
) -> bool:
    """Not overdue, and the deadline worked against now comes within DUE_SOON of `at`."""
    due_at = next_deadline(status=status, response_due_at=response_due_at, resolve_due_at=resolve_due_at)
    if due_at is None or is_overdue(
        status=status, response_due_at=response_due_at, resolve_due_at=resolve_due_at, at=at
    ):
        return False
    return due_at <= at + DUE_SOON
