"""The map's lean issue layer (`GET /api/v1/issues/?view=pins`): the same features as the full
layer for the same filters, each carrying only what a pin and its list line need."""

import datetime
import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from issues.models import Issue
from issues.services.moderation import issue_set_hidden
from issues.sql import PIN_PROPERTIES, PIN_TITLE_CHARS
from tests.factories import CENTRE_LAT, CENTRE_LON

pytestmark = pytest.mark.django_db


def client_for(user=None, language="uk") -> APIClient:
    client = APIClient(headers={"accept-language": language})
    if user is not None:
        client.force_authenticate(user)
    return client


def layer(client, query: str, view: str | None) -> dict:
    separator = "&" if "?" in query else "?"
    url = "/api/v1/issues/" + query + (f"{separator}view={view}" if view else "")
    response = client.get(url, headers={"accept": "application/geo+json"})
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/geo+json"
    return json.loads(response.content)


def test_a_pin_carries_exactly_the_lean_properties(world, report):
    issue = report(description="Глибока яма " * 20)
    data = layer(client_for(), "", "pins")
    assert set(data) == {"type", "features", "count", "limit", "truncated", "next"}
    [feature] = data["features"]
    assert set(feature) == {"type", "id", "geometry", "properties"}
    assert feature["id"] == issue.ref
    assert feature["geometry"] == {"type": "Point", "coordinates": [round(issue.point.x, 6), round(issue.point.y, 6)]}
    assert tuple(feature["properties"]) == PIN_PROPERTIES
    assert feature["properties"] == {
        "ref": issue.ref,
        "status": issue.status,
        "category": "pothole",
        "category_name": world.pothole.name_uk,
        "overdue": Issue.objects.overdue(timezone.now()).filter(pk=issue.pk).exists(),
        "title": issue.description[:PIN_TITLE_CHARS],
        "address": issue.address,
    }
    english = layer(client_for(language="en"), "", "pins")["features"][0]["properties"]
    assert english["category_name"] == world.pothole.name_en
    # The default, for API clients, is still the full layer.
    assert "thumbnail_url" in layer(client_for(), "", None)["features"][0]["properties"]
    assert layer(client_for(), "", "full") == layer(client_for(), "", None)


def test_the_overdue_flag_follows_the_deadlines(world, report):
    late, on_time = report(), report()
    Issue.objects.filter(pk=late.pk).update(response_due_at=timezone.now() - datetime.timedelta(hours=1))
    Issue.objects.filter(pk=on_time.pk).update(response_due_at=timezone.now() + datetime.timedelta(hours=1))
    flags = {f["id"]: f["properties"]["overdue"] for f in layer(client_for(), "", "pins")["features"]}
    assert flags == {late.ref: True, on_time.ref: False}
    assert {f["id"] for f in layer(client_for(), "?status=open", "pins")["features"]} == set(flags)
    assert set(Issue.objects.overdue(timezone.now()).values_list("ref", flat=True)) == {late.ref}


def test_the_same_features_as_the_full_layer_for_the_same_filters(world, report):
    report(where=world.inside_west)
    report(where=world.inside_east, category=world.manhole)
    report(category=world.playground)
    report(reporter=world.other_citizen)
    hidden = report()
    issue_set_hidden(issue=hidden, actor=world.dispatcher, hidden=True, note="Номер телефону в описі")
    queries = [
        "",
        f"?bbox={CENTRE_LON},{CENTRE_LAT - 0.02},{CENTRE_LON + 0.02},{CENTRE_LAT + 0.02}",
        "?status=new",
        "?status=open",
        "?status=closed",
        "?category=open-manhole,pothole",
        f"?group={world.manhole.group.code}",
        "?district=east",
        "?executor=water",
        "?district=west&executor=roads&status=open",
        "?limit=2",
    ]
    for query in queries:
        full, pins = layer(client_for(), query, None), layer(client_for(), query, "pins")
        assert [f["id"] for f in pins["features"]] == [f["id"] for f in full["features"]], query
        assert [f["geometry"] for f in pins["features"]] == [f["geometry"] for f in full["features"]], query
        assert (pins["count"], pins["limit"], pins["truncated"]) == (full["count"], full["limit"], full["truncated"])
        assert hidden.ref not in {f["id"] for f in pins["features"]}
        for feature in pins["features"]:
            assert tuple(feature["properties"]) == PIN_PROPERTIES
    assert layer(client_for(), "?limit=2", "pins")["truncated"] is True
    mine = layer(client_for(world.other_citizen), "?mine=true", "pins")
    assert len(mine["features"]) == 1
    assert mine["features"] == [
        f
        for f in layer(client_for(), "", "pins")["features"]
        if f["id"] in {g["id"] for g in layer(client_for(world.other_citizen), "?mine=true", None)["features"]}
    ]


def test_hidden_and_unconfirmed_issues_are_not_pins(world, report):
    hidden, waiting, shown = report(), report(), report()
    issue_set_hidden(issue=hidden, actor=world.dispatcher, hidden=True, note="Номер телефону в описі")
    Issue.objects.filter(pk=waiting.pk).update(awaiting_confirmation=True)
    for user in (None, world.citizen, world.dispatcher):
        refs = [f["id"] for f in layer(client_for(user), "?status=open,closed", "pins")["features"]]
        assert refs == [shown.ref]


@pytest.mark.parametrize("view", ["lean", "PINS", "pins,full"])
def test_an_unknown_view_is_a_400_in_the_users_language(world, view):
    response = client_for().get(f"/api/v1/issues/?view={view}")
    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["view"]
