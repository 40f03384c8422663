"""The territory: which district a point is in, the boundary line itself, points outside."""

import pytest

from geo.selectors import district_at, point_in_community
from tests.factories import CENTRE_LAT, CENTRE_LON, CommunityBoundaryFactory, DistrictFactory, box, point

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_districts():
    """West and east halves of a small square around the centre, sharing the meridian CENTRE_LON."""
    CommunityBoundaryFactory()
    west = DistrictFactory(code="b-west", geom=box(CENTRE_LON - 0.02, CENTRE_LAT - 0.02, CENTRE_LON, CENTRE_LAT + 0.02))
    east = DistrictFactory(code="a-east", geom=box(CENTRE_LON, CENTRE_LAT - 0.02, CENTRE_LON + 0.02, CENTRE_LAT + 0.02))
    return west, east


def test_point_inside_a_district_is_found(two_districts):
    west, east = two_districts
    assert district_at(point=point(CENTRE_LON - 0.01, CENTRE_LAT)) == west
    assert district_at(point=point(CENTRE_LON + 0.01, CENTRE_LAT)) == east


def test_point_exactly_on_a_shared_border_is_covered_by_both_and_resolves_deterministically(two_districts):
    west, east = two_districts
    on_border = point(CENTRE_LON, CENTRE_LAT)
    from geo.models import District

    assert set(District.objects.covering(on_border)) == {west, east}
    # The smallest code wins, every time.
    assert [district_at(point=on_border) for _ in range(3)] == [east, east, east]


def test_point_on_the_outer_edge_of_a_district_is_inside_it(two_districts):
    west, _ = two_districts
    assert district_at(point=point(CENTRE_LON - 0.02, CENTRE_LAT)) == west


def test_point_outside_every_district_has_none(two_districts):
    assert district_at(point=point(CENTRE_LON + 0.05, CENTRE_LAT)) is None


def test_community_boundary_includes_its_edge_and_refuses_outside():
    CommunityBoundaryFactory(geom=box(23.4, 49.25, 23.6, 49.45))
    assert point_in_community(point=point(23.5, 49.35)) is True
    assert point_in_community(point=point(23.4, 49.35)) is True  # on the boundary line
    assert point_in_community(point=point(24.03, 49.84)) is False  # Lviv
    assert point_in_community(point=point(23.3999, 49.35)) is False


def test_only_the_boundary_in_force_counts():
    import datetime

    CommunityBoundaryFactory(geom=box(23.4, 49.25, 23.6, 49.45), valid_until=datetime.date(2020, 12, 31))
    assert point_in_community(point=point(23.5, 49.35)) is False
