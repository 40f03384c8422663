"""Pages that run scripts the Content-Security-Policy must let through, opened in Chromium: the
drawing map of the outage desk and the admin's map widgets (inline set-up signed with the request's
nonce), the API's Swagger UI (its set-up fetched as a file) and the council summary's print button
(a handler in a static file). The `new_page` fixture fails a test on any refusal the browser reports;
here each page must also have done what its scripts are for."""

import pytest
from django.contrib.auth import get_user_model

from geo.models import OutageKindGrant
from tests.browser.conftest import DESKTOP, PHONE, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def with_password(user):
    user.set_password("secret-pass-123")
    user.save()
    return user


def test_the_outage_desk_draws_its_map_under_the_policy(new_page, world):
    OutageKindGrant.objects.create(executor=world.water, kind="water")
    with_password(world.water_staff)
    page = new_page(PHONE)
    sign_in(page, "water-staff")
    page.goto("/outages/manage/new/")
    page.wait_for_selector(".area-map .leaflet-container")
    assert page.locator(".leaflet-draw-draw-polygon").count() == 1  # the nonce'd set-up ran


def test_the_admin_map_widget_runs_under_the_policy(new_page, world):
    get_user_model().objects.create_superuser("root", "root@example.org", "secret-pass-123")
    page = new_page(DESKTOP)
    page.goto("/admin/login/")
    page.fill("#id_username", "root")
    page.fill("#id_password", "secret-pass-123")
    page.click("input[type=submit], button[type=submit]")
    page.goto(f"/admin/geo/district/{world.west.pk}/change/")
    page.wait_for_selector("#id_geom-div-map .leaflet-container, .leaflet-container")
    assert page.locator(".leaflet-overlay-pane path").count() >= 1  # the district's polygon is drawn


def test_the_api_documentation_loads_under_the_policy(new_page, world):
    page = new_page(DESKTOP)
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert page.locator(".opblock").count() > 10  # the operations of the schema are listed


def test_the_print_button_prints_without_an_inline_handler(new_page, world):
    with_password(world.mayor)
    page = new_page(DESKTOP)
    sign_in(page, "mayor")
    page.goto("/dashboard/print/")
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.get_by_role("button", name="Друкувати").click()
    assert page.evaluate("() => window.printed") == 1
