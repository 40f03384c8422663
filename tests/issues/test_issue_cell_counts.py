"""The map's pre-aggregated counts per cell (issues.models.IssueCellCount): kept exact by the
triggers on every kind of write, rebuilt by the command, and read by the cells endpoint at every zoom
up to the base zoom with the same answer as counting the issues themselves."""

import datetime
import json
import random
from dataclasses import replace

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from demo.generator import issues_generate
from issues.models import Issue, IssueCellCount
from issues.services import TransitionInput, issue_transition
from issues.services.corrections import issue_correct
from issues.services.moderation import issue_change_category, issue_set_hidden
from issues.services.reporting import issues_release_after_confirmation
from issues.services.support import issue_support
from issues.sql import CELL_BASE_ZOOM, MAP_PINS_ZOOM, IssueLayerFilter, cells_across, issue_cells_geojson
from tests.cells import base_cell, cell_bounds, snapped
from tests.factories import CENTRE_LAT, CENTRE_LON, UserFactory, point
from tests.issues.test_issue_cells import bbox_text, cells, client_for
from tests.world import TUESDAY_10

pytestmark = pytest.mark.django_db

CITY = (CENTRE_LON - 0.1, CENTRE_LAT - 0.1, CENTRE_LON + 0.1, CENTRE_LAT + 0.1)
WEST = (CENTRE_LON - 0.06, CENTRE_LAT - 0.03, CENTRE_LON - 0.004, CENTRE_LAT + 0.02)
SMALL = (CENTRE_LON + 0.0031, CENTRE_LAT + 0.0012, CENTRE_LON + 0.0157, CENTRE_LAT + 0.0093)
BASE_ACROSS = 256 * 2**CELL_BASE_ZOOM // 64


def recomputed() -> dict:
    """The table as it should be, from the public issues, in Python."""
    rows: dict = {}
    for lon_lat, category, district, status in Issue.objects.public().values_list(
        "point", "category_id", "district_id", "status"
    ):
        key = (*base_cell(lon_lat.x, lon_lat.y, CELL_BASE_ZOOM), category, district, status)
        count, lon, lat = rows.get(key, (0, 0.0, 0.0))
        rows[key] = (count + 1, lon + lon_lat.x, lat + lon_lat.y)
    return rows


def stored() -> dict:
    return {
        (r.cx, r.cy, r.category_id, r.district_id, r.status): (r.count, r.sum_lon, r.sum_lat)
        for r in IssueCellCount.objects.all()
    }


def assert_exact() -> None:
    """The table holds one row per (cell, category, district, status) of the public issues, with
    their count exactly and the sums of their coordinates (to rounding)."""
    want, have = recomputed(), stored()
    assert set(have) == set(want)
    for key, (count, lon, lat) in want.items():
        assert have[key][0] == count, key
        assert have[key][1] == pytest.approx(lon, abs=1e-9) and have[key][2] == pytest.approx(lat, abs=1e-9), key


def test_the_base_grid_is_the_one_below_the_pins():
    assert CELL_BASE_ZOOM == MAP_PINS_ZOOM - 1 == 14
    assert cells_across(CELL_BASE_ZOOM) == BASE_ACROSS == 65536
    # The migration's frozen grid is this one: its triggers number the cells as issues.sql does.
    from importlib import import_module

    assert import_module("issues.migrations.0012_issue_cell_counts").BASE_ACROSS == cells_across(CELL_BASE_ZOOM)


def test_a_zooms_cell_is_the_base_cell_shifted_exactly(db):
    """The database's grid: a point's cell at any zoom up to the base is its base cell >> (base − zoom),
    also for points on the edges of cells, at the poles and at the antimeridian; and it is Leaflet's."""
    rng = random.Random(7)
    points = [(rng.uniform(-180, 180), rng.uniform(-89.9, 89.9)) for _ in range(300)]
    points += [(rng.uniform(23, 24), rng.uniform(49, 50)) for _ in range(300)]
    # On the edges of base cells and of coarser ones, and the extremes.
    points += [(column / BASE_ACROSS * 360 - 180, 49.35) for column in range(37000, 37100, 7)]
    points += [(-180.0, -90.0), (180.0, 90.0), (0.0, 0.0), (23.5, 85.06), (23.5, -85.06)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.lon, p.lat, z, issues_cell_column(p.lon, (256 << z) / 64),"
            " issues_cell_row(p.lat, (256 << z) / 64),"
            " issues_cell_column(p.lon, %s) >> (%s - z), issues_cell_row(p.lat, %s) >> (%s - z)"
            " FROM unnest(%s::float8[], %s::float8[]) AS p(lon, lat), generate_series(0, %s) AS z",
            [
                BASE_ACROSS,
                CELL_BASE_ZOOM,
                BASE_ACROSS,
                CELL_BASE_ZOOM,
                [lon for lon, _lat in points],
                [lat for _lon, lat in points],
                CELL_BASE_ZOOM,
            ],
        )
        rows = cursor.fetchall()
    assert len(rows) == len(points) * (CELL_BASE_ZOOM + 1)
    for lon, lat, zoom, column, row, shifted_column, shifted_row in rows:
        assert (column, row) == (shifted_column, shifted_row), (lon, lat, zoom)
        assert 0 <= row < cells_across(zoom)
        if abs(lat) < 85:  # inside Web Mercator's square: Leaflet's cell too
            assert (column, row) == base_cell(lon, lat, zoom), (lon, lat, zoom)


def test_the_table_follows_every_write_through_the_services(world, report):
    assert_exact()
    first = report()
    second = report(where=world.inside_east, category=world.manhole)
    third = report(where=point(CENTRE_LON - 0.0311, CENTRE_LAT + 0.0123))
    assert stored() and sum(count for count, _lon, _lat in stored().values()) == 3
    assert_exact()

    # Status transitions (the executor answers, fixes; the dispatcher rejects).
    issue_transition(
        issue=first,
        actor=world.roads_staff,
        action="accept",
        data=TransitionInput(promised_date=datetime.date(2026, 12, 4)),
        now=TUESDAY_10,
    )
    assert_exact()
    issue_transition(issue=first, actor=world.roads_staff, action="resolve", data=TransitionInput(note="Залатали"))
    assert_exact()
    issue_transition(issue=third, actor=world.dispatcher, action="reject", data=TransitionInput(note="Не наше"))
    assert_exact()

    # Hidden and shown again.
    issue_set_hidden(issue=second, actor=world.dispatcher, hidden=True, note="Номер телефону в описі")
    assert not IssueCellCount.objects.filter(category_id=world.manhole.pk).exists()
    assert_exact()
    issue_set_hidden(issue=second, actor=world.dispatcher, hidden=False)
    assert_exact()

    # A report waiting for its reporter's confirmation is counted once they confirm.
    newcomer = UserFactory(username="newcomer", email_confirmed_at=None)
    waiting = report(reporter=newcomer, where=point(CENTRE_LON + 0.0421, CENTRE_LAT - 0.0111))
    assert waiting.awaiting_confirmation
    assert_exact()
    assert sum(count for count, _lon, _lat in stored().values()) == 3
    newcomer.email_confirmed_at = newcomer.date_joined
    newcomer.save(update_fields=["email_confirmed_at"])
    issues_release_after_confirmation(user=newcomer)
    assert sum(count for count, _lon, _lat in stored().values()) == 4
    assert_exact()

    # A new category, a point moved to another cell and district, and moved a few metres within its cell.
    issue_change_category(issue=second, actor=world.dispatcher, category=world.playground)
    assert_exact()
    issue_correct(issue=second, actor=world.dispatcher, point=point(CENTRE_LON - 0.0222, CENTRE_LAT + 0.0044))
    assert Issue.objects.get(pk=second.pk).district == world.west
    assert_exact()
    before = stored()
    issue_correct(issue=second, actor=world.dispatcher, point=point(CENTRE_LON - 0.02221, CENTRE_LAT + 0.00441))
    after = stored()
    assert {key: count for key, (count, _lon, _lat) in after.items()} == {
        key: count for key, (count, _lon, _lat) in before.items()
    }
    assert after != before  # the sums moved with the point
    assert_exact()

    # Writes that change nothing the table keys on leave it as it is.
    issue_support(issue=waiting, user=world.other_citizen)
    Issue.objects.update(updated_at=timezone.now(), response_due_at=timezone.now())
    assert stored() == after


def test_the_table_follows_raw_and_bulk_writes(world, report):
    a = report()
    b = report(where=world.inside_east, category=world.manhole)
    # Several rows of one key in one statement, and a row without a district.
    made = Issue.objects.bulk_create(
        [
            Issue(
                ref=f"T-{n}",
                category=world.pothole,
                description="—",
                point=point(CENTRE_LON - 0.0301, CENTRE_LAT),
                district=world.west if n < 3 else None,
            )
            for n in range(5)
        ]
    )
    assert_exact()
    assert IssueCellCount.objects.filter(district_id=None).get().count == 2
    # Two issues swap places in one statement (one key loses and gains a row at once).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE issues_issue SET point = CASE id WHEN %s THEN (SELECT point FROM issues_issue WHERE id = %s)"
            " ELSE (SELECT point FROM issues_issue WHERE id = %s) END WHERE id IN (%s, %s)",
            [a.pk, b.pk, a.pk, a.pk, b.pk],
        )
    assert_exact()
    # An update that renumbers a row is still matched old to new (by what it was and what it is).
    with connection.cursor() as cursor:
        cursor.execute("UPDATE issues_issue SET id = id + 1000 WHERE id = %s", [made[4].pk])
    made[4] = Issue.objects.get(ref=made[4].ref)
    assert_exact()
    # A bulk update of visibility and status, then deletes one by one and in bulk.
    Issue.objects.filter(pk__in=[m.pk for m in made[:2]]).update(is_hidden=True)
    assert_exact()
    Issue.objects.filter(pk__in=[m.pk for m in made[2:]]).update(status="rejected")
    assert_exact()
    made[0].delete()
    made[4].delete()
    assert_exact()
    Issue.objects.filter(pk__in=[m.pk for m in made[1:4]]).delete()
    assert_exact()
    assert not IssueCellCount.objects.filter(count__lte=0).exists()
    # TRUNCATE empties the table too.
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE issues_issue CASCADE")
    assert not IssueCellCount.objects.exists()


def test_the_generator_keeps_the_table_exact(world, report):
    report()
    issues_generate(count=300, days=60, seed=0.42)
    assert Issue.objects.count() == 301
    assert_exact()


def test_hidden_and_unconfirmed_issues_are_never_in_the_table(world, report):
    hidden = report(where=point(CENTRE_LON + 0.0711, CENTRE_LAT + 0.0311))
    issue_set_hidden(issue=hidden, actor=world.dispatcher, hidden=True, note="Образи")
    waiting = report(reporter=UserFactory(username="newcomer", email_confirmed_at=None), where=world.inside_east)
    assert waiting.awaiting_confirmation
    assert not IssueCellCount.objects.exists()
    call_command("opencity_rebuild_cell_counts", stdout=None)
    assert not IssueCellCount.objects.exists()


def test_the_rebuild_command_reproduces_the_table(world, report, capsys):
    for n in range(6):
        issue = report(where=point(CENTRE_LON - 0.05 + 0.0173 * n, CENTRE_LAT + 0.002 * n))
        if n % 2:
            issue_transition(issue=issue, actor=world.dispatcher, action="reject", data=TransitionInput(note="Ні"))
    kept = stored()
    call_command("opencity_rebuild_cell_counts")
    assert "rows" in capsys.readouterr().out
    rebuilt = stored()
    assert set(rebuilt) == set(kept)
    for key, (count, lon, lat) in kept.items():
        assert rebuilt[key][0] == count
        assert rebuilt[key][1] == pytest.approx(lon, abs=1e-9) and rebuilt[key][2] == pytest.approx(lat, abs=1e-9)
    # A table that has drifted (written with the triggers off) is put right.
    IssueCellCount.objects.filter(pk=IssueCellCount.objects.first().pk).delete()
    IssueCellCount.objects.update(count=7)
    call_command("opencity_rebuild_cell_counts", stdout=None)
    assert_exact()


# --- the cells read from the table ----------------------------------------------------------------


@pytest.fixture
def scattered(world, report):
    """Ninety issues scattered over the city (bulk-inserted: the triggers count them), in every status,
    three categories, both districts and none; some overdue, some hidden or waiting, a few stacked."""
    now = timezone.now()
    rng = random.Random(13)
    statuses = ["new", "assigned", "in_progress", "planned", "resolved", "closed", "rejected"]
    rows = []
    for n in range(90):
        lon = CENTRE_LON + rng.uniform(-0.09, 0.09)
        lat = CENTRE_LAT + rng.uniform(-0.06, 0.06)
        if n % 15 == 0:
            lon, lat = CENTRE_LON + 0.0123, CENTRE_LAT - 0.0045  # a stack in one spot
        status = statuses[n % len(statuses)]
        rows.append(
            Issue(
                ref=f"T-{n}",
                category=(world.pothole, world.manhole, world.playground)[n % 3],
                description="—",
                point=point(lon, lat),
                district=None if n % 11 == 0 else world.west if lon < CENTRE_LON else world.east,
                status=status,
                executor=None if status == "new" else world.roads,
                response_due_at=now + datetime.timedelta(hours=-2 if n % 4 == 0 else 20),
                resolve_due_at=now + datetime.timedelta(days=-1 if n % 5 == 0 else 5),
                is_hidden=n % 13 == 0,
                awaiting_confirmation=n % 17 == 0,
            )
        )
    Issue.objects.bulk_create(rows)
    assert 0 < Issue.objects.public().overdue(now).count() < Issue.objects.public().open().count()
    return rows


FILTERS = [
    ("", IssueLayerFilter()),
    ("&status=open", IssueLayerFilter(statuses=["new", "assigned", "in_progress", "planned"])),
    ("&status=closed,planned", IssueLayerFilter(statuses=["resolved", "closed", "rejected", "duplicate", "planned"])),
    ("&category=open-manhole,pothole", IssueLayerFilter(category_codes=["open-manhole", "pothole"])),
    ("&district=east", IssueLayerFilter(district_codes=["east"])),
    ("&status=open&district=west&category=pothole", None),
]


def orm_expected(world, bbox, zoom, query):
    issues = Issue.objects.public().in_bbox(snapped(bbox, zoom))
    if "status=open" in query:
        issues = issues.open()
    if "status=closed,planned" in query:
        issues = issues.filter(status__in=["resolved", "closed", "rejected", "duplicate", "planned"])
    if "category=open-manhole,pothole" in query:
        issues = issues.filter(category__in=[world.manhole, world.pothole])
    if "category=pothole" in query:
        issues = issues.filter(category=world.pothole)
    if "district=east" in query:
        issues = issues.filter(district=world.east)
    if "district=west" in query:
        issues = issues.filter(district=world.west)
    return issues


def test_the_table_answers_every_zoom_up_to_the_base_as_the_orm_counts(world, scattered):
    overdue_ids = set(Issue.objects.overdue(timezone.now()).values_list("pk", flat=True))
    for bbox in (CITY, WEST, SMALL):
        for zoom in range(CELL_BASE_ZOOM + 1):
            for query, _filter in FILTERS:
                data = cells(client_for(), bbox, zoom, query)
                issues = orm_expected(world, bbox, zoom, query)
                assert data["total"] == issues.count(), (bbox, zoom, query)
                assert data["open"] == issues.open().count()
                assert data["overdue"] == issues.filter(pk__in=overdue_ids).count()
                assert sum(f["properties"]["count"] for f in data["features"]) == data["total"]
                # Each cell holds what the ORM finds inside that cell's own bounds.
                if zoom in (0, 9, 12, CELL_BASE_ZOOM):
                    for feature in data["features"]:
                        inside = issues.in_bbox(cell_bounds(feature["id"]))
                        assert feature["properties"]["count"] == inside.count(), (feature["id"], query)
                        assert feature["properties"]["open"] == inside.open().count()
                        assert feature["properties"]["overdue"] == inside.filter(pk__in=overdue_ids).count()


def test_the_table_and_the_issues_give_the_same_cells(world, scattered):
    for bbox in (CITY, WEST, SMALL):
        for zoom in range(3, CELL_BASE_ZOOM + 1):
            for _query, filters in FILTERS:
                if filters is None:
                    filters = IssueLayerFilter(
                        statuses=["new", "assigned", "in_progress", "planned"],
                        district_codes=["west"],
                        category_codes=["pothole"],
                    )
                filters = replace(filters, bbox=bbox)
                table = json.loads(issue_cells_geojson(filters=filters, zoom=zoom, aggregated=True))
                live = json.loads(issue_cells_geojson(filters=filters, zoom=zoom, aggregated=False))
                assert [f["id"] for f in table["features"]] == [f["id"] for f in live["features"]], (bbox, zoom)
                assert [f["properties"] for f in table["features"]] == [f["properties"] for f in live["features"]]
                for total in ("total", "open", "overdue"):
                    assert table[total] == live[total]
                for mine, theirs in zip(table["features"], live["features"], strict=True):
                    for a, b in zip(mine["geometry"]["coordinates"], theirs["geometry"]["coordinates"], strict=True):
                        assert abs(a - b) <= 1e-5


def test_the_endpoint_reads_the_table_up_to_the_base_zoom_and_the_issues_beyond(world, scattered):
    """Seen through a table made wrong on purpose: the zooms and filters it answers show it."""
    bbox = SMALL
    honest = {zoom: cells(client_for(), bbox, zoom)["total"] for zoom in (CELL_BASE_ZOOM, CELL_BASE_ZOOM + 1)}
    IssueCellCount.objects.update(count=1000)
    assert cells(client_for(), bbox, CELL_BASE_ZOOM)["total"] >= 1000
    assert cells(client_for(), bbox, CELL_BASE_ZOOM + 1)["total"] == honest[CELL_BASE_ZOOM + 1]
    # The filters the table has no key for are counted from the issues.
    assert cells(client_for(), bbox, CELL_BASE_ZOOM, "&executor=roads")["total"] < 1000
    assert cells(client_for(), bbox, CELL_BASE_ZOOM, "&overdue=true")["total"] < 1000
    assert cells(client_for(world.citizen), bbox, CELL_BASE_ZOOM, "&mine=true")["total"] == 0


def test_the_table_path_is_one_statement(world, scattered, django_assert_num_queries):
    filters = IssueLayerFilter(bbox=CITY, statuses=["new", "assigned"], group_codes=["roads"], district_codes=["west"])
    with django_assert_num_queries(1):
        issue_cells_geojson(filters=filters, zoom=11)
    with pytest.raises(ValueError, match="not in the pre-aggregated table"):
        issue_cells_geojson(filters=IssueLayerFilter(bbox=CITY, overdue=True), zoom=11, aggregated=True)
    # And the view answers the same through the API.
    query = f"bbox={bbox_text(CITY)}&zoom=11&status=new,assigned&group=roads&district=west"
    response = client_for().get(f"/api/v1/issues/cells/?{query}", headers={"accept": "application/geo+json"})
    assert json.loads(response.content)["total"] == json.loads(issue_cells_geojson(filters=filters, zoom=11))["total"]
