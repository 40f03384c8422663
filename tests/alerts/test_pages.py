"""The alert pages: subscribe, change, delete, the limits as form errors in the reader's language,
the unsubscribe link without signing in (and the RFC 8058 one-click POST), and the Atom feeds."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from django.test import Client
from django.utils import timezone

from alerts.feeds import FEED_ITEMS
from alerts.models import Alert, AlertKind
from alerts.services import alert_unsubscribe_token
from issues.models import IssueEvent
from issues.services.moderation import issue_set_hidden
from tests.factories import CENTRE_LAT, CENTRE_LON, UserFactory, box

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"
# A polygon whose edges cross (a bow tie): invalid.
BOWTIE = '{"type": "Polygon", "coordinates": [[[23.4,49.3],[23.5,49.4],[23.5,49.3],[23.4,49.4],[23.4,49.3]]]}'


def client_for(user, language="uk") -> Client:
    client = Client(headers={"accept-language": language})
    if user is not None:
        client.force_login(user)
    return client


def form(**fields) -> dict:
    data = {"kind": "district", "new_reports": "on", "frequency": "daily", "emails_on": "on"}
    data.update(fields)
    return data


def geojson(geometry) -> str:
    return json.dumps(json.loads(geometry.geojson))


def test_subscribe_to_a_district_area_and_radius(world, subscriber):
    client = client_for(subscriber)
    assert client.get("/alerts/new/").status_code == 200
    area = box(CENTRE_LON - 0.012, CENTRE_LAT - 0.002, CENTRE_LON - 0.008, CENTRE_LAT + 0.002)
    center = '{"type": "Point", "coordinates": [23.4956, 49.3489]}'
    for data in (
        form(district=world.west.pk, name="Мій район", category_groups=[world.pothole.group_id]),
        form(kind="area", area=geojson(area), status_changes="on", frequency="immediate"),
        form(kind="radius", center=center, radius_m="300"),
    ):
        response = client.post("/alerts/new/", data)
        assert response.status_code == 302, response.content.decode()[:2000]
        assert response["Location"] == "/alerts/"
    alerts = list(Alert.objects.filter(user=subscriber).order_by("pk"))
    assert [(a.kind, a.frequency, a.new_reports, a.status_changes) for a in alerts] == [
        ("district", "daily", True, False),
        ("area", "immediate", True, True),
        ("radius", "daily", True, False),
    ]
    assert alerts[0].district == world.west and list(alerts[0].category_groups.all()) == [world.pothole.group]
    assert alerts[1].area.equals_exact(area, tolerance=1e-9)
    assert (round(alerts[2].center.x, 4), alerts[2].radius_m) == (23.4956, 300)
    page = client.get("/alerts/").content.decode()
    assert "Мій район" in page and alerts[1].feed_token in page


@pytest.mark.parametrize(
    ("language", "fields", "field", "message"),
    [
        ("uk", {"kind": "district"}, "district", "Оберіть район."),
        ("en", {"kind": "district"}, "district", "Choose a district."),
        ("uk", {"kind": "area"}, "area", "Намалюйте ділянку на мапі."),
        (
            "en",
            {"kind": "area", "area": geojson(box(23.3, 49.2, 23.7, 49.5))},
            "area",
            "an alert may cover at most 50 km²",
        ),
        (
            "en",
            {
                "kind": "area",
                "area": BOWTIE,
            },
            "area",
            "The area's edges cross each other",
        ),
        ("en", {"kind": "area", "area": geojson(box(24.0, 49.8, 24.01, 49.81))}, "area", "outside the community"),
        (
            "en",
            {"kind": "radius", "center": '{"type": "Point", "coordinates": [23.4956, 49.3489]}', "radius_m": "20"},
            "radius_m",
            "from 50 to 5000 metres",
        ),
        ("uk", {"kind": "radius", "radius_m": "300"}, "center", "Поставте точку на мапі."),
        (
            "en",
            {"kind": "radius", "center": '{"type": "Point", "coordinates": [24.03, 49.84]}', "radius_m": "300"},
            "center",
            "The point lies outside the community.",
        ),
        ("en", {"new_reports": "", "district": "WEST"}, "new_reports", "Choose new reports, status changes or both."),
        ("en", {"kind": "area", "area": "not geojson"}, "area", "The area could not be read"),
    ],
)
def test_bad_input_is_a_form_error_in_the_readers_language(world, subscriber, language, fields, field, message):
    data = form(**fields)
    if data.get("district") == "WEST":
        data["district"] = world.west.pk
    response = client_for(subscriber, language).post("/alerts/new/", data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert any(message in text for text in errors[field]), errors
    assert Alert.objects.count() == 0


def test_one_person_keeps_at_most_the_limit(world, subscriber, settings):
    settings.OPENCITY_ALERTS_PER_USER = 2
    client = client_for(subscriber, "en")
    for _ in range(2):
        assert client.post("/alerts/new/", form(district=world.west.pk)).status_code == 302
    response = client.post("/alerts/new/", form(district=world.east.pk))
    assert response.status_code == 400
    assert response.context["form"].non_field_errors() == [
        "You already have 2 alerts, the most one person may keep. Delete one first."
    ]
    assert Alert.objects.count() == 2


def test_an_unconfirmed_address_cannot_subscribe(world):
    newcomer = UserFactory(username="newcomer", email_confirmed_at=None)
    client = client_for(newcomer, "en")
    assert client.get("/alerts/new/").status_code == 403
    response = client.post("/alerts/new/", form(district=world.west.pk))
    assert response.status_code == 403
    assert "Confirm your e-mail address first" in response.content.decode()
    assert Alert.objects.count() == 0


def test_change_and_delete_ones_own_alert_only(world, subscriber, make_alert):
    alert = make_alert(AlertKind.DISTRICT)
    other = client_for(world.other_citizen)
    assert other.get(f"/alerts/{alert.pk}/edit/").status_code == 404
    assert other.post(f"/alerts/{alert.pk}/delete/").status_code == 404
    client = client_for(subscriber)
    assert client.get(f"/alerts/{alert.pk}/edit/").status_code == 200
    response = client.post(f"/alerts/{alert.pk}/edit/", form(district=world.east.pk, frequency="immediate"))
    assert response.status_code == 302
    alert.refresh_from_db()
    assert (alert.district, alert.frequency, alert.emails_on) == (world.east, "immediate", True)
    assert client.post(f"/alerts/{alert.pk}/delete/").status_code == 302
    assert not Alert.objects.exists()


def test_the_unsubscribe_link_works_without_signing_in(world, make_alert):
    alert = make_alert(AlertKind.DISTRICT)
    path = f"/alerts/unsubscribe/{alert_unsubscribe_token(alert=alert)}/"
    anonymous = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    page = anonymous.get(path)
    assert page.status_code == 200 and "Unsubscribe" in page.content.decode()
    alert.refresh_from_db()
    assert alert.emails_on  # opening the link (or a link checker doing so) changes nothing
    done = anonymous.post(path)
    assert done.status_code == 200 and "no more e-mails will be sent" in done.content.decode()
    alert.refresh_from_db()
    assert not alert.emails_on
    assert anonymous.post(path, {"resubscribe": "1"}).status_code == 200
    alert.refresh_from_db()
    assert alert.emails_on
    # RFC 8058: the mail program POSTs `List-Unsubscribe=One-Click`, with no cookie and no token of CSRF.
    one_click = anonymous.post(path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")
    assert one_click.status_code == 200
    alert.refresh_from_db()
    assert not alert.emails_on


def test_a_forged_or_stale_unsubscribe_link_is_refused(world, make_alert):
    alert = make_alert(AlertKind.DISTRICT)
    token = alert_unsubscribe_token(alert=alert)
    assert Client().post(f"/alerts/unsubscribe/{token[:-2]}xx/").status_code == 404
    alert.delete()
    response = Client(headers={"accept-language": "en"}).get(f"/alerts/unsubscribe/{token}/")
    assert response.status_code == 404 and "This alert has been deleted" in response.content.decode()


def _entries(response) -> list:
    return ET.fromstring(response.content).findall(f"{ATOM}entry")


def test_the_district_feed_shows_public_issues_only_bounded_and_cacheable(world, report):
    shown = report(now=timezone.now(), description="Яма біля школи")
    hidden = report(now=timezone.now(), description="Прихований опис")
    issue_set_hidden(issue=hidden, actor=world.dispatcher, hidden=True, note="особисті дані")
    response = Client().get("/alerts/districts/west/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert "public" in response["Cache-Control"] and "max-age=300" in response["Cache-Control"]
    body = response.content.decode()
    assert shown.ref in body and hidden.ref not in body and "Прихований" not in body
    assert "citizen" not in body and world.citizen.email not in body
    assert len(_entries(response)) == IssueEvent.objects.filter(issue=shown, kind="created").count() == 1
    assert Client().get("/alerts/districts/nowhere/feed.atom").status_code == 404


def test_feeds_have_at_most_feed_items_entries(world, report, settings):
    settings.OPENCITY_REPORTS_PER_HOUR = 1000
    for minute in range(FEED_ITEMS + 3):
        report(now=timezone.now() - timezone.timedelta(minutes=minute), description=f"Яма №{minute}")
    assert len(_entries(Client().get("/alerts/districts/west/feed.atom"))) == FEED_ITEMS


def test_a_saved_alerts_feed_is_reached_by_its_token(world, report, make_alert):
    alert = make_alert(AlertKind.RADIUS)
    issue = report(now=timezone.now())
    response = Client().get(f"/alerts/feed/{alert.feed_token}.atom")
    assert response.status_code == 200 and "private" in response["Cache-Control"]
    assert [entry.find(f"{ATOM}title").text for entry in _entries(response)] == [f"{issue.ref} · Яма: Подано"]
    assert Client().get("/alerts/feed/not-the-token.atom").status_code == 404


def test_my_page_and_the_navigation_lead_to_the_alerts(world, subscriber):
    page = client_for(subscriber, "en").get("/me/").content.decode()
    assert "<title>My issues · Drohobych</title>" in page
    assert page.count('href="/alerts/"') == 2  # the navigation and the card on /me/
    assert 'href="/alerts/"' in Client().get("/").content.decode()
