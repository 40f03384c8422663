"""The map page in a real browser: the community boundary and districts are drawn."""

import pytest

from demo.issues import demo_load
from tests.browser.conftest import DESKTOP, PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_map_page_draws_the_boundary_and_districts(new_page):
    demo_load(with_history=False)
    page = new_page(DESKTOP)
    page.goto("/")
    page.wait_for_selector("#map[data-loaded=territory]")
    # One path for the boundary and one per district, drawn by Leaflet in the overlay pane.
    paths = page.locator(".leaflet-overlay-pane path")
    assert paths.count() == 1 + 9
    assert page.locator("html").get_attribute("lang") == "uk"
    assert page.locator(".brand").inner_text() == "Відкрите місто"
    screenshot(page, "map-desktop")


def test_map_page_fits_a_phone(new_page):
    demo_load(with_history=False)
    page = new_page(PHONE)
    page.goto("/")
    page.wait_for_selector("#map[data-loaded=territory]")
    box = page.locator("#map").bounding_box()
    assert box["width"] == PHONE["width"]
    assert box["height"] > 500
    screenshot(page, "map-phone")


SETTLED_POPUP = (
    "() => document.querySelectorAll('.leaflet-popup-content').length === 1"
    " && document.querySelector('.leaflet-popup-content .popup .status')"
)


def test_the_map_takes_lean_pins_and_a_pin_fetches_its_details(new_page, world, report):
    from issues.models import Issue

    report(description="Яма на розі, глибока " * 10)
    report(where=world.inside_east, category=world.manhole)
    page = new_page(DESKTOP)
    layers, details = [], []
    page.on("request", lambda r: layers.append(r.url) if "/api/v1/issues/?" in r.url else None)
    page.on("request", lambda r: details.append(r.url) if "/api/v1/issues/DRH-" in r.url else None)
    page.goto("/")
    page.wait_for_selector("#map[data-issues='2']")
    assert layers and all("view=pins" in url for url in layers)
    assert not details  # nothing is fetched until a pin is opened
    first = page.locator("#issue-list .issue-list-item").first
    ref = first.get_attribute("data-ref")
    issue = Issue.objects.select_related("category").get(ref=ref)
    first.locator("button").click()
    # The details come from the issue API: the status, the date and the link of the full pop-up.
    # (A pop-up closed when the pins are redrawn fades out for a moment: wait for the one left.)
    page.wait_for_function(SETTLED_POPUP)
    popup = page.locator(".leaflet-popup-content")
    assert popup.locator(".popup-category").inner_text() == issue.category.name_uk
    assert popup.locator(".popup-title").inner_text() == issue.description[:140].strip()
    assert popup.locator(f"a[href='/issues/{ref}/']").count() == 1
    assert popup.locator(".popup-loading").count() == 0
    assert details == [page.url.rstrip("/") + f"/api/v1/issues/{ref}/"]
    screenshot(page, "map-pin-details")


def test_a_pin_whose_details_fail_says_so_and_tries_again(new_page, world, report):
    report()
    page = new_page(PHONE)
    page.route("**/api/v1/issues/DRH-*/", lambda route: route.fulfill(status=503, body="{}"))
    page.goto("/")
    page.wait_for_selector("#map[data-issues='1']")
    first = page.locator("#issue-list .issue-list-item").first
    ref = first.get_attribute("data-ref")
    first.locator("button").click()
    page.wait_for_function(
        "() => document.querySelectorAll('.leaflet-popup-content').length === 1"
        " && document.querySelector('.leaflet-popup-content .popup-error[role=alert]')"
    )
    error = page.locator(".leaflet-popup-content .popup-error[role=alert]")
    assert error.inner_text() == "Не вдалося завантажити подробиці."
    retry = page.locator(".leaflet-popup-content .popup-retry")
    assert retry.inner_text() == "Спробувати ще раз"
    assert page.evaluate("() => document.activeElement.className") == "popup-retry"
    screenshot(page, "map-pin-details-failed-phone")
    page.unroute("**/api/v1/issues/DRH-*/")
    page.keyboard.press("Enter")
    page.wait_for_function(SETTLED_POPUP)
    assert page.locator(f".leaflet-popup-content a[href='/issues/{ref}/']").count() == 1
