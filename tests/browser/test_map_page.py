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
