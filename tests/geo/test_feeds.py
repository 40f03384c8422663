"""The subscriptions: the iCalendar of planned outages and the Atom feed of outage notices parse,
carry the right outages, and never let what people typed through as markup."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone
from icalendar import Calendar

from geo.services import outage_close, outage_extend
from tests.factories import CommunityBoundaryFactory, DispatcherFactory, ExecutorFactory, OutageFactory

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def outages():
    CommunityBoundaryFactory()
    now = timezone.now().replace(microsecond=0)
    water = ExecutorFactory(code="water", name_uk="Водоканал", name_en="Water utility", phone="+380324421400")
    grid = ExecutorFactory(code="electricity", name_uk="Обленерго", name_en="Grid")
    return {
        "now": now,
        "planned_water": OutageFactory(
            provider=water, nature="planned", starts_at=now + 20 * HOUR, expected_end_at=now + 28 * HOUR,
            affected_streets="вул. Стрийська, 1–57\nвул. Мазепи, 2–24", public_notes="Заміна засувок.",
        ),
        "planned_power": OutageFactory(
            provider=grid, kind="electricity", nature="planned", starts_at=now - HOUR, expected_end_at=now + 3 * HOUR,
        ),
        "emergency": OutageFactory(provider=water, nature="emergency"),
        "long_ago": OutageFactory(
            provider=water, nature="planned", starts_at=now - 90 * 24 * HOUR, expected_end_at=now - 89 * 24 * HOUR,
            ended_at=now - 89 * 24 * HOUR,
        ),
    }  # fmt: skip


def test_planned_outages_calendar_parses_with_exact_events(client, outages):
    response = client.get("/outages/planned.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    assert str(calendar["version"]) == "2.0"
    events = calendar.walk("VEVENT")
    # Planned only (no emergency), and not the one that ended three months ago; by start.
    assert [str(e["uid"]) for e in events] == [
        f"outage-{outages['planned_power'].pk}@testserver",
        f"outage-{outages['planned_water'].pk}@testserver",
    ]
    water = events[1]
    outage = outages["planned_water"]
    assert water.decoded("dtstart") == outage.starts_at
    assert water.decoded("dtend") == outage.expected_end_at
    assert str(water["summary"]) == "Планове відключення води: вул. Стрийська, 1–57"
    assert str(water["status"]) == "CONFIRMED"
    assert str(water["url"]) == f"http://testserver/outages/{outage.pk}/"
    assert "Заміна засувок." in str(water["description"])
    assert "Постачальник: Водоканал +380324421400" in str(water["description"])
    latitude, longitude = water.decoded("geo")
    assert outage.area.covers(Point(float(longitude), float(latitude), srid=4326))


def test_calendar_marks_cancellations_and_filters_by_kind(client, outages):
    outage_close(actor=DispatcherFactory(), outage=outages["planned_water"])  # not started: cancelled
    events = Calendar.from_ical(client.get("/outages/planned.ics").content).walk("VEVENT")
    statuses = {str(e["uid"]).split("@")[0]: str(e["status"]) for e in events}
    assert statuses[f"outage-{outages['planned_water'].pk}"] == "CANCELLED"
    only_power = Calendar.from_ical(client.get("/outages/planned.ics?kind=electricity").content).walk("VEVENT")
    assert [str(e["uid"]).split("@")[0] for e in only_power] == [f"outage-{outages['planned_power'].pk}"]


def test_atom_feed_of_notices_parses_newest_first(client, outages):
    dispatcher = DispatcherFactory()
    emergency = outages["emergency"]
    outage_extend(actor=dispatcher, outage=emergency, expected_end_at=timezone.now() + 30 * HOUR, note="<b>Складно</b>")
    outage_close(actor=dispatcher, outage=emergency, note="Воду подано.")
    response = client.get("/outages/feed.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title").text == "Відключення — Дрогобич"
    entries = root.findall(f"{ATOM}entry")
    assert len(entries) == 6  # 4 published + extended + closed
    titles = [entry.find(f"{ATOM}title").text for entry in entries]
    assert titles[0] == "Аварійне відключення води: постачання відновлено — вул. Стрийська, 1–57"
    assert titles[1] == "Аварійне відключення води: подовжено — вул. Стрийська, 1–57"
    links = [entry.find(f"{ATOM}link").get("href") for entry in entries]
    assert links[0].startswith(f"http://testserver/outages/{emergency.pk}/#event-")
    assert len(set(entry.find(f"{ATOM}id").text for entry in entries)) == 6
    extended_summary = entries[1].find(f"{ATOM}summary")
    assert extended_summary.get("type") == "html"
    # Typed markup arrives escaped inside the HTML summary: shown as text, never run.
    assert "&lt;b&gt;Складно&lt;/b&gt;" in extended_summary.text
    assert "<b>" not in extended_summary.text


def test_atom_feed_filters_by_kind(client, outages):
    root = ET.fromstring(client.get("/outages/feed.atom?kind=electricity").content)
    titles = [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]
    assert titles == ["Планове відключення електроенергії: оголошено — вул. Стрийська, 1–57"]
