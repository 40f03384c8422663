"""The privacy scan: reporters' personal data and hidden issues never leave through a public output
(issue 11, "What it must show"; DESIGN.md, "Trust").

The city (tests/trust_city.py) has reporters with distinctive names, e-mails and phones, an Open311
submission with contact details, and a hidden issue with distinctive text and a photo. Every public
output is fetched as an anonymous visitor and as another citizen, and searched for all of it.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.core.files.storage import default_storage
from django.utils import timezone

from alerts.services import alert_unsubscribe_token
from issues.models import Issue
from open311.params import cursor_token
from tests.appeals.files import appeal_file_path
from tests.cells import snapped
from tests.tiles import decode, tile_lonlat_bounds, tile_of, tile_url
from tests.trust_city import HIDDEN_TEXT, PERSONAL, TrustCity, module_city_fixture

city = module_city_fixture()

VIEWERS = ("anonymous", "other")


def _cursor(listing: str) -> str:
    """A keyset cursor before every row of the listing (the next-page path of the Link header)."""
    if listing == "requests":
        return quote(cursor_token(listing, at=datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC), pk=2**62))
    return quote(cursor_token(listing, at=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC), pk=0))


ME_LEAK = "issue 11 item 4: /me/ lists a hidden issue one follows"
CITY_BBOX = "23.3,49.2,23.7,49.5"  # the whole community

MEDIA_LEAK = "issue 11 item 4: direct storage URLs of a hidden issue's media keep working"

# Every public output: (label, path builder). Each must answer 200 and show nothing private.
OUTPUTS: list[tuple[str, Callable[[TrustCity], str]]] = [
    ("map page", lambda c: "/"),
    ("offline map page (kept by the service worker)", lambda c: "/offline/"),
    ("service worker", lambda c: "/sw.js"),
    ("web app manifest", lambda c: "/manifest.webmanifest"),
    ("issue page", lambda c: f"/issues/{c.issue.ref}/"),
    ("issue page (Open311)", lambda c: f"/issues/{c.open311_issue.ref}/"),
    ("budget page", lambda c: "/budget/"),
    ("budget project page", lambda c: f"/budget/{c.project.pk}/"),
    ("outages page", lambda c: "/outages/"),
    ("outage page", lambda c: f"/outages/{c.outage.pk}/"),
    ("contacts page", lambda c: "/contacts/"),
    ("register page", lambda c: "/accounts/register/"),
    ("issue layer", lambda c: "/api/v1/issues/"),
    ("issue layer (closed too)", lambda c: "/api/v1/issues/?status=new,assigned,in_progress,planned,resolved,closed"),
    ("issue layer, the map's pins", lambda c: "/api/v1/issues/?view=pins"),
    ("issue layer, the map's pins (closed too)", lambda c: "/api/v1/issues/?view=pins&status=open,closed"),
    # The map at every zoom (issue 13): the counts per cell, and the list's later pages.
    *[
        (
            f"issue cells z{zoom}",
            lambda c, zoom=zoom: f"/api/v1/issues/cells/?bbox={CITY_BBOX}&zoom={zoom}&status=open,closed",
        )
        for zoom in (8, 12, 14)
    ],
    ("issue pins after the hidden one", lambda c: f"/api/v1/issues/?view=pins&status=open,closed&after={c.hidden.ref}"),
    ("issue pins, a later page", lambda c: f"/api/v1/issues/?view=pins&status=open,closed&limit=1&after={c.issue.ref}"),
    ("issue detail API", lambda c: f"/api/v1/issues/{c.issue.ref}/"),
    ("issue detail API (Open311)", lambda c: f"/api/v1/issues/{c.open311_issue.ref}/"),
    ("nearby, west", lambda c: "/api/v1/issues/nearby/?category=pothole&lon=23.4956&lat=49.3489"),
    ("nearby, east (the hidden one)", lambda c: "/api/v1/issues/nearby/?category=pothole&lon=23.5156&lat=49.3489"),
    ("categories API", lambda c: "/api/v1/categories/"),
    ("budget layer", lambda c: "/api/v1/budget-projects/"),
    ("outage layer", lambda c: "/api/v1/outages/"),
    ("outages at a point", lambda c: "/api/v1/outages/at/?lon=23.5056&lat=49.3489"),
    ("address search", lambda c: "/api/v1/addresses/?q=Стрийська%209"),
    ("address of a point", lambda c: "/api/v1/addresses/reverse/?lon=23.5156&lat=49.3489"),
    ("territory", lambda c: "/geo/territory.geojson"),
    ("issue tile z0", lambda c: "/api/v1/tiles/issues/0/0/0.mvt?status=open,closed"),
    ("issue TileJSON", lambda c: "/api/v1/tiles/issues.json"),
    ("budget tile z0", lambda c: "/api/v1/tiles/budget/0/0/0.mvt"),
    ("outage tile z0", lambda c: "/api/v1/tiles/outages/0/0/0.mvt"),
    ("OpenAPI schema", lambda c: "/api/schema/"),
    ("Open311 discovery", lambda c: "/open311/v2/discovery.json"),
    *[
        (f"Open311 {what} .{fmt}", lambda c, path=path, fmt=fmt: path(c).replace("{fmt}", fmt))
        for fmt in ("json", "xml")
        for what, path in (
            ("services", lambda c: "/open311/v2/services.{fmt}"),
            ("service", lambda c: "/open311/v2/services/pothole.{fmt}"),
            ("requests", lambda c: "/open311/v2/requests.{fmt}"),
            ("requests, every status", lambda c: "/open311/v2/requests.{fmt}?status=open,closed"),
            ("request", lambda c: f"/open311/v2/requests/{c.issue.ref}.{{fmt}}"),
            ("request (Open311)", lambda c: f"/open311/v2/requests/{c.open311_issue.ref}.{{fmt}}"),
            ("token", lambda c: f"/open311/v2/tokens/{c.open311_issue.ref}.{{fmt}}"),
            ("updates", lambda c: "/open311/v2/servicerequestupdates.{fmt}"),
            ("requests, cursor", lambda c: "/open311/v2/requests.{fmt}?cursor=" + _cursor("requests")),
            (
                "updates after a cursor",
                lambda c: "/open311/v2/servicerequestupdates.{fmt}?cursor=" + _cursor("updates"),
            ),
        )
    ],
    ("planned outages iCal", lambda c: "/outages/planned.ics"),
    ("outages Atom", lambda c: "/outages/feed.atom"),
    ("visible picture", lambda c: f"/issues/pictures/{c.photo.public_id}/web/"),
    ("alerts page", lambda c: "/alerts/"),
    ("district feed, west", lambda c: "/alerts/districts/west/feed.atom"),
    ("district feed, east (the hidden one's)", lambda c: "/alerts/districts/east/feed.atom"),
    ("saved area's feed (over the hidden one)", lambda c: f"/alerts/feed/{c.alert.feed_token}.atom"),
    ("unsubscribe page", lambda c: f"/alerts/unsubscribe/{alert_unsubscribe_token(alert=c.alert)}/"),
]

# Outputs about the hidden issue itself: each must be refused as if it did not exist.
HIDDEN_OUTPUTS: list[tuple[str, Callable[[TrustCity], str]]] = [
    ("hidden issue page", lambda c: f"/issues/{c.hidden.ref}/"),
    ("hidden issue API", lambda c: f"/api/v1/issues/{c.hidden.ref}/"),
    ("hidden issue Open311 .json", lambda c: f"/open311/v2/requests/{c.hidden.ref}.json"),
    ("hidden issue Open311 .xml", lambda c: f"/open311/v2/requests/{c.hidden.ref}.xml"),
    ("hidden issue Open311 token", lambda c: f"/open311/v2/tokens/{c.hidden.ref}.json"),
    ("hidden picture, web size", lambda c: f"/issues/pictures/{c.hidden_photo.public_id}/web/"),
    ("hidden picture, thumbnail", lambda c: f"/issues/pictures/{c.hidden_photo.public_id}/thumbnail/"),
    ("hidden upload's status", lambda c: f"/api/v1/media/{c.hidden_photo.public_id}/"),
]

# --- appeals and information requests (issue 15) ----------------------------------------------------
# Their texts, subjects and authors' addresses are in PERSONAL: every output above is scanned for them.
# Outputs about the owner's appeal (`c.appeal`, with the roads unit) and request (`c.request`): each
# is refused as if it did not exist to the public, another citizen and another unit's staff.
APPEAL_VIEWERS = ("anonymous", "other", "exec_other")

# The API (issue 15, item 5). The lists answer an anonymous caller 401 (not an output for the scan
# above): test_no_appeal_list_holds_another_persons_appeal scans them as the others.
APPEAL_REFUSED: list[tuple[str, Callable[[TrustCity], str]]] = [
    ("appeal API", lambda c: f"/api/v1/appeals/{c.appeal.ref}/"),
    ("information request API", lambda c: f"/api/v1/appeals/{c.request.ref}/"),
    ("appeal's file (API)", lambda c: appeal_file_path(c.appeal)),
    ("information request's file (API)", lambda c: appeal_file_path(c.request)),
]


@pytest.mark.parametrize("viewer", [*APPEAL_VIEWERS, "unconfirmed"])
@pytest.mark.parametrize("scope", ["own", "desk", "unit"])
def test_no_appeal_list_holds_another_persons_appeal(city, db, client, viewer, scope):
    response = _client(client, city, viewer).get(f"/api/v1/appeals/?scope={scope}")
    assert response.status_code in (200, 401, 403), response.status_code
    if response.status_code == 200:
        assert response.json()["results"] == []
    body = _body(response)
    assert _leaks(body, [*_secrets(city), city.appeal.ref, city.request.ref]) == []


# The pages: the citizen's, the general department's desk, the unit's queue.
def _appeal_file(appeal) -> str:
    return f"/appeals/{appeal.ref}/files/{appeal.attachments.get().asset.public_id}/"


APPEAL_REFUSED += [
    ("appeal page", lambda c: f"/appeals/{c.appeal.ref}/"),
    ("information request page", lambda c: f"/appeals/{c.request.ref}/"),
    ("appeal's file", lambda c: _appeal_file(c.appeal)),
    ("information request's file", lambda c: _appeal_file(c.request)),
]
OUTPUTS += [("appeals' front page", lambda c: "/appeals/")]
# The lists: refused (the desk to all of them, the queue to all but another unit's staff) or showing
# only the viewer's own; never a text, an address, nor the numbers of the owner's appeals.
APPEAL_LISTS = [
    ("appeals desk", "/appeals/desk/"),
    ("appeals queue", "/appeals/queue/"),
    ("my appeals", "/appeals/mine/"),
]


@pytest.mark.parametrize("viewer", APPEAL_VIEWERS)
@pytest.mark.parametrize(("label", "path"), APPEAL_LISTS, ids=[label for label, _ in APPEAL_LISTS])
def test_the_appeals_lists_show_nothing_of_the_owners_appeals(city, db, client, viewer, label, path):  # noqa: ARG001
    response = _client(client, city, viewer).get(path)
    expected = {"anonymous": 302, "other": 403 if "desk" in path or "queue" in path else 200, "exec_other": 200}
    assert response.status_code == (403 if viewer == "exec_other" and "desk" in path else expected[viewer])
    secrets = [*_secrets(city), city.appeal.ref, city.request.ref]
    assert _leaks(_body(response) + response.get("Location", ""), secrets) == []


# The public statistics on the dashboard, the admin, conversion.
APPEAL_REFUSED += [
    ("conversion form of the complaint", lambda c: f"/appeals/{c.appeal.ref}/to-report/"),
    ("conversion form of the request", lambda c: f"/appeals/{c.request.ref}/to-report/"),
    # (The admin's appeal pages send non-staff to the admin's own sign-in: the permission matrix's
    # generated admin rows hold them.)
]
OUTPUTS += [
    ("appeals in figures", lambda c: "/dashboard/appeals/"),
    ("appeals in figures, JSON", lambda c: "/api/v1/dashboard/appeals/"),
]


ROOT = Path(__file__).resolve().parent.parent


def _secrets(c: TrustCity, *, with_ref: bool = True) -> list[str]:
    """Everything no public output may contain."""
    secrets = [*PERSONAL, HIDDEN_TEXT, str(c.hidden_photo.public_id), *c.hidden_photo_urls]
    secrets += c.hidden_photo.stored_names
    if with_ref:
        secrets.append(c.hidden.ref)
    return secrets


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


def _leaks(text: str, secrets: list[str]) -> list[str]:
    lowered = text.lower()
    return [secret for secret in secrets if secret.lower() in lowered]


def _client(client, c: TrustCity, viewer: str):
    user = c.actors[viewer]
    if user is not None:
        client.force_login(user)
    return client


def test_the_secrets_are_really_there(city, db, client):
    """The scan would prove nothing if the data were never shown: those allowed see it."""
    # The feeds have entries: the scan of them proves something.
    assert city.issue.ref in _body(client.get(f"/alerts/feed/{city.alert.feed_token}.atom"))
    assert city.issue.ref in _body(client.get("/alerts/districts/west/feed.atom"))
    client.force_login(city.actors["dispatcher"])
    assert HIDDEN_TEXT in _body(client.get(f"/issues/{city.hidden.ref}/"))
    client.force_login(city.actors["admin"])
    body = _body(client.get(f"/admin/open311/open311submission/{city.submission.pk}/change/"))
    assert "bohdana.open311@example.net" in body
    for name in city.hidden_photo.stored_names:
        assert default_storage.exists(name)


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize(("label", "path"), OUTPUTS, ids=[label for label, _ in OUTPUTS])
def test_a_public_output_shows_nothing_private(city, db, client, viewer, label, path):  # noqa: ARG001
    response = _client(client, city, viewer).get(path(city))
    assert response.status_code in (200, 302), response.status_code
    text = _body(response) + response.get("Location", "")
    assert _leaks(text, _secrets(city)) == []


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("cells", [False, True])
def test_issue_tiles_over_the_hidden_issue_hold_nothing_of_it(city, db, client, settings, viewer, cells):
    """Every zoom's tile over the hidden issue, decoded: its reference is in no feature, no raw
    secret is in the bytes, and as cells (every tile aggregated) it is in no count."""
    settings.OPENCITY_TILE_MAX_FEATURES = 0 if cells else 100_000
    lon, lat = city.hidden.point.coords
    client = _client(client, city, viewer)
    for z in range(17):
        response = client.get(tile_url("issues", lon, lat, z, "status=open,closed"))
        assert response.status_code in (200, 204)
        assert _leaks(response.content.decode("utf-8", "replace"), _secrets(city)) == []
        layers = decode(response.content) if response.status_code == 200 else {}
        assert set(layers) <= ({"issue_cells"} if cells else {"issues"})
        refs = {f["properties"].get("ref") for f in layers.get("issues", {}).get("features", [])}
        assert city.hidden.ref not in refs
        x, y = tile_of(lon, lat, z)
        envelope = Polygon.from_bbox(tile_lonlat_bounds(z, x, y))
        envelope.srid = 4326
        public = Issue.objects.public().filter(point__intersects=envelope).count()
        shown = sum(c["properties"]["count"] for c in layers.get("issue_cells", {}).get("features", [])) or len(refs)
        assert shown == public
        assert public < Issue.objects.filter(point__intersects=envelope).count()  # the hidden one is there


@pytest.mark.parametrize("viewer", VIEWERS)
def test_the_maps_cells_never_count_the_hidden_issue(city, db, client, viewer):
    """The counts per cell around the hidden issue, at every zoom and with each filter that could
    single it out: they equal the public issues there (in the cells the bbox touches, whole), never
    the hidden one too."""
    lon, lat = city.hidden.point.coords
    bbox = (lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001)
    assert Issue.objects.public().in_bbox(bbox).count() < Issue.objects.in_bbox(bbox).count()  # the hidden one
    client = _client(client, city, viewer)
    for zoom in range(19):
        public = Issue.objects.public().in_bbox(snapped(bbox, zoom))
        for query in ("status=open,closed", "overdue=true", f"district={city.hidden.district.code}"):
            response = client.get(f"/api/v1/issues/cells/?bbox={','.join(map(str, bbox))}&zoom={zoom}&{query}")
            assert response.status_code == 200
            text = _body(response)
            assert _leaks(text, _secrets(city)) == []
            data = json.loads(text)
            expected = public.filter(pk__in=Issue.objects.overdue(timezone.now())) if "overdue" in query else public
            if "district" in query:
                expected = expected.filter(district=city.hidden.district)
            assert data["total"] == sum(f["properties"]["count"] for f in data["features"]) == expected.count()


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize(("label", "path"), HIDDEN_OUTPUTS, ids=[label for label, _ in HIDDEN_OUTPUTS])
def test_a_hidden_issue_is_not_found(city, db, client, viewer, label, path):  # noqa: ARG001
    response = _client(client, city, viewer).get(path(city))
    assert response.status_code in (401, 404), response.status_code
    # The refusal may repeat the reference it was asked for, nothing else.
    assert _leaks(_body(response) + response.get("Location", ""), _secrets(city, with_ref=False)) == []


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize(
    "path", ["/dashboard/export/all.xlsx", "/dashboard/export/backlog.csv", "/dashboard/export/executors.csv"]
)
def test_the_dashboard_exports_are_refused(city, db, client, viewer, path):
    response = _client(client, city, viewer).get(path)
    assert response.status_code == (302 if viewer == "anonymous" else 403)
    assert _leaks(_body(response), _secrets(city)) == []


@pytest.mark.parametrize(
    "viewer",
    ["other", "unconfirmed", "exec_other"],
)
def test_my_page_shows_no_hidden_issue(city, db, client, viewer):
    """`other` supported the issue before it was hidden; the others never touched it. (Everyone sees
    their own name and address here, so only the hidden issue is looked for.)"""
    response = _client(client, city, viewer).get("/me/")
    assert response.status_code == 200
    hidden = [city.hidden.ref, HIDDEN_TEXT, str(city.hidden_photo.public_id), *city.hidden_photo.stored_names]
    assert _leaks(_body(response), hidden) == []


def test_the_hidden_photo_is_not_served_from_public_storage(city, db, client):
    """Whoever noted a storage URL before the issue was hidden must not fetch it after: the app
    serves no /media/ path itself, and deploy/nginx keeps /media/uploads/ internal (reached only
    through X-Accel-Redirect after the picture view's check)."""
    nginx_site = (ROOT / "deploy" / "nginx" / "opencity.conf").read_text(encoding="utf-8")
    uploads = nginx_site[nginx_site.index("location /media/uploads/") :]
    assert "internal;" in uploads[: uploads.index("}")]
    for url in city.hidden_photo_urls:
        assert url.startswith(settings.MEDIA_URL)
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("viewer", APPEAL_VIEWERS)
@pytest.mark.parametrize(("label", "path"), APPEAL_REFUSED, ids=[label for label, _ in APPEAL_REFUSED])
def test_an_appeal_is_not_found_by_others(city, db, client, viewer, label, path):  # noqa: ARG001
    """Neither the text nor the existence of someone else's appeal: 404 (or the sign-in page)."""
    response = _client(client, city, viewer).get(path(city))
    assert response.status_code in (302, 401, 404), response.status_code
    if response.status_code == 302:
        assert "/accounts/login/" in response["Location"]
    # The refusal may repeat the reference it was asked for, nothing else.
    assert _leaks(_body(response) + response.get("Location", ""), _secrets(city)) == []
