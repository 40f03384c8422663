"""Area alerts in a real browser: a citizen draws an area on the map and subscribes; a report inside
it and one outside; the daily digest carries only the one inside; its unsubscribe link works in a
browser that is not signed in."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from alerts.models import Alert
from tests.browser.conftest import DESKTOP, PHONE, screenshot, sign_in
from tests.factories import CENTRE_LAT, CENTRE_LON, point

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The maps of a page, kept where the test can reach them (django-leaflet announces each one).
KEEP_MAPS = "window.__maps = []; window.addEventListener('map:init', (e) => window.__maps.push(e.detail.map));"
SCREEN_POINT = """([lat, lon]) => {
  const map = window.__maps.find((m) => m.getContainer().offsetParent !== null);
  const p = map.latLngToContainerPoint([lat, lon]);
  const box = map.getContainer().getBoundingClientRect();
  return [box.left + p.x, box.top + p.y];
}"""


def click_map(page, lat: float, lon: float) -> None:
    x, y = page.evaluate(SCREEN_POINT, [lat, lon])
    page.mouse.move(x, y, steps=4)  # Leaflet.draw follows the pointer between vertices
    page.mouse.down()
    page.mouse.up()
    page.wait_for_timeout(350)  # not a double click


def test_subscribe_to_a_drawn_area_get_the_digest_and_unsubscribe(new_page, world, report, settings):
    world.other_citizen.set_password("secret-pass-123")
    world.other_citizen.save()

    page = new_page(DESKTOP, locale="en-GB")  # the neighbour reads English
    page.add_init_script(KEEP_MAPS)
    sign_in(page, "neighbour")
    page.goto("/me/")
    page.get_by_role("link", name="My alerts").click()
    page.wait_for_url("**/alerts/")
    page.get_by_role("link", name="New alert").click()
    page.get_by_label("Name").fill("Near the school")
    page.get_by_label("An area drawn on the map").check()
    page.wait_for_function("() => window.__maps.some((m) => m.getContainer().offsetParent !== null)")
    assert page.locator(".alert-place[data-place=district]").is_hidden()

    # Zoom in to the west point (as a person would), then draw a square of about 300 × 450 m
    # around it with Leaflet.draw's polygon tool.
    west_lon, half = CENTRE_LON - 0.01, 0.002
    page.evaluate(
        "([lat, lon]) => window.__maps.find((m) => m.getContainer().offsetParent !== null).setView([lat, lon], 15)",
        [CENTRE_LAT, west_lon],
    )
    page.locator(".alert-place[data-place=area] .leaflet-draw-draw-polygon").click()
    corners = [
        (CENTRE_LAT - half, west_lon - half),
        (CENTRE_LAT - half, west_lon + half),
        (CENTRE_LAT + half, west_lon + half),
        (CENTRE_LAT + half, west_lon - half),
    ]
    for lat, lon in corners:
        click_map(page, lat, lon)
    click_map(page, *corners[0])  # closing the ring finishes the polygon
    page.wait_for_function("() => document.querySelector('#id_area').value.includes('Polygon')")
    screenshot(page, "alert-draw-desktop")
    page.get_by_label("Status changes").check()
    page.get_by_label("A daily digest").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector(".message.success")
    alert = Alert.objects.get(user=world.other_citizen)
    assert alert.kind == "area" and alert.area.contains(point(west_lon, CENTRE_LAT))
    assert not alert.area.contains(point(CENTRE_LON + 0.01, CENTRE_LAT))

    phone = new_page(PHONE, locale="en-GB")
    sign_in(phone, "neighbour")
    phone.goto("/alerts/")
    assert phone.locator("[data-alert]").count() == 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "alerts-list-phone")
    phone.goto(f"/alerts/{alert.pk}/edit/")
    screenshot(phone, "alert-edit-phone")

    inside = report(where=point(west_lon, CENTRE_LAT), now=timezone.now(), description="Яма біля школи")
    outside = report(where=world.inside_east, now=timezone.now(), description="Яма на сході")
    mail.outbox.clear()
    call_command("opencity_alert_digest", verbosity=0)
    [digest] = [message for message in mail.outbox if message.to == [world.other_citizen.email]]
    assert inside.ref in digest.body and outside.ref not in digest.body
    assert "Near the school" in digest.subject

    # The link from the e-mail, in a browser that never signed in.
    link = re.search(r"(/alerts/unsubscribe/[^/\s]+/)", digest.body).group(1)
    stranger = new_page(PHONE, locale="en-GB")
    stranger.goto(link)
    screenshot(stranger, "alert-unsubscribe-phone")
    stranger.get_by_role("button", name="Unsubscribe").click()
    stranger.wait_for_selector(".unsubscribed")
    assert "no more e-mails will be sent" in stranger.locator("main").inner_text()
    alert.refresh_from_db()
    assert alert.unsubscribed_at is not None

    report(where=point(west_lon, CENTRE_LAT), now=timezone.now(), description="Ще одна яма")
    mail.outbox.clear()
    call_command("opencity_alert_digest", verbosity=0)
    assert mail.outbox == []
