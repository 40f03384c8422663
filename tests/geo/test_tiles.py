"""Budget and outage vector tiles: decoded with mapbox-vector-tile, exact properties and
positions, filters, a feature too small to draw kept as a point, cache lifetimes, TileJSON."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.factories import (
    CENTRE_LAT,
    CENTRE_LON,
    BudgetProjectFactory,
    CommunityBoundaryFactory,
    OutageFactory,
    box,
    point,
    square,
)
from tests.tiles import decode, position_in_tile, tile_of, tile_url

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


def layer(response, name: str) -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    layers = decode(response.content)
    assert set(layers) == {name}
    return layers[name]["features"]


def test_budget_tile_properties_position_and_language(client):
    road = BudgetProjectFactory(
        code="2026-roads-01", title_uk="Ремонт вулиці", title_en="Street repair", status="in_progress", geom=point()
    )
    BudgetProjectFactory(code="2025-old", budget_year=2025, geom=point(CENTRE_LON + 0.001, CENTRE_LAT))
    url = tile_url("budget", CENTRE_LON, CENTRE_LAT, 15, "year=2026")
    response = client.get(url)
    assert response["Cache-Control"] == "public, max-age=3600"
    (feature,) = layer(response, "budget")
    assert feature["id"] == road.pk
    assert feature["properties"] == {
        "id": road.pk,
        "code": "2026-roads-01",
        "title": "Ремонт вулиці",
        "sector": "roads",
        "status": "in_progress",
        "budget_year": 2026,
    }
    x, y = tile_of(CENTRE_LON, CENTRE_LAT, 15)
    expected = position_in_tile(CENTRE_LON, CENTRE_LAT, 15, x, y)
    got = feature["geometry"]["coordinates"]
    assert abs(got[0] - expected[0]) <= 1 and abs(got[1] - expected[1]) <= 1
    (english,) = layer(client.get(url, headers={"accept-language": "en"}), "budget")
    assert english["properties"]["title"] == "Street repair"
    assert len(layer(client.get(tile_url("budget", CENTRE_LON, CENTRE_LAT, 15)), "budget")) == 2
    assert client.get(tile_url("budget", CENTRE_LON, CENTRE_LAT, 15, "sector=parks")).status_code == 204
    assert client.get(tile_url("budget", CENTRE_LON, CENTRE_LAT, 15, "year=1900")).status_code == 400


def test_lines_and_areas_keep_their_shape_and_a_tiny_one_is_kept_as_a_point(client):
    BudgetProjectFactory(code="park", geom=box(CENTRE_LON, CENTRE_LAT, CENTRE_LON + 0.004, CENTRE_LAT + 0.003))
    BudgetProjectFactory(code="bench", geom=box(CENTRE_LON, CENTRE_LAT, CENTRE_LON + 0.00002, CENTRE_LAT + 0.00002))
    kinds = {
        f["properties"]["code"]: f["geometry"]["type"]
        for f in layer(client.get(tile_url("budget", CENTRE_LON, CENTRE_LAT, 16)), "budget")
    }
    assert kinds == {"park": "Polygon", "bench": "Polygon"}
    # At z8 a tile pixel is ~400 m: the bench (2 m) quantizes to nothing and would vanish.
    kinds = {
        f["properties"]["code"]: f["geometry"]["type"]
        for f in layer(client.get(tile_url("budget", CENTRE_LON, CENTRE_LAT, 8)), "budget")
    }
    assert kinds["bench"] == "Point"
    assert set(kinds) == {"park", "bench"}


def test_outage_tile_properties_and_default_filter(client):
    now = timezone.now().replace(microsecond=0)
    active = OutageFactory(starts_at=now - 2 * HOUR, expected_end_at=now + 6 * HOUR)
    upcoming = OutageFactory(
        kind="electricity", nature="planned", starts_at=now + 24 * HOUR, expected_end_at=now + 30 * HOUR,
        provider=active.provider, area=square(half=0.002),
    )  # fmt: skip
    OutageFactory(starts_at=now - 30 * HOUR, ended_at=now - 20 * HOUR, provider=active.provider)
    url = tile_url("outages", CENTRE_LON, CENTRE_LAT, 14)
    response = client.get(url)
    assert response["Cache-Control"] == "public, max-age=60"
    found = {f["id"]: f for f in layer(response, "outages")}
    assert set(found) == {active.pk, upcoming.pk}
    utc = "%Y-%m-%dT%H:%M:%SZ"
    assert found[active.pk]["properties"] == {
        "id": active.pk,
        "kind": "water",
        "nature": "emergency",
        "state": "active",
        "active": True,
        "starts_at": active.starts_at.astimezone(datetime.UTC).strftime(utc),
        "expected_end_at": active.expected_end_at.astimezone(datetime.UTC).strftime(utc),
    }  # ended_at is NULL: MVT has no null, the key is left out
    assert found[upcoming.pk]["properties"]["state"] == "upcoming"
    assert found[upcoming.pk]["properties"]["active"] is False
    assert found[active.pk]["geometry"]["type"] == "Polygon"
    assert {f["id"] for f in layer(client.get(url + "?active=true"), "outages")} == {active.pk}
    assert len(layer(client.get(url + "?active=false"), "outages")) == 2
    assert {f["id"] for f in layer(client.get(url + "?kind=electricity"), "outages")} == {upcoming.pk}
    assert client.get(url + "?kind=lava").json()["fields"].keys() == {"kind"}


def test_empty_tiles_and_bad_addresses(client):
    OutageFactory()
    assert client.get("/api/v1/tiles/outages/4/0/0.mvt").status_code == 204
    assert client.get("/api/v1/tiles/budget/4/0/0.mvt").status_code == 204
    assert client.get("/api/v1/tiles/outages/4/16/0.mvt").status_code == 400
    assert client.get("/api/v1/tiles/budget/40/0/0.mvt").status_code == 400


def test_etag_and_304(client):
    OutageFactory()
    url = tile_url("outages", CENTRE_LON, CENTRE_LAT, 12)
    etag = client.get(url)["ETag"]
    assert client.get(url, headers={"if-none-match": etag}).status_code == 304
    assert client.get(url, headers={"if-none-match": f"W/{etag}"}).status_code == 304


@pytest.mark.parametrize(("name", "fields"), [
    ("budget", {"id", "code", "title", "sector", "status", "budget_year"}),
    ("outages", {"id", "kind", "nature", "state", "active", "starts_at", "expected_end_at", "ended_at"}),
])  # fmt: skip
def test_tilejson(client, name, fields):
    CommunityBoundaryFactory(geom=box(23.4, 49.3, 23.6, 49.4))
    doc = client.get(f"/api/v1/tiles/{name}.json", headers={"host": "city.example"}).json()
    assert doc["tilejson"] == "3.0.0"
    assert doc["tiles"] == [f"http://city.example/api/v1/tiles/{name}/{{z}}/{{x}}/{{y}}.mvt"]
    assert doc["bounds"] == [23.4, 49.3, 23.6, 49.4]
    assert [layer["id"] for layer in doc["vector_layers"]] == [name]
    assert set(doc["vector_layers"][0]["fields"]) == fields
