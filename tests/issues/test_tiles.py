"""The issue layer as vector tiles: decoded with mapbox-vector-tile, with exact features,
properties and positions; hidden and pending reports never in a tile; filters; 204, 400, ETag/304;
dense tiles aggregated into cells whose counts add up to COUNT(*) of the same filter."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.gis.geos import Point, Polygon
from django.utils import timezone

from issues.models import Issue
from issues.services.moderation import issue_set_hidden
from tests.factories import CENTRE_LAT, CENTRE_LON
from tests.tiles import decode, position_in_tile, tile_lonlat_bounds, tile_of, tile_url

pytestmark = pytest.mark.django_db
WEST = (CENTRE_LON - 0.01, CENTRE_LAT)
HOUR = datetime.timedelta(hours=1)
EAST = (CENTRE_LON + 0.01, CENTRE_LAT)
Z = 12  # one z12 tile holds both points


def features(response, layer="issues") -> list[dict]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.mapbox-vector-tile"
    return decode(response.content)[layer]["features"]


@pytest.fixture
def city(world, report):
    west = report(where=world.inside_west)
    east = report(category=world.manhole, where=world.inside_east, description="Відкритий люк")
    hidden = report(where=world.inside_west, description="ПРИХОВАНИЙ ТЕКСТ tile-secret")
    issue_set_hidden(issue=hidden, actor=world.dispatcher, hidden=True, note="personal data")
    pending = report(where=world.inside_east, description="чекає підтвердження")
    Issue.objects.filter(pk=pending.pk).update(awaiting_confirmation=True)
    return {"west": west, "east": east, "hidden": hidden, "pending": pending}


def test_tile_has_every_public_issue_with_exact_properties_and_positions(client, city):
    assert tile_of(*WEST, Z) == tile_of(*EAST, Z)
    found = {f["properties"]["ref"]: f for f in features(client.get(tile_url("issues", *WEST, Z)))}
    west, east = city["west"], city["east"]
    assert set(found) == {west.ref, east.ref}
    assert found[west.ref]["properties"] == {
        "ref": west.ref,
        "status": "assigned",
        "category": "pothole",
        "group": "roads",
        "overdue": west.response_due_at < timezone.now(),
    }
    assert found[east.ref]["properties"]["category"] == "open-manhole"
    x, y = tile_of(*WEST, Z)
    for issue, (lon, lat) in ((west, WEST), (east, EAST)):
        assert found[issue.ref]["geometry"]["type"] == "Point"
        expected = position_in_tile(lon, lat, Z, x, y)
        got = found[issue.ref]["geometry"]["coordinates"]
        assert abs(got[0] - expected[0]) <= 1 and abs(got[1] - expected[1]) <= 1


def test_hidden_and_pending_issues_are_never_in_a_tile(client, city):
    for z in (0, 5, 10, Z, 16):
        for where in (WEST, EAST):
            response = client.get(tile_url("issues", *where, z, "status=open,closed"))
            assert city["hidden"].ref.encode() not in response.content
            assert city["pending"].ref.encode() not in response.content
            assert b"tile-secret" not in response.content
            refs = {f["properties"]["ref"] for f in features(response)}
            assert refs <= {city["west"].ref, city["east"].ref}


def test_filters(client, city, world):
    def refs(query):
        response = client.get(tile_url("issues", *WEST, Z, query))
        return set() if response.status_code == 204 else {f["properties"]["ref"] for f in features(response)}

    assert refs("category=open-manhole") == {city["east"].ref}
    assert refs("district=west") == {city["west"].ref}
    assert refs("group=roads&executor=roads") == {city["west"].ref}
    assert refs("status=open") == {city["west"].ref, city["east"].ref}
    assert refs("status=closed") == set()


def test_empty_tile_is_204(client, city):
    response = client.get("/api/v1/tiles/issues/5/0/0.mvt")
    assert response.status_code == 204
    assert response.content == b""
    assert client.get(tile_url("issues", *WEST, Z, "status=closed")).status_code == 204


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("23/0/0", "z"),
        ("-1/0/0", "z"),
        ("a/0/0", "z"),
        ("3/8/0", "x"),
        ("3/0/8", "y"),
        ("0/1/0", "x"),
        ("3/x/0", "x"),
        ("3/0/-2", "y"),
    ],
)
def test_bad_tile_address_is_400_with_field_messages(client, world, path, field):
    response = client.get(f"/api/v1/tiles/issues/{path}.mvt")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert list(body["fields"]) == [field]


def test_400_messages_in_ukrainian_and_english(client, world):
    uk = client.get("/api/v1/tiles/issues/3/8/0.mvt").json()
    assert uk["fields"] == {"x": ["Має бути менше за 8 (2 у степені z) на масштабі 3."]}
    en = client.get("/api/v1/tiles/issues/3/8/0.mvt", headers={"accept-language": "en"}).json()
    assert en["fields"] == {"x": ["Must be less than 8 (2 to the power of z) at zoom 3."]}


def test_bad_filters_are_400(client, world):
    response = client.get("/api/v1/tiles/issues/3/4/2.mvt?category=pothole,nope&district=north&status=lost")
    assert response.status_code == 400
    assert set(response.json()["fields"]) == {"status"}
    response = client.get("/api/v1/tiles/issues/3/4/2.mvt?category=pothole,nope&district=north")
    assert response.status_code == 400
    assert response.json()["fields"] == {
        "category": ["Невідома категорія: nope."],
        "district": ["Невідомий район: north."],
    }


def test_unknown_layer_is_404(client, world):
    assert client.get("/api/v1/tiles/parcels/3/4/2.mvt").status_code == 404
    assert client.get("/api/v1/tiles/parcels.json").status_code == 404


def test_etag_and_304(client, city, report, world):
    url = tile_url("issues", *WEST, Z)
    first = client.get(url)
    etag = first["ETag"]
    assert etag.startswith('"') and len(etag) == 34
    assert first["Cache-Control"] == "public, max-age=60"
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    assert client.get(url, headers={"if-none-match": '"other"'}).status_code == 200
    report(where=world.inside_west)  # the tile changes: so does its ETag
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert changed["ETag"] != etag


# --- Dense tiles -----------------------------------------------------------------------------------

SPOTS = [  # (lon offset, lat offset, issues there): three clusters inside the west district
    (-0.01, 0.0, 3),
    (-0.03, 0.02, 2),
    (-0.02, -0.03, 2),
]


@pytest.fixture
def dense(world, report, city, settings):
    settings.OPENCITY_REPORTS_PER_HOUR = 100
    made = []
    for dlon, dlat, n in SPOTS:
        for _ in range(n):
            made.append(report(where=Point(CENTRE_LON + dlon, CENTRE_LAT + dlat, srid=4326)))
    Issue.objects.filter(pk=made[0].pk).update(status="closed")
    return made


def _expected(z: int, lon: float, lat: float, queryset=None) -> dict:
    x, y = tile_of(lon, lat, z)
    envelope = Polygon.from_bbox(tile_lonlat_bounds(z, x, y))
    envelope.srid = 4326
    issues = (queryset if queryset is not None else Issue.objects.all()).public().filter(point__intersects=envelope)
    now = timezone.now()
    return {"count": issues.count(), "open": issues.open().count(), "overdue": issues.overdue(now).count()}


@pytest.mark.parametrize(("z", "cells_at_least"), [(6, 1), (9, 2), (11, 3)])
def test_dense_tile_holds_cells_whose_counts_sum_to_count_star(client, settings, dense, z, cells_at_least):
    settings.OPENCITY_TILE_MAX_FEATURES = 4
    response = client.get(tile_url("issues", *WEST, z, "status=open,closed"))
    layers = decode(response.content)
    assert set(layers) == {"issue_cells"}  # cells instead of pins, never both, never a cut
    cells = layers["issue_cells"]["features"]
    expected = _expected(z, *WEST)
    assert expected["count"] > 4
    assert {key: sum(c["properties"][key] for c in cells) for key in ("count", "open", "overdue")} == expected
    assert all(set(c["properties"]) == {"count", "open", "overdue"} for c in cells)
    assert all(c["geometry"]["type"] == "Point" for c in cells)
    assert len(cells) >= cells_at_least  # from z9 the clusters fall in different cells


def test_dense_tile_counts_follow_the_filter(client, settings, dense):
    settings.OPENCITY_TILE_MAX_FEATURES = 2
    response = client.get(tile_url("issues", *WEST, 10, "category=pothole&status=open"))
    cells = decode(response.content)["issue_cells"]["features"]
    expected = _expected(10, *WEST, Issue.objects.filter(category__code="pothole").open())
    assert sum(c["properties"]["count"] for c in cells) == expected["count"]
    assert sum(c["properties"]["open"] for c in cells) == expected["count"]


def test_at_the_threshold_every_issue_is_a_feature(client, settings, dense):
    total = _expected(10, *WEST)["count"]
    settings.OPENCITY_TILE_MAX_FEATURES = total
    layers = decode(client.get(tile_url("issues", *WEST, 10, "status=open,closed")).content)
    assert set(layers) == {"issues"}
    assert len(layers["issues"]["features"]) == total
    settings.OPENCITY_TILE_MAX_FEATURES = total - 1
    layers = decode(client.get(tile_url("issues", *WEST, 10, "status=open,closed")).content)
    assert set(layers) == {"issue_cells"}


def test_tilejson_document(client, world):
    response = client.get("/api/v1/tiles/issues.json?status=open", headers={"host": "city.example"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    doc = response.json()
    assert doc["tilejson"] == "3.0.0"
    assert doc["tiles"] == ["http://city.example/api/v1/tiles/issues/{z}/{x}/{y}.mvt?status=open"]
    assert (doc["minzoom"], doc["maxzoom"], doc["scheme"]) == (0, 18, "xyz")
    assert doc["bounds"] == [
        round(CENTRE_LON - 0.1, 6),
        round(CENTRE_LAT - 0.1, 6),
        round(CENTRE_LON + 0.1, 6),
        round(CENTRE_LAT + 0.1, 6),
    ]
    layers = {layer["id"]: layer for layer in doc["vector_layers"]}
    assert set(layers["issues"]["fields"]) == {"ref", "status", "category", "group", "overdue"}
    assert set(layers["issue_cells"]["fields"]) == {"count", "open", "overdue"}
    assert client.get("/api/v1/tiles/issues.json?status=lost").status_code == 400


def test_tilejson_fields_are_the_tile_properties(client, city, settings):
    doc = client.get("/api/v1/tiles/issues.json").json()
    fields = {layer["id"]: set(layer["fields"]) for layer in doc["vector_layers"]}
    pins = features(client.get(tile_url("issues", *WEST, Z)))
    assert all(set(f["properties"]) == fields["issues"] for f in pins)
    settings.OPENCITY_TILE_MAX_FEATURES = 1
    cells = features(client.get(tile_url("issues", *WEST, Z)), layer="issue_cells")
    assert all(set(c["properties"]) == fields["issue_cells"] for c in cells)


def _cells(z: int, filters, *, aggregated: bool, cells: int = 32) -> list[tuple]:
    from geo.tiles import TileAddress
    from issues.tiles import issue_tile

    x, y = tile_of(*WEST, z)
    answer = issue_tile(
        tile=TileAddress(z=z, x=x, y=y),
        filters=filters,
        now=timezone.now(),
        max_features=0,
        cells=cells,
        aggregated=aggregated,
    )
    found = decode(answer.content)["issue_cells"]["features"]  # max_features=0: every match is "dense"
    return sorted(
        (c["properties"]["count"], c["properties"]["open"], c["properties"]["overdue"], *c["geometry"]["coordinates"])
        for c in found
    )


@pytest.mark.parametrize("z", [4, 8, 10, 11])
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"statuses": ["new", "assigned", "in_progress", "planned"]},
        {"category_codes": ["pothole"]},
        {"group_codes": ["roads"]},
        {"district_codes": ["west"], "statuses": ["closed"]},
    ],
)
def test_a_dense_low_zoom_tile_from_the_counts_table_equals_the_one_from_the_issues(dense, world, z, filters):
    """Up to the table's grid the dense tile is summed from the pre-aggregated counts: the same cells
    with the same counts (overdue counted live) as grouping the issues themselves, each drawn within
    a pixel of the same place."""
    from issues.sql import IssueLayerFilter

    layer_filter = IssueLayerFilter(**filters)
    Issue.objects.filter(pk=dense[1].pk).update(  # one overdue issue: counted from the issues, at this moment
        status="assigned", response_due_at=timezone.now() - HOUR
    )
    live, table = _cells(z, layer_filter, aggregated=False), _cells(z, layer_filter, aggregated=True)
    assert [cell[:3] for cell in table] == [cell[:3] for cell in live]
    assert all(abs(a[3] - b[3]) <= 16 and abs(a[4] - b[4]) <= 16 for a, b in zip(table, live, strict=True))
    if not filters:
        assert sum(cell[2] for cell in table) == _expected(z, *WEST)["overdue"] >= 1


def test_which_tiles_the_counts_table_answers(world):
    from geo.tiles import TileAddress
    from issues.sql import IssueLayerFilter
    from issues.tiles import tile_aggregated

    tile = TileAddress(z=11, x=1, y=1)
    assert tile_aggregated(tile, IssueLayerFilter(district_codes=["west"]), 32)
    assert not tile_aggregated(TileAddress(z=12, x=1, y=1), IssueLayerFilter(), 32)  # finer than the table's grid
    assert not tile_aggregated(tile, IssueLayerFilter(executor_codes=["roads"]), 32)  # not one of its keys
    assert not tile_aggregated(tile, IssueLayerFilter(), 24)  # not a power-of-two grid
