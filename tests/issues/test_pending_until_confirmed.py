"""Public only when trusted: the reports and "me too"s of an account whose e-mail address is not
confirmed wait, unseen and uncounted, until it is."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from issues.services.reporting import issues_release_after_confirmation
from issues.services.support import issue_support
from tests.factories import UserFactory
from tests.open311.conftest import Open311Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(world):
    return UserFactory(username="newcomer", email_confirmed_at=None)


def public_refs():
    layer = APIClient().get("/api/v1/issues/").json()
    open311 = Open311Client("uk").get("requests", "service_requests.json")
    return {f["properties"]["ref"] for f in layer["features"]}, {r["service_request_id"] for r in open311}


def page_status(issue, user=None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(f"/issues/{issue.ref}/")


def confirm(user):
    user.email_confirmed_at = user.date_joined
    user.save(update_fields=["email_confirmed_at"])
    return issues_release_after_confirmation(user=user)


def test_an_unconfirmed_report_is_seen_only_by_its_reporter_and_the_dispatchers(world, report, newcomer):
    trusted = report()
    pending = report(reporter=newcomer, description="Текст, який ще ніхто не перевірив")
    assert (pending.awaiting_confirmation, trusted.awaiting_confirmation) == (True, False)
    assert public_refs() == ({trusted.ref}, {trusted.ref})
    assert page_status(pending).status_code == 404
    assert page_status(pending, world.other_citizen).status_code == 404
    own = page_status(pending, newcomer)
    assert own.status_code == 200
    assert "очікує" in own.content.decode()
    assert page_status(pending, world.dispatcher).status_code == 200
    assert APIClient().get(f"/api/v1/issues/{pending.ref}/").status_code == 404
    nearby = (
        APIClient()
        .get(
            "/api/v1/issues/nearby/",
            {"lon": world.inside_west.x, "lat": world.inside_west.y, "category": "pothole"},
        )
        .json()
    )
    assert [item["ref"] for item in nearby["results"]] == [trusted.ref]


def test_confirming_publishes_the_report(world, report, newcomer):
    pending = report(reporter=newcomer)
    released = confirm(newcomer)
    pending.refresh_from_db()
    assert [issue.pk for issue in released] == [pending.pk]
    assert (pending.awaiting_confirmation, pending.status) == (False, "assigned")
    assert pending.ref in public_refs()[0]
    assert page_status(pending).status_code == 200


def test_an_unconfirmed_me_too_is_counted_only_after_confirmation(world, report, newcomer):
    issue = report()
    issue, added = issue_support(issue=issue, user=newcomer)
    assert added
    assert issue.support_count == 0
    assert issue.followers.filter(user=newcomer).exists()  # they follow it meanwhile
    issue_support(issue=issue, user=world.other_citizen)
    issue.refresh_from_db()
    assert issue.support_count == 1
    confirm(newcomer)
    issue.refresh_from_db()
    assert issue.support_count == 2
    confirm(newcomer)  # the link opened twice counts nothing twice
    issue.refresh_from_db()
    assert issue.support_count == 2
