"""The ORM's and SQL's forms of "overdue" select exactly the issues the pure rule calls overdue."""

import datetime

import pytest
from django.db import connection

from issues.models import Issue
from issues.rules.clocks import is_overdue
from issues.sql import overdue_sql
from tests.world import TUESDAY_10

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def test_orm_sql_and_rule_agree_on_overdue_for_every_status_and_deadline(world, report):
    issue = report()
    cases = []
    for status in ("new", "assigned", "in_progress", "planned", "resolved", "closed", "rejected"):
        for response in (None, TUESDAY_10 - HOUR, TUESDAY_10 + HOUR):
            for resolve in (None, TUESDAY_10 - HOUR, TUESDAY_10 + HOUR):
                cases.append((status, response, resolve))
    ids = []
    for n, (status, response, resolve) in enumerate(cases):
        copy = Issue.objects.get(pk=issue.pk)
        copy.pk = None
        copy.ref = f"DRH-TEST-{n:06d}"
        copy.status, copy.response_due_at, copy.resolve_due_at = status, response, resolve
        copy.executor = None if status == "new" else world.roads
        copy.save()
        ids.append(copy.pk)
    expected = {
        pk
        for pk, (status, response, resolve) in zip(ids, cases, strict=True)
        if is_overdue(status=status, response_due_at=response, resolve_due_at=resolve, at=TUESDAY_10)
    }
    assert len(expected) == 8  # a real mix, not an empty agreement
    by_orm = set(Issue.objects.filter(pk__in=ids).overdue(TUESDAY_10).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT i.id FROM issues_issue i WHERE i.id = ANY(%(ids)s) AND {overdue_sql(alias='i')}",
            {"ids": ids, "now": TUESDAY_10},
        )
        by_sql = {row[0] for row in cursor.fetchall()}
    assert by_orm == by_sql == expected
