"""Nobody can make the server do unbounded work: Open311 sync windows and paging depth are bounded,
the outage layer has a limit."""

import datetime

import pytest
from django.utils import timezone

from geo import sql as geo_sql
from tests.factories import ExecutorFactory, OutageFactory
from tests.open311.conftest import Open311Client
from tests.world import TUESDAY_10

pytestmark = pytest.mark.django_db


@pytest.fixture
def open311():
    return Open311Client()


def test_updated_after_keeps_the_90_day_window(world, report, open311):
    old = report(now=TUESDAY_10 - datetime.timedelta(days=200))
    recent = report(category=world.manhole, now=TUESDAY_10)
    answer = open311.get("requests", "service_requests.json", updated_after="2026-05-01T00:00:00+03:00")
    assert [row["service_request_id"] for row in answer] == [old.ref]  # 1 May + 90 days: not December
    assert recent.ref
    refused = open311.get(
        "requests",
        "service_requests.json",
        expect=400,
        updated_after="2026-01-01T00:00:00+02:00",
        updated_before="2026-12-01T00:00:00+02:00",
    )
    assert "90" in refused[0]["description"]


@pytest.mark.parametrize("resource", ["requests", "servicerequestupdates"])
def test_page_cannot_reach_deep_offsets(world, open311, resource):
    schema = "service_requests.json" if resource == "requests" else "service_request_updates.json"
    refused = open311.get(resource, schema, expect=400, page="1000000")
    assert "10000" in refused[0]["description"]
    assert "cursor" in refused[0]["description"]  # where to go instead: keyset paging
    open311.get(resource, schema, page="10", page_size="1000")  # 9,000 rows deep is still answered
    open311.get(resource, schema, expect=400, page="11", page_size="1000")


def test_the_outage_layer_answers_at_most_its_limit(client, monkeypatch):
    monkeypatch.setattr(geo_sql, "OUTAGE_LAYER_LIMIT", 3)
    water = ExecutorFactory(code="water")
    now = timezone.now()
    ended = [
        OutageFactory(
            provider=water,
            nature="planned",
            starts_at=now - datetime.timedelta(days=10 + day),
            expected_end_at=now - datetime.timedelta(days=9 + day),
            ended_at=now - datetime.timedelta(days=9 + day),
        )
        for day in range(5)
    ]
    features = client.get("/api/v1/outages/?active=false").json()["features"]
    assert sorted(f["id"] for f in features) == sorted(o.pk for o in ended[:3])  # the latest three
