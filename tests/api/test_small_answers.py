"""The small answers built whole by PostgreSQL (issue 13, item 4) say exactly what the Python path
said before them: the same keys in the same order and the same values, in both languages.

Each test keeps the old path as its reference (the selectors and serializers it used are still the
project's) and compares the parsed bodies with the order of every object's keys kept."""

from __future__ import annotations

import datetime
import json

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone, translation
from rest_framework.test import APIClient

from geo.api.filters import OutagePointQuery
from geo.api.views import _detail_url, _outage_labels
from geo.selectors import point_in_community
from geo.sql import outage_feature_collection
from tests.factories import CENTRE_LAT, CENTRE_LON, CommunityBoundaryFactory, ExecutorFactory, OutageFactory, square

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)
LANGUAGES = ["uk", "en"]


def ordered(text: str | bytes):
    """Parsed JSON whose objects are lists of (key, value): equal only with the keys in the same order."""
    return json.loads(text, object_pairs_hook=list)


def get(path: str, language: str, **query):
    return APIClient(headers={"accept-language": language}).get(path, query)


# --- GET /api/v1/outages/at/ --------------------------------------------------------------------------


def outages_at_before(*, query: dict, language: str):
    """The answer as the view made it before: the community check, the layer's collection for the
    point, then the question's point and moment put in front of its features by Python."""
    with translation.override(language):
        checked = OutagePointQuery(data=query)
        checked.is_valid(raise_exception=True)
        lon, lat = checked.validated_data["lon"], checked.validated_data["lat"]
        if not point_in_community(point=Point(lon, lat, srid=4326)):
            return None
        at = checked.validated_data.get("at") or timezone.now()
        body = outage_feature_collection(
            language=language,
            labels=_outage_labels(),
            detail_url=_detail_url("geo:outage-detail"),
            at=at,
            point=(lon, lat),
        )
        collection = json.loads(body)
        answer = {"type": collection["type"], "point": [lon, lat], "at": at.isoformat(), **collection}
        return ordered(json.dumps(answer, ensure_ascii=False))


@pytest.fixture
def outages():
    CommunityBoundaryFactory()
    gas = ExecutorFactory(code="gas", name_uk="Газмережі", name_en="Gas networks", phone="+380324400000")
    now = timezone.now()
    return {
        # in force, with an expected end; in force past its expected end (overdue); with no end given
        "water": OutageFactory(starts_at=now - 2 * HOUR),
        "late": OutageFactory(starts_at=now - 10 * HOUR, expected_end_at=now - HOUR, kind="gas", provider=gas),
        "open": OutageFactory(starts_at=now - HOUR, expected_end_at=None, kind="heating"),
        # to come; ended an hour ago (in force at an earlier moment); cancelled before it began
        "power": OutageFactory(starts_at=now + 5 * HOUR, kind="electricity", nature="planned", provider=gas),
        "over": OutageFactory(starts_at=now - 6 * HOUR, ended_at=now - HOUR, public_notes="Відновлено."),
        "cancelled": OutageFactory(starts_at=now + HOUR, ended_at=now - HOUR),
        # elsewhere in the community
        "east": OutageFactory(area=square(CENTRE_LON + 0.05, CENTRE_LAT, half=0.005)),
    }


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(
    "place",
    [
        (CENTRE_LON, CENTRE_LAT),  # under several
        (CENTRE_LON - 0.005, CENTRE_LAT),  # on the edge of the areas
        (CENTRE_LON + 0.05, CENTRE_LAT),  # under one
        (CENTRE_LON - 0.05, CENTRE_LAT + 0.05),  # under none
    ],
)
@pytest.mark.parametrize("moment", [None, -3, +6])  # now, or hours from now
def test_outages_at_a_point_answer_as_before(outages, monkeypatch, language, place, moment):
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now)  # the same "now" for both paths
    query = {"lon": place[0], "lat": place[1]}
    if moment is not None:
        query["at"] = (now + moment * HOUR).astimezone(datetime.UTC).isoformat()
    response = get("/api/v1/outages/at/", language, **query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert ordered(response.content) == outages_at_before(query=query, language=language)


@pytest.mark.parametrize("language", LANGUAGES)
def test_outages_at_a_point_found_several_kinds_and_ends(outages, language):
    """The fixture's cases are really in the answers compared above."""
    response = get("/api/v1/outages/at/", language, lon=CENTRE_LON, lat=CENTRE_LAT)
    data = response.json()
    assert list(data) == ["type", "point", "at", "features"]
    found = {feature["id"]: feature["properties"] for feature in data["features"]}
    names = {outage.pk: name for name, outage in outages.items()}
    assert sorted(names[pk] for pk in found) == ["late", "open", "power", "water"]
    assert found[outages["open"].pk]["expected_end_at"] is None
    assert found[outages["late"].pk]["overdue"] is True
    provider = found[outages["late"].pk]["provider"]["name"]
    assert provider == {"uk": "Газмережі", "en": "Gas networks"}[language]


def test_outages_at_a_point_outside_the_community_is_refused_as_before(outages):
    query = {"lon": 24.03, "lat": 49.84}
    assert outages_at_before(query=query, language="en") is None
    response = get("/api/v1/outages/at/", "en", **query)
    assert response.status_code == 400
    assert response.json()["code"] == "outside_community"
