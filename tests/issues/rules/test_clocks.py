"""The one definition of "overdue", "due soon" and the status sets: pure rules, and the ORM and
SQL forms generated from them agree with the rules on every status."""

import datetime

import pytest

from issues.models import OPEN_STATUS_VALUES, IssueStatus
from issues.rules.clocks import (
    DUE_SOON,
    DeadlineKind,
    is_due_soon,
    is_overdue,
    missed_deadlines,
    next_deadline,
)
from issues.rules.transitions import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    RESPONSIBLE_STATUSES,
    Status,
    statuses_in_order,
)
from issues.sql import overdue_sql, sql_values, status_sql

AT = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)
PAST = AT - datetime.timedelta(hours=1)
SOON = AT + datetime.timedelta(hours=3)
LATER = AT + datetime.timedelta(days=3)


def test_the_database_enum_is_the_rules_enum():
    assert IssueStatus.values == [status.value for status in Status]


def test_the_status_sets_partition_the_statuses():
    assert OPEN_STATUSES | CLOSED_STATUSES == set(Status)
    assert not OPEN_STATUSES & CLOSED_STATUSES
    assert RESPONSIBLE_STATUSES <= OPEN_STATUSES
    assert OPEN_STATUS_VALUES == ["new", "assigned", "in_progress", "planned"]
    assert statuses_in_order(CLOSED_STATUSES) == ["resolved", "closed", "rejected", "duplicate"]


@pytest.mark.parametrize(
    ("status", "response", "resolve", "missed"),
    [
        ("assigned", PAST, LATER, [DeadlineKind.RESPONSE]),
        ("assigned", PAST, PAST, [DeadlineKind.RESPONSE, DeadlineKind.RESOLUTION]),
        ("assigned", LATER, LATER, []),
        ("in_progress", PAST, LATER, []),  # answered: the answer deadline is history
        ("in_progress", PAST, PAST, [DeadlineKind.RESOLUTION]),
        ("planned", PAST, None, []),  # paused
        ("planned", PAST, PAST, []),
        ("resolved", PAST, PAST, []),
        ("new", None, None, []),
        ("closed", PAST, PAST, []),
    ],
)
def test_missed_deadlines_follow_the_running_clocks(status, response, resolve, missed):
    found = missed_deadlines(status=status, response_due_at=response, resolve_due_at=resolve, at=AT)
    assert [kind for kind, _ in found] == missed
    assert is_overdue(status=status, response_due_at=response, resolve_due_at=resolve, at=AT) == bool(missed)


def test_the_deadline_worked_against_is_the_answer_until_answered():
    assert next_deadline(status="assigned", response_due_at=SOON, resolve_due_at=LATER) == SOON
    assert next_deadline(status="in_progress", response_due_at=SOON, resolve_due_at=LATER) == LATER


@pytest.mark.parametrize(
    ("status", "response", "resolve", "soon"),
    [
        ("assigned", SOON, LATER, True),
        ("assigned", LATER, LATER, False),
        ("assigned", PAST, LATER, False),  # overdue, not "soon"
        ("in_progress", PAST, SOON, True),
        ("in_progress", PAST, AT + DUE_SOON, True),  # the edge is included
        ("in_progress", PAST, AT + DUE_SOON + datetime.timedelta(seconds=1), False),
        ("planned", PAST, None, False),
    ],
)
def test_due_soon(status, response, resolve, soon):
    assert is_due_soon(status=status, response_due_at=response, resolve_due_at=resolve, at=AT) == soon


def test_sql_fragments_are_generated_from_the_enums():
    assert status_sql(OPEN_STATUSES) == "('new', 'assigned', 'in_progress', 'planned')"
    assert overdue_sql(alias="x", at="%(t)s") == (
        "((x.status IN ('assigned') AND x.response_due_at < %(t)s)"
        " OR (x.status IN ('assigned', 'in_progress') AND x.resolve_due_at < %(t)s))"
    )
    with pytest.raises(ValueError):
        sql_values(["new'; DROP TABLE issues_issue; --"])
    with pytest.raises(ValueError):
        sql_values([])
