"""The dashboard in a real browser, as the mayor's office sees it: on a desktop, on a phone, and
the printable summary. Screenshots land in test-artifacts/screenshots/ for people to look at."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from issues.models import CategoryGroup
from issues.services import TransitionInput, issue_transition
from tests.browser.conftest import DESKTOP, PHONE, screenshot, sign_in
from tests.factories import BudgetProjectFactory, point

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def history(world, report):
    """Reports of the last three weeks, relative to now (every step in the past):
    - road service: four potholes reported 5–11 days ago and never answered (overdue); one fixed
      and confirmed; one fixed, disputed and not answered since (overdue again); one planned;
    - water utility: three open manholes answered within the hour, two fixed within a day, the
      third still in progress past its 24-hour fix deadline (overdue).
    So 7 issues are open, the road service has 5 overdue and the water utility 1; the water
    utility fixed 2 of 3 on time, the road service at most 2 of 4."""
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    world.manhole.group = CategoryGroup.objects.create(code="water", name_uk="Вода", name_en="Water", order=1)
    world.manhole.save()

    def act(issue, actor, action, at, **data):
        return issue_transition(issue=issue, actor=actor, action=action, data=TransitionInput(**data), now=at)

    def ago(days):
        return now - datetime.timedelta(days=days)

    promised = timezone.localdate() + datetime.timedelta(days=30)
    lon, lat = world.inside_west.x, world.inside_west.y
    for k, days in enumerate((5, 7, 9, 11)):  # a row of potholes about 60 m apart: one problem spot
        report(where=point(lon + 0.0008 * k, lat), now=ago(days), description=f"Яма на Стрийській, {k + 1}")
    for days, answer in ((14, "dispute"), (16, "confirm")):
        issue = report(where=point(lon + 0.0032, lat), now=ago(days), description="Вибоїна біля школи")
        issue = act(issue, world.roads_staff, "accept", ago(days) + 2 * hour, promised_date=promised)
        issue = act(issue, world.roads_staff, "resolve", ago(days) + 30 * hour, note="Залатали")
        act(issue, world.citizen, answer, ago(days) + 40 * hour, note="Яма знову є")
    planned = report(where=world.inside_east, now=ago(12), description="Провалля дороги")
    act(planned, world.roads_staff, "plan", ago(11), promised_date=promised)
    for days in (2, 6, 9):
        issue = report(category=world.manhole, where=world.inside_east, now=ago(days), description="Відкритий люк")
        issue = act(issue, world.water_staff, "accept", ago(days) + hour, promised_date=promised)
        if days > 2:
            act(issue, world.water_staff, "resolve", ago(days) + 20 * hour, note="Накрили")
    for code, sector, planned_amount, spent in (
        ("roads", "roads", 2500000, 1100000),
        ("light", "lighting", 800000, 760000),
    ):
        BudgetProjectFactory(
            code=f"dash-{code}",
            sector=sector,
            budget_year=timezone.localdate().year,
            planned_amount=Decimal(planned_amount),
            spent_amount=Decimal(spent),
        )


# Texts of the server-drawn charts that reach outside their picture (cut off on screen).
CHART_TEXT_OUTSIDE = """() => [...document.querySelectorAll('svg.chart:not(.map-chart) text')].filter((t) => {
    const box = t.getBBox(), view = t.ownerSVGElement.viewBox.baseVal;
    return box.x < view.x - 0.5 || box.x + box.width > view.x + view.width + 0.5;
}).map((t) => t.textContent)"""
HEAT_SQUARE_OPACITY = """() => Math.min(...[...document.querySelectorAll('.leaflet-opencity-heat-pane path')]
    .map((p) => parseFloat(p.getAttribute('fill-opacity'))))"""


def test_the_mayors_office_reads_the_dashboard(new_page, world, report):
    history(world, report)
    world.mayor.set_password("secret-pass-123")
    world.mayor.save()
    # The longest executor name of the demo: the charts must show its first letters.
    world.water.name_uk = "Дрогобицький район електромереж ПрАТ «Львівобленерго»"
    world.water.save()

    page = new_page(DESKTOP)
    sign_in(page, "mayor")
    page.get_by_role("link", name="Панель керівництва").click()
    page.wait_for_selector("#map[data-dashboard='ready']")
    assert page.locator("h1").inner_text() == "Панель керівництва"
    assert page.locator(".kpi-value").first.inner_text() == "7"  # open now: see the history above
    executors = page.locator("#executors-table tbody tr")
    assert [executors.nth(i).get_attribute("data-executor") for i in range(executors.count())] == ["roads", "water"]
    assert page.locator("svg.chart").count() == 5
    assert page.locator(".leaflet-opencity-heat-pane path").count() >= 3  # heat squares, above the territory
    assert page.locator(".spot-marker").count() == 1
    assert page.locator("#map-section tbody td").nth(1).inner_text() == "5"  # the spot's open issues
    screenshot(page, "dashboard-desktop")

    # Sort by the share fixed on time, then follow the road service's overdue issues.
    page.locator("#executors-table thead").get_by_role("link", name="Виконали вчасно").click()
    assert page.locator("#executors-table th[aria-sort]").inner_text().startswith("Виконали вчасно")
    assert page.locator("#executors-table tbody tr").first.get_attribute("data-executor") == "water"
    assert page.locator("tr[data-executor='water'] td").nth(3).inner_text().startswith("66.7 %")
    page.locator("tr[data-executor='roads'] .overdue-link").click()
    assert page.locator("h1").inner_text() == "Прострочено зараз · Дорожня служба"
    assert page.locator("tr[data-ref]").count() == 5

    phone = new_page(PHONE)
    sign_in(phone, "mayor")
    phone.goto("/dashboard/")
    phone.wait_for_selector("#map[data-dashboard='ready']")
    screenshot(phone, "dashboard-phone")
    # Nothing wider than the screen but the tables' own scrolling boxes.
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert phone.evaluate(CHART_TEXT_OUTSIDE) == []  # executor names start at the chart's left edge

    projector = new_page({"width": 1920, "height": 1080})
    sign_in(projector, "mayor")
    projector.goto("/dashboard/")
    projector.wait_for_selector("#map[data-dashboard='ready']")
    assert projector.evaluate(CHART_TEXT_OUTSIDE) == []
    # The heat squares: opaque enough to read, above the territory's white fill.
    assert projector.evaluate(HEAT_SQUARE_OPACITY) >= 0.8
    screenshot(projector, "dashboard-projector")

    page.goto("/dashboard/")
    page.get_by_role("link", name="Зведення для друку").click()
    assert page.locator("h1").inner_text() == "Зведення для сесії ради"
    assert page.locator("svg.chart").count() == 6
    page.emulate_media(media="print")
    screenshot(page, "dashboard-print")


def test_a_bad_period_is_a_form_error(new_page, world):
    world.dispatcher.set_password("secret-pass-123")
    world.dispatcher.save()
    page = new_page(PHONE)
    sign_in(page, "dispatcher")
    page.goto("/dashboard/?from=2026-12-10&to=2026-12-01")
    assert page.locator("#id_to-errors").inner_text() == "Кінець періоду раніше за його початок."
    assert page.locator("svg.chart").count() == 0
