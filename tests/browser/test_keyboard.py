"""The keyboard alone (issue 14, item 3): a citizen signs in and reports a problem — the pin set by
moving the map with the arrow keys and pinning its centre, a category, the text, a photo through
the file chooser — and the executor accepts and resolves it from the queue. Only key presses:
no clicks, no `focus()`; every control is reached with Tab, and shows where the focus is.

axe-core checks each step of the report flow on the way (the panel open, the pin set, a category
chosen with its nearby reports, the photo uploaded, the confirmation)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from issues.models import Issue
from tests.browser.axe import assert_accessible
from tests.browser.conftest import PHONE
from tests.factories import point
from tests.media_store.media import image_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Whether the focused element shows it: an outline or a ring (box-shadow) of some width.
FOCUS_SHOWN = """() => {
    const e = document.activeElement;
    const style = getComputedStyle(e);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    return outline || style.boxShadow !== 'none';
}"""


def tab_to(page, selector: str, *, backwards: bool = False, limit: int = 80) -> None:
    """Press Tab (or Shift+Tab) until the element matching `selector` has the focus; it must show it."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            assert page.evaluate(FOCUS_SHOWN), f"{selector} has the focus but does not show it"
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"{selector} cannot be reached with the Tab key")


def sign_in_by_keyboard(page, username: str) -> None:
    tab_to(page, "#id_username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    page.keyboard.type("secret-pass-123")
    page.keyboard.press("Enter")


def test_a_report_and_its_fix_with_the_keyboard_alone(new_page, world, report):
    for user in (world.citizen, world.roads_staff):
        user.set_password("secret-pass-123")
        user.save()

    page = new_page(PHONE)
    page.goto("/accounts/login/?next=/")
    sign_in_by_keyboard(page, "citizen")
    page.wait_for_selector("#map[data-loaded=territory]")
    page.wait_for_selector("#map[data-issues]")
    assert_accessible(page, "the map")

    tab_to(page, "#report-start")
    page.keyboard.press("Enter")
    page.wait_for_selector("#report:not([hidden])")
    assert page.evaluate("document.activeElement.id") == "use-location"
    assert_accessible(page, "report: the form open")

    # Move the map with the arrow keys, then pin its centre: the pin is where the map was moved.
    centre = page.evaluate("() => OpenCity.map.getCenter().lng")
    tab_to(page, "#map", backwards=True)
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("(lng) => OpenCity.map.getCenter().lng < lng - 0.0002", arg=centre)
    tab_to(page, "#use-centre")
    page.keyboard.press("Enter")
    page.wait_for_selector("#report[data-point]")
    lon, lat = map(float, page.locator("#report").get_attribute("data-point").split(","))
    assert lon < centre - 0.0002
    # Someone has just reported a pothole a few metres away: the form will offer it.
    report(where=point(lon + 0.0001, lat), now=timezone.now(), description="Яма біля ратуші")
    assert page.locator("#where-status").inner_text()
    assert_accessible(page, "report: the pin set")

    tab_to(page, "#category-search")
    page.keyboard.type("яма")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert page.locator('input[name="category"][value="pothole"]').is_checked()
    page.wait_for_selector(".nearby-item")  # the pothole reported nearby is offered
    assert_accessible(page, "report: a category chosen, a nearby report offered")

    tab_to(page, "#report-description")
    page.keyboard.type("Глибока яма на переході")
    tab_to(page, "#report-photos")
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(
        files=[{"name": "pit.png", "mimeType": "image/png", "buffer": image_bytes("PNG", (64, 48))}]
    )
    page.wait_for_selector(".media-item .media-status:text('Готово')")
    assert_accessible(page, "report: a photo uploaded")

    tab_to(page, "#report-submit")
    page.keyboard.press("Enter")
    page.wait_for_selector("#report-done:not([hidden])")
    assert_accessible(page, "report: the confirmation")
    ref = page.locator("#done-ref").inner_text()
    issue = Issue.objects.get(ref=ref)
    assert (issue.reporter, issue.category.code, issue.description) == (
        world.citizen,
        "pothole",
        "Глибока яма на переході",
    )
    assert issue.point.x < centre - 0.0002
    assert issue.media.count() == 1

    # The road service: from the queue, accept with a promised date; then resolve on its page.
    staff = new_page(PHONE)
    staff.goto("/accounts/login/?next=/queue/")
    sign_in_by_keyboard(staff, "roads-staff")
    staff.wait_for_selector(f"tr.queue-row[data-ref='{ref}']")
    promised = timezone.localdate() + datetime.timedelta(days=5)
    tab_to(staff, f"#promised-accept-{ref}")
    # The date field's parts, in the order headless Chromium lays them out: its own interface
    # language's (en-US: month, day, year), whatever the page's language.
    staff.keyboard.type(promised.strftime("%m%d%Y"))
    assert staff.input_value(f"#promised-accept-{ref}") == promised.isoformat()
    tab_to(staff, f"tr.queue-row[data-ref='{ref}'] form.action-accept button[type=submit]")
    staff.keyboard.press("Enter")
    staff.wait_for_selector(".message.success")
    issue.refresh_from_db()
    assert (issue.status, issue.promised_date) == ("in_progress", promised)

    tab_to(staff, f"tr.queue-row[data-ref='{ref}'] a[href='/issues/{ref}/']")
    staff.keyboard.press("Enter")
    staff.wait_for_url(f"**/issues/{ref}/")
    tab_to(staff, f"#note-resolve-{ref}")
    staff.keyboard.type("Яму залатано")
    tab_to(staff, "form.action-resolve button[type=submit]")
    staff.keyboard.press("Enter")
    staff.wait_for_selector(".message.success")
    issue.refresh_from_db()
    assert issue.status == "resolved"
    assert issue.events.filter(note="Яму залатано").count() == 1
