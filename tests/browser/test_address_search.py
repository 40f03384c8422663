"""The gazetteer in the browser: a street and number typed with a typo moves the map there, from
the keyboard; a new pin of the report form gets its address, which stays editable."""

import pytest

from demo.issues import demo_load
from geo.models import AddressPoint
from tests.browser.conftest import DESKTOP, PHONE, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def map_centre(page) -> tuple[float, float]:
    centre = page.evaluate("(() => { const c = OpenCity.map.getCenter(); return [c.lng, c.lat]; })()")
    return centre[0], centre[1]


def test_searching_a_street_and_number_with_a_typo_moves_the_map(new_page):
    demo_load(with_history=False)
    target = AddressPoint.objects.get(street__name_uk="Стрийська", house_key="41").point
    page = new_page(DESKTOP)
    page.goto("/")
    page.wait_for_selector("#map[data-loaded=territory]")
    before = map_centre(page)

    page.get_by_label("Знайти вулицю або адресу").focus()
    page.keyboard.type("стриська 41")  # "й" missing
    page.keyboard.press("Enter")
    page.wait_for_selector("#map[data-address-shown]")

    lon, lat = map_centre(page)
    assert (abs(lon - target.x), abs(lat - target.y)) < (1e-6, 1e-6)
    assert (abs(before[0] - lon) > 0.001) or (abs(before[1] - lat) > 0.001)
    assert page.evaluate("OpenCity.map.getZoom()") == 18
    assert page.locator(".address-result").first.inner_text().startswith("вул. Стрийська, 41")
    assert page.locator("#address-status").inner_text().endswith("На карті: вул. Стрийська, 41")

    # Another result from the list, from the keyboard.
    page.get_by_label("Знайти вулицю або адресу").fill("Шевченка")
    page.keyboard.press("Enter")
    page.wait_for_selector(".address-result >> nth=1")
    assert page.locator(".address-result").count() == 2  # in Drohobych and in Stebnyk
    page.locator(".address-result").nth(1).focus()
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('map').dataset.addressShown === 'вул. Шевченка'")
    assert page.locator(".address-result").nth(1).get_attribute("aria-current") == "true"

    page.get_by_label("Знайти вулицю або адресу").fill("Хрещатик 1")
    page.keyboard.press("Enter")
    page.wait_for_function("document.getElementById('address-status').textContent.includes('немає')")
    assert page.locator(".address-result").count() == 0


def test_a_new_pin_gets_its_address_and_it_stays_editable(new_page):
    demo_load(with_history=False)
    page = new_page(PHONE)
    page.goto("/")
    page.wait_for_selector("#map[data-loaded=territory]")
    page.get_by_label("Знайти вулицю або адресу").fill("Трускавецька 15")
    page.keyboard.press("Enter")
    page.wait_for_selector("#map[data-address-shown]")
    screenshot(page, "address-search-phone")

    page.get_by_role("button", name="Повідомити про проблему").click()
    page.locator("#use-centre").click()
    page.wait_for_function("document.getElementById('report-address').value !== ''")
    assert page.input_value("#report-address") == "вул. Трускавецька, 15"
    screenshot(page, "address-pin-phone")

    # Typed by the citizen: a new pin does not overwrite it.
    page.fill("#report-address", "біля зупинки")
    page.locator("#map").click(position={"x": 60, "y": 60})
    page.wait_for_timeout(800)
    assert page.input_value("#report-address") == "біля зупинки"

    # Emptied: the next pin fills it again ("near <street>, <district>" when no house is close).
    page.fill("#report-address", "")
    page.locator("#use-centre").click()
    page.wait_for_function("document.getElementById('report-address').value !== ''")
    assert page.input_value("#report-address") == "вул. Трускавецька, 15"
