"""Which outages cover a point, and when: the zone's edge, overlapping zones, start and end."""

import datetime

import pytest
from django.utils import timezone

from geo.models import Outage
from geo.selectors import outage_covering, outages_at
from tests.factories import CENTRE_LAT, CENTRE_LON, OutageFactory, box, point

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 16, 8, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def zone():
    """A water outage 08:00–16:00 over a 0.01° square whose western edge is the meridian CENTRE_LON."""
    return OutageFactory(
        area=box(CENTRE_LON, CENTRE_LAT - 0.005, CENTRE_LON + 0.01, CENTRE_LAT + 0.005),
        starts_at=T0,
        expected_end_at=T0 + 8 * HOUR,
    )


def test_a_point_exactly_on_the_zone_boundary_is_inside(zone):
    on_edge = point(CENTRE_LON, CENTRE_LAT)
    on_corner = point(CENTRE_LON, CENTRE_LAT - 0.005)
    assert list(Outage.objects.covering(on_edge)) == [zone]
    assert list(Outage.objects.covering(on_corner)) == [zone]
    assert outages_at(point=on_edge, at=T0 + HOUR).active == [zone]


def test_a_point_just_outside_the_zone_is_not_covered(zone):
    assert list(Outage.objects.covering(point(CENTRE_LON - 0.0001, CENTRE_LAT))) == []
    answer = outages_at(point=point(CENTRE_LON - 0.0001, CENTRE_LAT), at=T0 + HOUR)
    assert (answer.active, answer.upcoming) == ([], [])


def test_a_point_in_two_overlapping_outages_gets_both(zone):
    power = OutageFactory(
        kind="electricity",
        nature="planned",
        area=box(CENTRE_LON + 0.005, CENTRE_LAT - 0.02, CENTRE_LON + 0.03, CENTRE_LAT + 0.02),
        starts_at=T0 + HOUR,
        expected_end_at=T0 + 5 * HOUR,
    )
    in_both = point(CENTRE_LON + 0.007, CENTRE_LAT)
    answer = outages_at(point=in_both, at=T0 + 2 * HOUR)
    assert answer.active == [zone, power]  # by start
    assert answer.upcoming == []
    assert set(Outage.objects.active_at(T0 + 2 * HOUR).covering(in_both)) == {zone, power}
    only_water = point(CENTRE_LON + 0.002, CENTRE_LAT)
    assert outages_at(point=only_water, at=T0 + 2 * HOUR).active == [zone]


def test_upcoming_then_active_by_time(zone):
    here = point(CENTRE_LON + 0.005, CENTRE_LAT)
    before = outages_at(point=here, at=T0 - HOUR)
    assert (before.active, before.upcoming) == ([], [zone])
    at_start = outages_at(point=here, at=T0)
    assert (at_start.active, at_start.upcoming) == ([zone], [])
    assert zone.state_at(T0 - HOUR) == "upcoming"
    assert zone.state_at(T0) == "active"


def test_an_outage_is_no_longer_active_after_its_actual_end(zone):
    here = point(CENTRE_LON + 0.005, CENTRE_LAT)
    Outage.objects.filter(pk=zone.pk).update(ended_at=T0 + 3 * HOUR)
    zone.refresh_from_db()
    assert list(Outage.objects.active_at(T0 + 3 * HOUR - datetime.timedelta(seconds=1))) == [zone]
    assert list(Outage.objects.active_at(T0 + 3 * HOUR)) == []
    assert list(Outage.objects.upcoming(T0 + 3 * HOUR)) == []
    after = outages_at(point=here, at=T0 + 4 * HOUR)
    assert (after.active, after.upcoming) == ([], [])
    assert zone.state_at(T0 + 4 * HOUR) == "ended"


def test_past_the_expected_end_without_an_actual_end_it_stays_active_and_overdue(zone):
    late = T0 + 9 * HOUR
    assert list(Outage.objects.active_at(late)) == [zone]
    assert list(Outage.objects.overdue(late)) == [zone]
    assert list(Outage.objects.overdue(T0 + HOUR)) == []
    assert zone.is_overdue_at(late) is True


def test_a_cancelled_outage_is_neither_active_nor_upcoming(zone):
    Outage.objects.filter(pk=zone.pk).update(ended_at=T0 - 5 * HOUR)  # closed before it started
    zone.refresh_from_db()
    for moment in (T0 - 6 * HOUR, T0 - HOUR, T0 + HOUR):
        assert list(Outage.objects.active_or_upcoming(moment)) == []
    assert zone.state_at(T0 + HOUR) == "cancelled"


def test_of_kind_and_the_outage_an_issue_of_that_kind_is_linked_to(zone):
    here = point(CENTRE_LON + 0.005, CENTRE_LAT)
    longer = OutageFactory(
        area=box(CENTRE_LON, CENTRE_LAT - 0.01, CENTRE_LON + 0.01, CENTRE_LAT + 0.01),
        starts_at=T0 + HOUR,
        expected_end_at=T0 + 20 * HOUR,
    )
    OutageFactory(kind="gas", area=zone.area, starts_at=T0, expected_end_at=T0 + 2 * HOUR)
    assert set(Outage.objects.of_kind("water").covering(here)) == {zone, longer}
    # Overlapping water outages: the one expected to end last decides when the water is back.
    assert outage_covering(point=here, kind="water", at=T0 + 2 * HOUR) == longer
    assert outage_covering(point=here, kind="water", at=T0 + HOUR / 2) == zone
    assert outage_covering(point=here, kind="heating", at=T0 + 2 * HOUR) is None
    assert outage_covering(point=point(CENTRE_LON - 0.05, CENTRE_LAT), kind="water", at=T0 + 2 * HOUR) is None


def test_an_emergency_with_no_known_end_wins_the_link():
    unknown = OutageFactory(starts_at=T0, expected_end_at=None)
    OutageFactory(starts_at=T0 + HOUR, expected_end_at=T0 + 50 * HOUR)
    assert outage_covering(point=point(), kind="water", at=T0 + 2 * HOUR) == unknown


def test_outages_at_defaults_to_now():
    now = timezone.now()
    active = OutageFactory(starts_at=now - HOUR, expected_end_at=now + HOUR)
    soon = OutageFactory(starts_at=now + HOUR, expected_end_at=now + 3 * HOUR, nature="planned")
    answer = outages_at(point=point())
    assert (answer.active, answer.upcoming) == ([active], [soon])


def test_budget_projects_near_a_point_are_measured_in_metres():
    from geo.models import BudgetProject
    from tests.factories import BudgetProjectFactory

    # 0.001° of latitude is about 111 m; of longitude at Drohobych's latitude about 72.6 m.
    north_111m = BudgetProjectFactory(code="n", geom=point(CENTRE_LON, CENTRE_LAT + 0.001))
    east_73m = BudgetProjectFactory(code="e", geom=point(CENTRE_LON + 0.001, CENTRE_LAT))
    BudgetProjectFactory(code="far", geom=point(CENTRE_LON + 0.01, CENTRE_LAT))
    here = point()
    assert set(BudgetProject.objects.near(here, 80)) == {east_73m}
    assert set(BudgetProject.objects.near(here, 120)) == {east_73m, north_111m}
    assert BudgetProject.objects.near(here, 50).count() == 0
