"""A small, hand-made city for the tests: two districts, three executors, rules, people.

The `world` and `report` fixtures are registered in tests/conftest.py."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group

from accounts.models import Executor, User
from accounts.roles import DISPATCHERS_GROUP, LEADERSHIP_GROUP
from geo.models import District
from issues.models import Category, CategoryGroup, RoutingRule, SlaPolicy, WorkingCalendar
from tests.factories import (
    CENTRE_LAT,
    CENTRE_LON,
    CommunityBoundaryFactory,
    DistrictFactory,
    ExecutorFactory,
    StaffFactory,
    UserFactory,
    box,
    point,
)

KYIV = ZoneInfo("Europe/Kyiv")


def kyiv(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=KYIV)


# Tuesday 1 December 2026, 10:00 in Drohobych: a plain working morning.
TUESDAY_10 = kyiv(2026, 12, 1, 10, 0)


@dataclass
class World:
    west: District
    east: District
    calendar: WorkingCalendar
    standard: SlaPolicy
    emergency: SlaPolicy
    pothole: Category
    manhole: Category
    playground: Category
    roads: Executor
    water: Executor
    housing: Executor
    citizen: User
    other_citizen: User
    roads_staff: User
    water_staff: User
    housing_staff: User
    dispatcher: User
    mayor: User

    @property
    def inside_west(self):
        return point(CENTRE_LON - 0.01, CENTRE_LAT)

    @property
    def inside_east(self):
        return point(CENTRE_LON + 0.01, CENTRE_LAT)

    @property
    def on_border(self):
        return point(CENTRE_LON, CENTRE_LAT)

    @property
    def outside(self):
        return point(24.03, 49.84)  # Lviv


def build_world() -> World:
    """The city itself, for fixtures of any scope (the permission matrix builds it once per module)."""
    CommunityBoundaryFactory(geom=box(CENTRE_LON - 0.1, CENTRE_LAT - 0.1, CENTRE_LON + 0.1, CENTRE_LAT + 0.1))
    west = DistrictFactory(
        code="west",
        name_uk="Західний",
        name_en="West",
        geom=box(CENTRE_LON - 0.05, CENTRE_LAT - 0.05, CENTRE_LON, CENTRE_LAT + 0.05),
    )
    east = DistrictFactory(
        code="east",
        name_uk="Східний",
        name_en="East",
        geom=box(CENTRE_LON, CENTRE_LAT - 0.05, CENTRE_LON + 0.05, CENTRE_LAT + 0.05),
    )
    calendar = WorkingCalendar.objects.create(code="council", name="Council", working_weekdays=[1, 2, 3, 4, 5])
    standard = SlaPolicy.objects.create(
        code="standard",
        name_uk="Звичайна",
        name_en="Standard",
        clock="working_hours",
        response_hours=Decimal(9),
        resolution_hours=Decimal(45),
        calendar=calendar,
    )
    emergency = SlaPolicy.objects.create(
        code="emergency",
        name_uk="Аварійна",
        name_en="Emergency",
        clock="calendar_hours",
        response_hours=Decimal(2),
        resolution_hours=Decimal(24),
        calendar=calendar,
    )
    group = CategoryGroup.objects.create(code="roads", name_uk="Дороги", name_en="Roads")
    pothole = Category.objects.create(
        code="pothole", group=group, name_uk="Яма", name_en="Pothole", sla_policy=standard, duplicate_radius_m=30
    )
    manhole = Category.objects.create(
        code="open-manhole", group=group, name_uk="Відкритий люк", name_en="Open manhole", sla_policy=emergency
    )
    playground = Category.objects.create(
        code="playground", group=group, name_uk="Майданчик", name_en="Playground", sla_policy=standard
    )
    housing = ExecutorFactory(code="housing", name_uk="Управління ЖКГ", name_en="Housing department")
    roads = ExecutorFactory(code="roads", name_uk="Дорожня служба", name_en="Road service", supervisor=housing)
    water = ExecutorFactory(code="water", name_uk="Водоканал", name_en="Water utility", supervisor=housing)
    RoutingRule.objects.create(category=pothole, executor=roads)
    RoutingRule.objects.create(category=manhole, executor=water)
    dispatchers = Group.objects.create(name=DISPATCHERS_GROUP)
    leadership = Group.objects.create(name=LEADERSHIP_GROUP)
    dispatcher = UserFactory(username="dispatcher", language="uk")
    dispatcher.groups.add(dispatchers)
    mayor = UserFactory(username="mayor")
    mayor.groups.add(leadership)
    return World(
        west=west,
        east=east,
        calendar=calendar,
        standard=standard,
        emergency=emergency,
        pothole=pothole,
        manhole=manhole,
        playground=playground,
        roads=roads,
        water=water,
        housing=housing,
        citizen=UserFactory(username="citizen", language="uk"),
        other_citizen=UserFactory(username="neighbour", language="en"),
        roads_staff=StaffFactory(username="roads-staff", executor=roads),
        water_staff=StaffFactory(username="water-staff", executor=water),
        housing_staff=StaffFactory(username="housing-staff", executor=housing),
        dispatcher=dispatcher,
        mayor=mayor,
    )


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture
def report(world):
    """Make an issue through the real service (routed by the rules), at a given time."""
    from issues.services import issue_create

    def make(
        category=None, where=None, reporter=None, now=TUESDAY_10, description="Глибока яма посеред дороги", **more
    ):
        return issue_create(
            reporter=reporter or world.citizen,
            category=category or world.pothole,
            description=description,
            point=where or world.inside_west,
            address="вул. Стрийська, 10",
            now=now,
            **more,
        ).issue

    return make
