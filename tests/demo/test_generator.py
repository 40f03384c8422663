"""The generator of large cities (make bench) runs on the current schema and writes issues and
events the rest of the code reads as it reads real ones."""

import pytest
from django.core.management import call_command

from issues.events import payload_for
from issues.models import Issue, IssueEvent

pytestmark = pytest.mark.django_db


def test_the_generator_writes_issues_with_histories_in_the_declared_shapes(world):
    call_command("opencity_generate_issues", count=300, days=60, seed=0.42, stdout=None)
    assert Issue.objects.count() == 300
    assert Issue.objects.filter(attributes={}).count() == 300
    events = list(IssueEvent.objects.all())
    assert len(events) > 300  # every issue has its `created` event, most have more
    assert {"created", "routed", "status_changed"} <= {event.kind for event in events}
    for event in events:
        payload = payload_for(kind=event.kind, data=event.data)
        assert set(event.data) <= type(payload).json_keys(), (event.kind, event.data)
