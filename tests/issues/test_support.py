"""Nearby duplicates measured in metres, "me too", followers and their e-mails, merging supporters."""

import math

import pytest
from django.core import mail
from rest_framework.test import APIClient

from issues.models import IssueEvent, IssueFollower
from issues.services import TransitionInput, issue_transition
from issues.services.support import issue_set_notifications, issue_support
from opencity.errors import Conflict
from tests.factories import CENTRE_LAT, CENTRE_LON, UserFactory, point

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_tasks")]


def haversine_m(lon1, lat1, lon2, lat2) -> float:
    radius = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * radius * math.asin(math.sqrt(a))


def api(user=None, language="uk"):
    client = APIClient(headers={"accept-language": language})
    if user:
        client.force_authenticate(user)
    return client


def test_nearby_measures_metres_on_the_earth_not_degrees(world, report):
    here = (CENTRE_LON - 0.01, CENTRE_LAT)
    # 0.0003° of longitude here is ~21.7 m; the same number of degrees of latitude is ~33.4 m.
    east = report(where=point(here[0] + 0.0003, here[1]))
    north = report(where=point(here[0], here[1] + 0.0003))
    report(category=world.manhole, where=point(*here))  # another category: never offered
    response = api().get(f"/api/v1/issues/nearby/?lon={here[0]}&lat={here[1]}&category=pothole")
    assert response.status_code == 200
    data = response.json()
    assert (data["category"], data["radius_m"]) == ("pothole", 30)
    assert [row["ref"] for row in data["results"]] == [east.ref]
    expected = haversine_m(*here, here[0] + 0.0003, here[1])
    assert abs(data["results"][0]["distance_m"] - expected) < expected * 0.005
    assert set(data["results"][0]) == {
        "ref",
        "status",
        "title",
        "address",
        "support_count",
        "created_at",
        "distance_m",
        "location",
        "url",
    }
    world.pothole.duplicate_radius_m = 40
    world.pothole.save()
    data = api().get(f"/api/v1/issues/nearby/?lon={here[0]}&lat={here[1]}&category=pothole").json()
    assert [row["ref"] for row in data["results"]] == [east.ref, north.ref]


def test_nearby_skips_closed_and_hidden_issues(world, report):
    from issues.services.moderation import issue_set_hidden

    done = report()
    issue_transition(issue=done, actor=world.dispatcher, action="reject", data=TransitionInput(note="Дубль"))
    hidden = report()
    issue_set_hidden(issue=hidden, actor=world.dispatcher, hidden=True)
    lon, lat = CENTRE_LON - 0.01, CENTRE_LAT
    assert api().get(f"/api/v1/issues/nearby/?lon={lon}&lat={lat}&category=pothole").json()["results"] == []


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("lat=49.3&category=pothole", ["lon"]),
        ("lon=abc&lat=49.3&category=pothole", ["lon"]),
        ("lon=23.5&lat=91&category=pothole", ["lat"]),
        ("lon=23.5&lat=49.3&category=nope", ["category"]),
        ("", ["lon", "lat", "category"]),
    ],
)
def test_nearby_bad_input(world, query, fields):
    response = api().get(f"/api/v1/issues/nearby/?{query}")
    assert response.status_code == 400
    assert sorted(response.json()["fields"]) == sorted(fields)


def test_a_new_report_near_an_open_one_is_flagged_for_the_dispatcher(world, report):
    first = report()
    second = report(where=point(CENTRE_LON - 0.01 + 0.0001, CENTRE_LAT))
    flag = second.events.get(kind="duplicate_flagged")
    assert flag.data["refs"] == [first.ref]
    assert not flag.is_public
    assert not first.events.filter(kind="duplicate_flagged").exists()


def test_support_once_per_citizen(world, report):
    issue = report()
    client = api(world.other_citizen)
    first = client.post(f"/api/v1/issues/{issue.ref}/support/")
    again = client.post(f"/api/v1/issues/{issue.ref}/support/")
    assert first.json() == {"ref": issue.ref, "support_count": 1, "supported": True, "added": True}
    assert again.json() == {"ref": issue.ref, "support_count": 1, "supported": True, "added": False}
    assert IssueEvent.objects.filter(issue=issue, kind="supported").count() == 1
    own = api(world.citizen).post(f"/api/v1/issues/{issue.ref}/support/")
    assert (own.status_code, own.json()["code"]) == (409, "own_issue")
    assert api().post(f"/api/v1/issues/{issue.ref}/support/").status_code == 401
    issue.refresh_from_db()
    assert issue.support_count == 1


def test_support_for_a_closed_issue_is_refused(world, report):
    issue = report()
    issue_transition(issue=issue, actor=world.dispatcher, action="reject", data=TransitionInput(note="Не наше"))
    issue.refresh_from_db()
    with pytest.raises(Conflict):
        issue_support(issue=issue, user=world.other_citizen)
    assert not IssueFollower.objects.filter(issue=issue, reason="supporter").exists()


def test_followers_hear_of_changes_unless_they_switched_it_off(world, report, django_capture_on_commit_callbacks):
    issue = report()
    issue_support(issue=issue, user=world.other_citizen)
    quiet = UserFactory(username="quiet")
    issue_support(issue=issue, user=quiet)
    issue_set_notifications(issue=issue, user=quiet, notify=False)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        issue_transition(issue=issue, actor=world.roads_staff, action="resolve", data=TransitionInput(note="Зроблено"))
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert set(by_recipient) == {"citizen@example.org", "neighbour@example.org"}
    assert by_recipient["neighbour@example.org"].subject == f"{issue.ref}: resolved"  # in their language
    assert by_recipient["citizen@example.org"].subject == f"{issue.ref}: виконано"


def test_merging_moves_the_reporter_and_supporters_to_the_original(world, report):
    original = report()
    copy = report(reporter=world.other_citizen)
    third = UserFactory(username="third")
    issue_support(issue=copy, user=third)
    issue_support(issue=copy, user=world.citizen)  # the original's own reporter: not added twice
    issue_transition(issue=copy, actor=world.dispatcher, action="merge", data=TransitionInput(duplicate_of=original))
    original.refresh_from_db()
    supporters = set(
        IssueFollower.objects.filter(issue=original, reason="supporter").values_list("user__username", flat=True)
    )
    assert supporters == {"neighbour", "third"}
    assert original.support_count == 2
    assert copy.events.latest("pk").data["followers_moved"] == 2
