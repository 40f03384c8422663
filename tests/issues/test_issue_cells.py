"""The map's aggregates (`GET /api/v1/issues/cells/`) and the side list's keyset paging: every
visible issue counted at every zoom, with the layer's own filters, in the cells the bbox touches."""

import datetime
import json

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from issues.models import Issue
from issues.services.moderation import issue_set_hidden
from issues.sql import MAX_CELLS_ACROSS
from tests.cells import snapped
from tests.factories import CENTRE_LAT, CENTRE_LON, point

pytestmark = pytest.mark.django_db

CITY = (CENTRE_LON - 0.1, CENTRE_LAT - 0.1, CENTRE_LON + 0.1, CENTRE_LAT + 0.1)
NEAR = (CENTRE_LON - 0.035, CENTRE_LAT - 0.001, CENTRE_LON + 0.035, CENTRE_LAT + 0.008)  # every report
EAST_HALF = (CENTRE_LON + 0.001, CENTRE_LAT - 0.1, CENTRE_LON + 0.1, CENTRE_LAT + 0.1)


def client_for(user=None, language="uk") -> APIClient:
    client = APIClient(headers={"accept-language": language})
    if user is not None:
        client.force_authenticate(user)
    return client


def bbox_text(bbox) -> str:
    return ",".join(f"{n:.6f}" for n in bbox)


def cells(client, bbox, zoom: int, query: str = "") -> dict:
    response = client.get(
        f"/api/v1/issues/cells/?bbox={bbox_text(bbox)}&zoom={zoom}{query}", headers={"accept": "application/geo+json"}
    )
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/geo+json"
    return json.loads(response.content)


@pytest.fixture
def spread(world, report):
    """Issues scattered over both districts (a few close together), some overdue, one closed, one
    hidden and one waiting for its reporter's confirmation."""
    made = []
    for step in range(8):
        west = step % 2 == 0
        where = point(CENTRE_LON + (-1 if west else 1) * (0.002 + 0.004 * step), CENTRE_LAT + 0.003 * (step % 3))
        made.append(
            report(
                where=where,
                category=world.manhole if step % 3 == 0 else world.pothole,
                reporter=world.other_citizen if step % 4 == 1 else world.citizen,
            )
        )
    made.append(report(where=point(CENTRE_LON - 0.00201, CENTRE_LAT)))  # next to the first one
    # Reported on a Tuesday long past: every deadline is moved ahead but two.
    Issue.objects.update(
        response_due_at=timezone.now() + datetime.timedelta(days=1),
        resolve_due_at=timezone.now() + datetime.timedelta(days=10),
    )
    Issue.objects.filter(pk__in=[made[1].pk, made[4].pk]).update(
        response_due_at=timezone.now() - datetime.timedelta(hours=2)
    )
    Issue.objects.filter(pk=made[5].pk).update(status="closed")
    hidden = report(where=world.inside_east)
    issue_set_hidden(issue=hidden, actor=world.dispatcher, hidden=True, note="Номер телефону в описі")
    waiting = report(where=world.inside_east)
    Issue.objects.filter(pk=waiting.pk).update(awaiting_confirmation=True)
    return made, hidden, waiting


def expected(bbox, zoom=None, *, statuses=None, category=None, district=None, overdue=False, reporter=None):
    """COUNT(*) of the same filter through the ORM (not the layer's SQL), over the cells of the
    zoom that the bbox touches (the bbox itself without a zoom)."""
    issues = Issue.objects.public().in_bbox(bbox if zoom is None else snapped(bbox, zoom))
    if statuses is not None:
        issues = issues.filter(status__in=statuses)
    if category is not None:
        issues = issues.filter(category__code=category)
    if district is not None:
        issues = issues.filter(district__code=district)
    if overdue:
        issues = issues.filter(pk__in=Issue.objects.overdue(timezone.now()))
    if reporter is not None:
        issues = issues.filter(reporter=reporter)
    return issues


def test_the_cells_add_up_to_count_of_the_same_filter_at_every_zoom(world, spread):
    open_statuses = list(Issue.objects.open().values_list("status", flat=True).distinct())
    cases = [
        ("", {}),
        ("&status=open", {"statuses": open_statuses}),
        ("&status=closed", {"statuses": ["closed", "resolved", "rejected", "duplicate"]}),
        ("&status=open,closed", {}),
        ("&category=open-manhole", {"category": "open-manhole"}),
        ("&district=east", {"district": "east"}),
        ("&overdue=true", {"overdue": True}),
        (
            "&district=west&category=pothole&status=open",
            {"district": "west", "category": "pothole", "statuses": open_statuses},
        ),
    ]
    assert expected(CITY, overdue=True).count() == 2
    for bbox in (CITY, EAST_HALF):
        for zoom in (10, 13, 15, 16):
            for query, filters in cases:
                data = cells(client_for(), bbox, zoom, query)
                issues = expected(bbox, zoom, **filters)
                total = issues.count()
                assert sum(f["properties"]["count"] for f in data["features"]) == total, (bbox, zoom, query)
                assert data["total"] == total
                assert data["open"] == issues.filter(status__in=open_statuses).count()
                assert data["overdue"] == issues.filter(pk__in=Issue.objects.overdue(timezone.now())).count()
                assert sum(f["properties"]["open"] for f in data["features"]) == data["open"]
                assert sum(f["properties"]["overdue"] for f in data["features"]) == data["overdue"]
                assert all(f["properties"]["count"] > 0 for f in data["features"])
    # "Mine" counts the caller's own reports only.
    mine = cells(client_for(world.other_citizen), CITY, 12, "&mine=true")
    assert mine["total"] == expected(CITY, 12, reporter=world.other_citizen).count() == 2
    # A bbox that only touches the west half's cells counts those cells whole: at z10 the city is
    # one cell, so the east half's view counts every issue; from z16 on it leaves the west ones out.
    assert cells(client_for(), EAST_HALF, 10)["total"] == expected(CITY).count()
    assert cells(client_for(), EAST_HALF, 16)["total"] == expected(EAST_HALF).count() < expected(CITY).count()


def test_low_zoom_groups_and_high_zoom_separates(world, spread):
    made, _hidden, _waiting = spread
    visible = expected(CITY).count()
    assert visible == len(made)
    one = cells(client_for(), CITY, 10)
    assert [f["properties"]["count"] for f in one["features"]] == [visible]
    # The cell sits at the mean of its issues, inside the city.
    [lon, lat] = one["features"][0]["geometry"]["coordinates"]
    assert abs(lon - CENTRE_LON) < 0.02 and abs(lat - CENTRE_LAT) < 0.01
    # At z18 a cell is ~40 m: only the two reports 10 cm apart share one.
    close = cells(client_for(), NEAR, 18)
    assert sorted(f["properties"]["count"] for f in close["features"]) == [1] * (visible - 2) + [2]
    assert set(close["features"][0]["properties"]) == {"count", "open", "overdue"}
    assert close["zoom"] == 18 and close["cell_px"] == 64


def test_a_cell_keeps_its_id_and_counts_when_the_view_moves(world, spread):
    whole = {f["id"]: f["properties"] for f in cells(client_for(), CITY, 15)["features"]}
    east = {f["id"]: f["properties"] for f in cells(client_for(), EAST_HALF, 15)["features"]}
    assert east and set(east) < set(whole)
    assert all(whole[cell] == counts for cell, counts in east.items())


def test_hidden_and_unconfirmed_issues_are_never_counted(world, spread):
    _made, hidden, waiting = spread
    around = (hidden.point.x - 0.0001, hidden.point.y - 0.0001, hidden.point.x + 0.0001, hidden.point.y + 0.0001)
    for user in (None, world.citizen, world.dispatcher, world.mayor):
        for query in ("", "&status=open,closed", "&overdue=true", "&district=east"):
            data = cells(client_for(user), around, 18, query)
            assert data["features"] == [] and data["total"] == 0, (user, query)
    # The reporter of the report waiting for confirmation does not see it counted either.
    assert cells(client_for(waiting.reporter), around, 18, "&mine=true")["total"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (f"bbox={bbox_text(CITY)}", "zoom"),
        ("zoom=12", "bbox"),
        (f"bbox={bbox_text(CITY)}&zoom=23", "zoom"),
        (f"bbox={bbox_text(CITY)}&zoom=ten", "zoom"),
        (f"bbox={bbox_text(CITY)}&zoom=18", "bbox"),  # ~750 cells across at z18
        ("bbox=24,49&zoom=12", "bbox"),
        (f"bbox={bbox_text(CITY)}&zoom=12&category=nope", "category"),
        (f"bbox={bbox_text(CITY)}&zoom=12&mine=true", "mine"),
        (f"bbox={bbox_text(CITY)}&zoom=12&overdue=perhaps", "overdue"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(world, query, field):
    response = client_for().get(f"/api/v1/issues/cells/?{query}", headers={"accept": "application/geo+json"})
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == [field]


def test_the_bbox_limit_follows_the_zoom():
    from issues.sql import cells_spanned

    across, down = cells_spanned(CITY, 12)
    assert across < MAX_CELLS_ACROSS and down < MAX_CELLS_ACROSS
    assert max(cells_spanned(CITY, 18)) > MAX_CELLS_ACROSS


def test_the_side_list_pages_through_everything_in_view(world, spread):
    """`after` walks the pins newest first, a page at a time, to the last one: nothing is capped."""
    every = [
        f["id"]
        for f in json.loads(
            client_for()
            .get(
                f"/api/v1/issues/?view=pins&status=open,closed&bbox={bbox_text(CITY)}&limit=100",
                headers={"accept": "application/geo+json"},
            )
            .content
        )["features"]
    ]
    assert len(every) == expected(CITY).count() == 9
    for view in ("pins", "full"):
        seen, after, pages = [], None, 0
        while True:
            url = f"/api/v1/issues/?view={view}&status=open,closed&bbox={bbox_text(CITY)}&limit=4"
            if after:
                url += f"&after={after}"
            page = json.loads(client_for().get(url, headers={"accept": "application/geo+json"}).content)
            seen += [f["id"] for f in page["features"]]
            pages += 1
            after = page["next"]
            assert (after is not None) == page["truncated"]
            if after is None:
                break
        assert seen == every and pages == 3, view


def test_a_hidden_or_unknown_cursor_gives_an_empty_page(world, spread):
    _made, hidden, _waiting = spread
    for after in (hidden.ref, "DRH-1999-000001"):
        page = json.loads(
            client_for()
            .get(f"/api/v1/issues/?view=pins&after={after}", headers={"accept": "application/geo+json"})
            .content
        )
        assert page["features"] == [] and page["next"] is None
