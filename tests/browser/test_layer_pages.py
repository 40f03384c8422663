"""The budget and outage layers in a real browser: a citizen checks an address inside a water
outage; the budget page for a year shows its projects and the right totals; the main map toggles
both layers."""

import re

import pytest

from demo.issues import demo_load
from geo.models import Outage
from tests.browser.conftest import DESKTOP, PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


# Resolves true once the page has not scrolled for two frames.
SCROLL_SETTLED = """() => new Promise((resolve) => {
    const y = window.scrollY;
    requestAnimationFrame(() => requestAnimationFrame(() => resolve(window.scrollY === y)));
})"""


def click_map_at(page, lon: float, lat: float) -> None:
    """Click the map where (lon, lat) is drawn, as a finger or a mouse would.

    On a phone the answer to a check scrolls smoothly into view below the map, taking the map's top
    off the screen; a click aimed there went nowhere once the scroll had finished first (which it
    does on a busy machine). So: let any scroll finish, bring the whole map into view, then aim."""
    page.wait_for_function(SCROLL_SETTLED)
    page.evaluate("() => document.getElementById('map').scrollIntoView({block: 'nearest', behavior: 'instant'})")
    page.wait_for_function(SCROLL_SETTLED)
    script = "([lat, lon]) => { const p = OpenCity.map.latLngToContainerPoint([lat, lon]); return [p.x, p.y]; }"
    x, y = page.evaluate(script, [lat, lon])
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_a_citizen_checks_an_address_inside_a_water_outage(new_page, viewport, name):
    demo_load()
    water = Outage.objects.get(reference="demo-water-1")
    inside = water.area.point_on_surface
    page = new_page(viewport)
    page.goto("/outages/")
    page.wait_for_selector("#map[data-outages='5']")
    page.wait_for_selector("#map[data-loaded=territory]")
    page.locator("#map").scroll_into_view_if_needed()
    click_map_at(page, inside.x, inside.y)
    result = page.locator("#outage-check-result")
    page.wait_for_selector("#outage-check-result[data-state=affected]")
    answer = result.inner_text()
    assert "Відключення в цьому місці" in answer
    assert "Аварійне відключення води" in answer
    assert "вул. Стрийська, 1–57" in answer
    assert "Орієнтовне завершення" in answer
    items = page.locator("#outage-check-result .answer-item")
    assert [items.nth(i).get_attribute("data-outage-id") for i in range(items.count())] == [str(water.pk)]
    screenshot(page, f"outages-check-{name}")

    # Somewhere in the community with nothing off: a clear "no".
    click_map_at(page, 23.505, 49.338)
    page.wait_for_selector("#outage-check-result[data-state=none]")
    assert result.inner_text().strip() == "У цьому місці немає відомих відключень — ні зараз, ні запланованих."


def test_a_keyboard_user_checks_the_centre_of_the_map_and_filters_by_street(new_page):
    demo_load()
    water = Outage.objects.get(reference="demo-water-1")
    inside = water.area.point_on_surface
    page = new_page(DESKTOP)
    page.goto("/outages/")
    page.wait_for_selector("#map[data-outages='5']")
    page.evaluate("([lat, lon]) => OpenCity.map.setView([lat, lon], 16, {animate: false})", [inside.y, inside.x])
    page.focus("#check-centre")
    page.keyboard.press("Enter")
    page.wait_for_selector("#outage-check-result[data-state=affected]")
    assert "Аварійне відключення води" in page.locator("#outage-check-result").inner_text()
    page.fill("#street-filter", "бориславська")
    visible = page.locator(".outage-item:visible")
    assert visible.count() == 1
    assert "Бориславська" in visible.inner_text()
    page.fill("#street-filter", "неіснуюча")
    assert page.locator(".outage-item:visible").count() == 0
    assert page.locator("#street-filter-empty").is_visible()


@pytest.mark.parametrize(("viewport", "name"), [(PHONE, "phone"), (DESKTOP, "desktop")])
def test_the_budget_page_shows_the_years_projects_and_totals(new_page, viewport, name):
    demo_load()
    page = new_page(viewport)
    page.goto("/budget/?year=2026")
    page.wait_for_selector("#map[data-budget='28']")
    total = re.sub(r"\s+", " ", page.locator("[data-testid=grand-total]").inner_text()).replace("\xa0", " ")
    assert total == "28 проєктів: заплановано 125 660 000,00 грн, витрачено 26 442 350,00 грн"
    roads = page.locator("#totals-by-sector tr[data-key=roads] td")
    assert [roads.nth(i).inner_text().replace("\xa0", " ") for i in range(3)] == ["7", "42 370 000,00", "10 442 550,00"]
    done = page.locator("#totals-by-status tr[data-key=done] td")
    assert done.nth(0).inner_text() == "5"
    assert page.locator("#budget-projects > li").count() == 28
    # Every project is drawn: 28 features, the bus stops' multipoint as 8 markers.
    assert page.locator(".leaflet-opencity-layers-pane path").count() == 28 + 7
    screenshot(page, f"budget-{name}")

    page.locator(".leaflet-opencity-layers-pane path").first.click(force=True)
    page.wait_for_selector(".leaflet-popup-content a[href^='/budget/']")


def test_the_budget_filters_narrow_the_map_and_the_totals(new_page):
    demo_load()
    page = new_page(DESKTOP)
    page.goto("/budget/?year=2026")
    page.select_option("#id_sector", "lighting")
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("#map[data-budget='3']")
    assert page.locator("#budget-projects > li").count() == 3
    total = page.locator("[data-testid=grand-total]").inner_text().replace("\xa0", " ")
    assert "5 090 000,00 грн" in total


def test_the_main_map_toggles_outages_and_budget_works(new_page):
    demo_load()
    page = new_page(DESKTOP)
    page.goto("/")
    page.wait_for_selector("#map[data-outages='5']")
    assert page.locator(".leaflet-opencity-layers-pane path").count() == 5
    page.get_by_label(re.compile("Бюджетні роботи")).check()
    page.wait_for_selector("#map[data-budget]")
    assert page.locator(".leaflet-opencity-layers-pane path").count() > 5
    page.get_by_label("Відключення").uncheck()
    screenshot(page, "map-layers-desktop")


def test_a_project_page_draws_its_place(new_page):
    demo_load()
    from geo.models import BudgetProject

    project = BudgetProject.objects.get(code="2026-roads-01")
    page = new_page(PHONE)
    page.goto(f"/budget/{project.pk}/")
    page.wait_for_selector("#map[data-geometry=shown]")
    assert page.locator("#project-issues").get_attribute("data-project-id") == str(project.pk)
    assert "18 400 000,00 грн" in page.locator("[data-testid=planned]").inner_text().replace("\xa0", " ")
    screenshot(page, "budget-project-phone")
