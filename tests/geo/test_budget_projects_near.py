"""budget_projects_unfinished_near: the projects an issue may be planned against."""

import pytest

from geo.selectors import budget_projects_unfinished_near
from tests.factories import CENTRE_LAT, CENTRE_LON, BudgetProjectFactory, point

pytestmark = pytest.mark.django_db


def at(lon: float, lat: float = CENTRE_LAT):
    return point(lon, lat)


def test_unfinished_projects_within_the_distance_newest_year_first():
    # One degree of longitude here is about 72.6 km, so 0.01° is about 726 m and 0.02° about 1.45 km.
    older = BudgetProjectFactory(title_uk="Б", budget_year=2025, status="in_progress", geom=at(CENTRE_LON + 0.01))
    procurement = BudgetProjectFactory(title_uk="В", budget_year=2026, status="procurement", geom=at(CENTRE_LON))
    planned = BudgetProjectFactory(title_uk="А", budget_year=2026, status="planned", geom=at(CENTRE_LON))
    BudgetProjectFactory(title_uk="Г", budget_year=2026, status="done", geom=at(CENTRE_LON))
    BudgetProjectFactory(title_uk="Ґ", budget_year=2026, status="planned", geom=at(CENTRE_LON + 0.02))
    found = budget_projects_unfinished_near(point=point(), distance_m=1000)
    assert found == [planned, procurement, older]


def test_the_limit_keeps_the_first():
    projects = [BudgetProjectFactory(title_uk=f"Проєкт {n}", geom=point()) for n in range(3)]
    assert budget_projects_unfinished_near(point=point(), distance_m=10, limit=2) == projects[:2]
