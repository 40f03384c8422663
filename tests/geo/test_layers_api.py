"""The layer API: GeoJSON built by PostGIS with exact keys and values, filters, and 400s (never 500s)
for bad filters, in the project's error shape."""

import datetime
import json
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.factories import (
    CENTRE_LAT,
    CENTRE_LON,
    BudgetProjectFactory,
    CommunityBoundaryFactory,
    ExecutorFactory,
    OutageFactory,
    box,
    point,
)

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)

BUDGET_PROPERTIES = {
    "layer", "id", "code", "title", "sector", "sector_label", "status", "status_label", "budget_year",
    "planned_amount", "spent_amount", "executor", "contractor", "start_date", "end_date",
    "prozorro_tender_id", "prozorro_url", "url",
}  # fmt: skip
OUTAGE_PROPERTIES = {
    "layer", "id", "title", "kind", "kind_label", "nature", "nature_label", "state", "overdue", "starts_at",
    "expected_end_at", "ended_at", "affected_streets", "public_notes", "provider", "url",
}  # fmt: skip


def get(client, url, **headers):
    response = client.get(url, headers=headers)
    return response, json.loads(response.content)


@pytest.fixture
def projects():
    roads = ExecutorFactory(code="roads", name_uk="Міськдорсервіс", name_en="City Road Service")
    return {
        "road": BudgetProjectFactory(
            code="2026-roads-01",
            title_uk="Ремонт вул. Стрийської",
            title_en="Stryiska Street repair",
            sector="roads",
            status="in_progress",
            planned_amount=Decimal("1250000.50"),
            spent_amount=Decimal("100000.00"),
            executor=roads,
            contractor="ТОВ «Шляхбуд»",
            start_date=datetime.date(2026, 4, 1),
            end_date=datetime.date(2026, 9, 30),
            prozorro_tender_id="UA-2026-03-15-001234-a",
            geom=point(),
        ),
        "light": BudgetProjectFactory(code="2026-light-01", title_en="", sector="lighting", status="planned",
                                      geom=point(CENTRE_LON + 0.05, CENTRE_LAT)),
        "old": BudgetProjectFactory(code="2025-roads-09", budget_year=2025, status="done"),
    }  # fmt: skip


def test_budget_layer_exact_feature(client, projects):
    response, data = get(client, "/api/v1/budget-projects/?year=2026&sector=roads")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 1
    feature = data["features"][0]
    road = projects["road"]
    assert feature["type"] == "Feature"
    assert feature["id"] == road.pk
    assert feature["geometry"] == {"type": "Point", "coordinates": [CENTRE_LON, CENTRE_LAT]}
    assert set(feature["properties"]) == BUDGET_PROPERTIES
    assert feature["properties"] == {
        "layer": "budget",
        "id": road.pk,
        "code": "2026-roads-01",
        "title": "Ремонт вул. Стрийської",
        "sector": "roads",
        "sector_label": "дороги і тротуари",
        "status": "in_progress",
        "status_label": "виконується",
        "budget_year": 2026,
        "planned_amount": 1250000.5,
        "spent_amount": 100000.0,
        "executor": "Міськдорсервіс",
        "contractor": "ТОВ «Шляхбуд»",
        "start_date": "2026-04-01",
        "end_date": "2026-09-30",
        "prozorro_tender_id": "UA-2026-03-15-001234-a",
        "prozorro_url": "https://prozorro.gov.ua/tender/UA-2026-03-15-001234-a",
        "url": f"/budget/{road.pk}/",
    }


def test_budget_layer_in_english_falls_back_to_the_ukrainian_title(client, projects):
    _, data = get(client, "/api/v1/budget-projects/?year=2026", accept_language="en")
    titles = {f["properties"]["code"]: f["properties"]["title"] for f in data["features"]}
    assert titles["2026-roads-01"] == "Stryiska Street repair"
    assert titles["2026-light-01"] == projects["light"].title_uk
    light = next(f for f in data["features"] if f["properties"]["code"] == "2026-light-01")["properties"]
    assert (light["sector_label"], light["status_label"], light["executor"]) == ("street lighting", "planned", None)
    assert (light["prozorro_tender_id"], light["prozorro_url"]) == (None, None)


@pytest.mark.parametrize(
    ("query", "codes"),
    [
        ("", ["2025-roads-09", "2026-light-01", "2026-roads-01"]),
        ("?year=2026", ["2026-light-01", "2026-roads-01"]),
        ("?year=2025", ["2025-roads-09"]),
        ("?status=planned,in_progress", ["2026-light-01", "2026-roads-01"]),
        ("?status=done", ["2025-roads-09"]),
        ("?sector=lighting", ["2026-light-01"]),
        ("?year=2024", []),
        # A box around the town hall only: the lighting project is 0.05° east.
        (f"?bbox={CENTRE_LON - 0.001},{CENTRE_LAT - 0.001},{CENTRE_LON + 0.001},{CENTRE_LAT + 0.001}",
         ["2025-roads-09", "2026-roads-01"]),
    ],
)  # fmt: skip
def test_budget_layer_filters(client, projects, query, codes):
    _, data = get(client, "/api/v1/budget-projects/" + query)
    assert sorted(f["properties"]["code"] for f in data["features"]) == codes


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?year=abc", "year", "A valid integer is required."),
        ("?year=1850", "year", "Ensure this value is greater than or equal to 2000."),
        ("?status=finished", "status", "“finished” is not one of: planned, procurement, in_progress, done."),
        ("?sector=roads,,moon", "sector", None),
        ("?bbox=1,2,3", "bbox", "Give four numbers: minLon,minLat,maxLon,maxLat."),
        ("?bbox=a,b,c,d", "bbox", "Give four numbers: minLon,minLat,maxLon,maxLat."),
        ("?bbox=23.6,49.3,23.5,49.4", "bbox", "The minimum must be less than the maximum."),
        ("?bbox=23.5,49.3,223.6,49.4", "bbox", "Longitudes must be within -180…180 and latitudes within -90…90."),
        ("?bbox=nan,49.3,23.6,49.4", "bbox", "Give four numbers: minLon,minLat,maxLon,maxLat."),
    ],
)
def test_bad_budget_filters_are_400s_with_field_messages(client, query, field, message):
    response = client.get("/api/v1/budget-projects/" + query, headers={"accept-language": "en"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [field]
    if message is not None:
        assert body["fields"][field] == [message]


def test_bad_filter_messages_follow_the_language(client):
    body = client.get("/api/v1/budget-projects/?year=abc").json()
    assert body == {
        "code": "invalid",
        "detail": "У запиті є помилки в полях.",
        "fields": {"year": ["Необхідне цілочисельне значення."]},
    }


# --- outages --------------------------------------------------------------------------------------


@pytest.fixture
def outages():
    now = timezone.now()
    water = ExecutorFactory(code="water", name_uk="Водоканал", name_en="Water utility", phone="+380324421400")
    grid = ExecutorFactory(code="electricity", name_uk="Обленерго", name_en="Grid")
    return {
        "water": OutageFactory(provider=water, starts_at=now - 2 * HOUR, expected_end_at=now + 3 * HOUR,
                               public_notes="Підвіз води біля буд. 20."),
        "late": OutageFactory(provider=water, starts_at=now - 5 * HOUR, expected_end_at=now - HOUR,
                              area=box(CENTRE_LON + 0.05, CENTRE_LAT, CENTRE_LON + 0.06, CENTRE_LAT + 0.01)),
        "power": OutageFactory(provider=grid, kind="electricity", nature="planned", starts_at=now + 20 * HOUR,
                               expected_end_at=now + 28 * HOUR),
        "over": OutageFactory(provider=water, starts_at=now - 30 * HOUR, expected_end_at=now - 25 * HOUR,
                              ended_at=now - 26 * HOUR),
    }  # fmt: skip


def test_outage_layer_exact_feature_and_default_contents(client, outages):
    response, data = get(client, "/api/v1/outages/")
    assert response.status_code == 200
    # Without `active`: what is on now (oldest start first), then what is coming; not the ended one.
    assert [f["id"] for f in data["features"]] == [outages["late"].pk, outages["water"].pk, outages["power"].pk]
    water = outages["water"]
    feature = data["features"][1]
    assert set(feature["properties"]) == OUTAGE_PROPERTIES
    assert feature["geometry"]["type"] == "MultiPolygon"
    assert feature["geometry"]["coordinates"][0][0][0] == [round(CENTRE_LON - 0.005, 6), round(CENTRE_LAT - 0.005, 6)]
    properties = feature["properties"]
    # PostgreSQL writes timestamps without trailing zeros in the fraction (…12.12345), Python with
    # them (…12.123450): compare the moments, not the text (a one-in-ten flake otherwise).
    assert properties == {
        "layer": "outage",
        "id": water.pk,
        "title": "Аварійне відключення води",
        "kind": "water",
        "kind_label": "вода",
        "nature": "emergency",
        "nature_label": "аварійне",
        "state": "active",
        "overdue": False,
        "starts_at": water.starts_at.replace(microsecond=0).isoformat(),
        "expected_end_at": water.expected_end_at.replace(microsecond=0).isoformat(),
        "ended_at": None,
        "affected_streets": "вул. Стрийська, 1–57",
        "public_notes": "Підвіз води біля буд. 20.",
        "provider": {"code": "water", "name": "Водоканал", "phone": "+380324421400"},
        "url": f"/outages/{water.pk}/",
    }
    late = data["features"][0]["properties"]
    assert (late["state"], late["overdue"]) == ("active", True)
    assert data["features"][2]["properties"]["state"] == "upcoming"


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("?active=true", ["late", "water"]),
        ("?active=false", ["over", "power"]),
        ("?kind=electricity", ["power"]),
        ("?kind=water,gas&active=true", ["late", "water"]),
        ("?nature=planned", ["power"]),
        (f"?bbox={CENTRE_LON + 0.04},{CENTRE_LAT - 0.01},{CENTRE_LON + 0.07},{CENTRE_LAT + 0.02}", ["late"]),
    ],
)
def test_outage_layer_filters(client, outages, query, names):
    _, data = get(client, "/api/v1/outages/" + query)
    ids = {outage.pk: name for name, outage in outages.items()}
    assert sorted(ids[f["id"]] for f in data["features"]) == names


@pytest.mark.parametrize(
    ("query", "field"),
    [("?active=maybe", "active"), ("?kind=steam", "kind"), ("?nature=sometimes", "nature"), ("?bbox=,,,", "bbox")],
)
def test_bad_outage_filters_are_400s(client, query, field):
    response = client.get("/api/v1/outages/" + query)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]


def test_outages_at_a_point_now_and_upcoming(client, outages):
    CommunityBoundaryFactory()
    response, data = get(client, f"/api/v1/outages/at/?lon={CENTRE_LON}&lat={CENTRE_LAT}")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    assert data["type"] == "FeatureCollection"
    assert data["point"] == [CENTRE_LON, CENTRE_LAT]
    assert [(f["id"], f["properties"]["state"]) for f in data["features"]] == [
        (outages["water"].pk, "active"),
        (outages["power"].pk, "upcoming"),
    ]
    # On the very edge of the water zone (its west side) the answer is the same.
    edge = CENTRE_LON - 0.005
    _, on_edge = get(client, f"/api/v1/outages/at/?lon={edge}&lat={CENTRE_LAT}")
    assert [f["id"] for f in on_edge["features"]] == [outages["water"].pk, outages["power"].pk]
    _, elsewhere = get(client, f"/api/v1/outages/at/?lon={CENTRE_LON - 0.02}&lat={CENTRE_LAT}")
    assert elsewhere["features"] == []


def test_outages_at_a_given_moment(client, outages):
    CommunityBoundaryFactory()
    at = (outages["power"].starts_at + HOUR).isoformat()
    response = client.get("/api/v1/outages/at/", {"lon": CENTRE_LON, "lat": CENTRE_LAT, "at": at})
    data = response.json()
    assert [(f["id"], f["properties"]["state"]) for f in data["features"]] == [
        (outages["water"].pk, "active"),
        (outages["power"].pk, "active"),
    ]


@pytest.mark.parametrize(
    ("query", "fields"),
    [
        ("", ["lon", "lat"]),
        ("?lon=23.5", ["lat"]),
        ("?lon=east&lat=49.3", ["lon"]),
        ("?lon=23.5&lat=95", ["lat"]),
        ("?lon=nan&lat=49.3", ["lon"]),
        ("?lon=23.5&lat=49.3&at=yesterday", ["at"]),
    ],
)
def test_bad_points_are_400s(client, query, fields):
    CommunityBoundaryFactory()
    response = client.get("/api/v1/outages/at/" + query)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == fields


def test_a_point_outside_the_community_is_refused_clearly(client):
    CommunityBoundaryFactory()
    response = client.get("/api/v1/outages/at/?lon=24.03&lat=49.84", headers={"accept-language": "en"})
    assert response.status_code == 400
    assert response.json() == {
        "code": "outside_community",
        "detail": "This point is outside the community's territory.",
        "fields": {"lon": ["Outside the community."], "lat": ["Outside the community."]},
    }


def test_layer_texts_are_data_not_markup(client):
    """The API passes people's text through as JSON strings; the pages escape it when drawing."""
    OutageFactory(affected_streets='<img src=x onerror="alert(1)">')
    _, data = get(client, "/api/v1/outages/")
    assert data["features"][0]["properties"]["affected_streets"] == '<img src=x onerror="alert(1)">'


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/budget-projects/?year=2026",
        "/api/v1/outages/",
        f"/api/v1/outages/at/?lon={CENTRE_LON}&lat={CENTRE_LAT}",
    ],
)
@pytest.mark.parametrize("accept", ["application/geo+json", "application/json", "*/*"])
def test_a_layer_answers_geojson_to_any_accept_header_it_can_serve(client, world, path, accept):
    """A GIS client asking for the layer's own type got a 406 from the outages at a point."""
    response = client.get(path, HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    assert response.json()["type"] == "FeatureCollection"
