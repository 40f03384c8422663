"""Two staff members acting on one issue at the same moment: one wins, the other gets a conflict."""

import datetime
import threading

import pytest
from django.db import connection

from issues.models import Issue, IssueEvent
from issues.services import TransitionInput, issue_transition
from opencity.errors import Conflict
from tests.factories import StaffFactory


@pytest.mark.django_db(transaction=True)
def test_simultaneous_accepts_are_serialised(world, report):
    issue = report()
    colleague = StaffFactory(username="roads-colleague", executor=world.roads)
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def accept(person, promised):
        try:
            start.wait()
            issue_transition(issue=issue, actor=person, action="accept", data=TransitionInput(promised_date=promised))
            outcomes[person.username] = "accepted"
        except Conflict:
            outcomes[person.username] = "conflict"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=accept, args=(world.roads_staff, datetime.date(2030, 1, 1))),
        threading.Thread(target=accept, args=(colleague, datetime.date(2030, 2, 2))),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["accepted", "conflict"]
    winner = next(name for name, outcome in outcomes.items() if outcome == "accepted")
    issue = Issue.objects.get(pk=issue.pk)
    assert issue.status == "in_progress"
    assert IssueEvent.objects.filter(issue=issue, data__action="accept").count() == 1
    assert IssueEvent.objects.get(issue=issue, data__action="accept").actor.username == winner
    assert issue.promised_date == (datetime.date(2030, 1, 1) if winner == "roads-staff" else datetime.date(2030, 2, 2))
