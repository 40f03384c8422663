"""The map page in a real browser: the community boundary and districts, the issues counted per
cell at the default zoom and as pins zoomed in, the list's pages, and the pop-up's details."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from demo.issues import demo_load
from issues.models import Issue
from issues.services.moderation import issue_set_hidden
from tests.browser.axe import assert_accessible
from tests.browser.conftest import DESKTOP, PHONE, screenshot
from tests.factories import CENTRE_LAT, CENTRE_LON, point
from tests.world import TUESDAY_10

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


def is_layer(response, view: str) -> bool:
    """The map's own requests: the cells, or the pins (`limit` = the map's, not the list's page)."""
    url = response.url
    if view == "cells":
        return "/api/v1/issues/cells/?" in url
    return "/api/v1/issues/?" in url and "view=pins" in url and "limit=1000" in url


def scatter(world, report, count: int) -> list:
    """`count` open reports in a row eastwards from the west district, 30 m apart (one cell at the
    default zoom, one pin each from the pins' zoom on)."""
    # An hour apart: the reporter stays under the hourly limit, and the newest is the last.
    made = [
        report(where=point(CENTRE_LON - 0.01 + n * 0.0004, CENTRE_LAT), now=TUESDAY_10 + datetime.timedelta(hours=n))
        for n in range(count)
    ]
    Issue.objects.update(response_due_at=timezone.now() + datetime.timedelta(days=1))
    return made


def test_the_default_zoom_counts_every_issue_in_cells_and_zooming_in_shows_pins(new_page, world, report):
    made = scatter(world, report, 6)
    Issue.objects.filter(pk=made[0].pk).update(response_due_at=timezone.now() - datetime.timedelta(hours=1))
    east = report(where=world.inside_east, category=world.manhole)
    hidden = report(where=world.inside_east)
    issue_set_hidden(issue=hidden, actor=world.dispatcher, hidden=True, note="Номер телефону в описі")
    shown = Issue.objects.public().open()
    assert shown.count() == 7

    for viewport, name in ((DESKTOP, "desktop"), (PHONE, "phone")):
        page = new_page(viewport)
        with page.expect_response(lambda r: is_layer(r, "cells")) as answer:
            page.goto("/")
        assert answer.value.ok
        page.wait_for_selector("#map[data-view=cells][data-issues='7']")
        counts = [int(text) for text in page.locator(".issue-cell .issue-cell-count").all_inner_texts()]
        assert sum(counts) == 7 == int(page.locator("#issue-count").inner_text())
        assert len(counts) >= 1
        # The list pages through everything in view (a page is 50; all 7 fit), newest first.
        assert page.locator("#issue-list .issue-list-item").count() == 7
        assert page.locator("#issue-list-more").count() == 0
        assert hidden.ref not in page.locator("#issue-list").inner_text()
        screenshot(page, f"map-cells-{name}")
        if name == "desktop":
            assert_accessible(page, "the map with cells")

        # Zooming in on the west reports: each is a pin, the east report out of view.
        with page.expect_response(lambda r: is_layer(r, "pins")) as answer:
            page.evaluate(
                "([lat, lon]) => OpenCity.map.setView([lat, lon], 17, { animate: false })",
                [CENTRE_LAT, CENTRE_LON - 0.01 + 0.001],
            )
        assert answer.value.ok
        page.wait_for_selector("#map[data-view=pins][data-issues='6']")
        assert page.locator(".issue-pin").count() == 6
        assert page.locator(".issue-pin-overdue").count() == 1
        assert page.locator(".issue-cell").count() == 0
        assert east.ref not in page.locator("#issue-list").inner_text()
        screenshot(page, f"map-pins-{name}")
        if name == "desktop":
            assert_accessible(page, "the map with pins")


def test_a_filter_applies_at_every_zoom(new_page, world, report):
    scatter(world, report, 3)
    report(where=world.inside_east, category=world.manhole)
    page = new_page(DESKTOP)
    page.goto("/")
    page.wait_for_selector("#map[data-view=cells][data-issues='4']")
    with page.expect_response(lambda r: is_layer(r, "cells") and "district=east" in r.url):
        page.select_option("#filter-district", "east")
    page.wait_for_selector("#map[data-view=cells][data-issues='1']")
    assert page.locator(".issue-cell .issue-cell-count").all_inner_texts() == ["1"]
    with page.expect_response(lambda r: is_layer(r, "pins") and "district=east" in r.url):
        page.evaluate(
            "([lat, lon]) => OpenCity.map.setView([lat, lon], 16, { animate: false })",
            [CENTRE_LAT, CENTRE_LON + 0.01],
        )
    page.wait_for_selector("#map[data-view=pins][data-issues='1']")
    assert page.locator(".issue-pin").count() == 1


def test_the_list_shows_more_a_page_at_a_time(new_page, world, report):
    made = scatter(world, report, 53)
    page = new_page(DESKTOP)
    page.goto("/")
    page.wait_for_selector("#map[data-view=cells][data-issues='53']")
    assert page.locator("#issue-list .issue-list-item").count() == 50
    with page.expect_response(lambda r: "after=" in r.url):
        page.locator("#issue-list-more button").click()
    expect(page.locator("#issue-list .issue-list-item")).to_have_count(53)
    expect(page.locator("#issue-list-more")).to_have_count(0)  # the button goes once the last page is in
    refs = [node.get_attribute("data-ref") for node in page.locator("#issue-list .issue-list-item").all()]
    assert refs == [issue.ref for issue in reversed(made)]
    # The keyboard goes on from the first issue the button brought.
    assert page.evaluate("() => document.activeElement.closest('li').dataset.ref") == made[2].ref


def test_the_map_takes_lean_pins_and_a_pin_fetches_its_details(new_page, world, report):
    report(description="Яма на розі, глибока " * 10)
    report(where=world.inside_east, category=world.manhole)
    page = new_page(DESKTOP)
    layers, details = [], []
    page.on("request", lambda r: layers.append(r.url) if "/api/v1/issues/?" in r.url else None)
    page.on("request", lambda r: details.append(r.url) if "/api/v1/issues/DRH-" in r.url else None)
    page.goto("/")
    page.wait_for_selector("#map[data-view=cells][data-issues='2']")
    assert layers and all("view=pins" in url for url in layers)
    assert not details  # nothing is fetched until a pin is opened
    first = page.locator("#issue-list .issue-list-item").first
    ref = first.get_attribute("data-ref")
    issue = Issue.objects.select_related("category").get(ref=ref)
    # The list zooms the map to the pin, opens it, and the pop-up fetches the details.
    with page.expect_response(lambda r: r.url.endswith(f"/api/v1/issues/{ref}/")) as answer:
        first.locator("button").click()
    assert answer.value.ok
    popup = page.locator(".leaflet-popup-content")
    expect(popup.locator(".status")).to_have_text(issue.get_status_display())
    assert page.locator("#map").get_attribute("data-view") == "pins"
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
    with page.expect_response(lambda r: r.url.endswith(f"/api/v1/issues/{ref}/")) as answer:
        first.locator("button").click()
    assert answer.value.status == 503
    error = page.locator(".leaflet-popup-content .popup-error[role=alert]")
    expect(error).to_have_text("Не вдалося завантажити подробиці.")
    retry = page.locator(".leaflet-popup-content .popup-retry")
    assert retry.inner_text() == "Спробувати ще раз"
    expect(retry).to_be_focused()
    screenshot(page, "map-pin-details-failed-phone")
    page.unroute("**/api/v1/issues/DRH-*/")
    with page.expect_response(lambda r: r.url.endswith(f"/api/v1/issues/{ref}/")) as answer:
        page.keyboard.press("Enter")
    assert answer.value.ok
    expect(page.locator(f".leaflet-popup-content a[href='/issues/{ref}/']")).to_have_count(1)
    expect(page.locator(".leaflet-popup-content .popup-error")).to_have_count(0)
