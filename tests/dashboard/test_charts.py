"""dashboard_charts: which charts the dashboard draws from its figures (the drawing itself is
charts.py's other functions)."""

import datetime

import pytest
from django.utils import translation

from dashboard.charts import dashboard_charts
from dashboard.selectors import DashboardFilter, dashboard_get
from tests.dashboard.city import NOW

pytestmark = pytest.mark.django_db

CHARTS = ["received", "resolved", "sla", "satisfaction", "budget"]


def test_the_city_gets_every_chart_and_the_print_gets_the_map(city):
    dashboard = dashboard_get(filters=city.period, now=NOW)
    with translation.override("en"):
        page, printed = dashboard_charts(dashboard=dashboard), dashboard_charts(dashboard=dashboard, with_map=True)
    assert list(page) == CHARTS
    assert list(printed) == [*CHARTS, "map"]
    for name in CHARTS:
        assert page[name].startswith('<svg class="chart"'), name
        assert f'id="chart-{name}-t"' in page[name]
        assert page[name] == printed[name]
    assert '<title id="chart-received-t">Reports received per week</title>' in page["received"]
    assert printed["map"].startswith('<svg class="chart map-chart"')


def test_charts_with_nothing_to_show_are_empty(world):
    quiet = DashboardFilter(start=datetime.date(2026, 11, 30), end=datetime.date(2026, 12, 13))
    charts = dashboard_charts(dashboard=dashboard_get(filters=quiet, now=NOW))
    # No executor rows, no fixes, no budget lines: those are left out; the weekly columns still draw.
    assert (charts["sla"], charts["satisfaction"], charts["budget"]) == ("", "", "")
    assert charts["received"].startswith("<svg") and charts["resolved"].startswith("<svg")
