"""factory_boy factories that make reference data and geometry inside Drohobych."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.contrib.gis.geos import LineString, MultiPolygon, Point, Polygon
from django.utils import timezone

from accounts.models import Executor, ExecutorMembership, User
from accounts.roles import DISPATCHERS_GROUP, LEADERSHIP_GROUP
from geo.models import BudgetProject, CommunityBoundary, District, DutyContact, Outage, OutageEvent
from issues.models import Category, CategoryGroup, RoutingRule, SlaPolicy, WorkingCalendar

# Drohobych town hall (Ринок, 1)
CENTRE_LON, CENTRE_LAT = 23.5056, 49.3489


def point(lon: float = CENTRE_LON, lat: float = CENTRE_LAT) -> Point:
    return Point(lon, lat, srid=4326)


def box(min_lon: float, min_lat: float, max_lon: float, max_lat: float) -> MultiPolygon:
    """An axis-aligned rectangle as a WGS84 MultiPolygon."""
    polygon = Polygon.from_bbox((min_lon, min_lat, max_lon, max_lat))
    polygon.srid = 4326
    return MultiPolygon(polygon, srid=4326)


def square(lon: float = CENTRE_LON, lat: float = CENTRE_LAT, half: float = 0.01) -> MultiPolygon:
    return box(lon - half, lat - half, lon + half, lat + half)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("secret-pass-123")
    email_confirmed_at = factory.LazyFunction(lambda: datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))


class CommunityBoundaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommunityBoundary

    code = "drohobych"
    name = "Дрогобицька громада"
    geom = factory.LazyFunction(lambda: square(half=0.1))


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District

    code = factory.Sequence(lambda n: f"district-{n:02d}")
    name_uk = factory.Sequence(lambda n: f"Округ {n}")
    name_en = factory.Sequence(lambda n: f"District {n}")
    geom = factory.LazyFunction(square)


class ExecutorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Executor
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"exec{n}")
    name_uk = factory.Sequence(lambda n: f"Виконавець {n}")
    name_en = factory.Sequence(lambda n: f"Executor {n}")
    email = factory.LazyAttribute(lambda e: f"{e.code}@example.org")


class StaffFactory(UserFactory):
    """A user working for an executor."""

    class Meta:
        skip_postgeneration_save = True  # the hook writes a membership row, not the user

    @factory.post_generation
    def executor(self, create, extracted, **kwargs):  # noqa: ARG002
        if create and extracted is not None:
            ExecutorMembership.objects.create(user=self, executor=extracted)


class WorkingCalendarFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = WorkingCalendar
        django_get_or_create = ("code",)

    code = "council"
    name = "Council calendar"
    day_start = datetime.time(8, 0)
    day_end = datetime.time(17, 0)
    working_weekdays = factory.LazyFunction(lambda: [1, 2, 3, 4, 5])


class SlaPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SlaPolicy
        django_get_or_create = ("code",)

    code = "standard"
    name_uk = "Звичайна"
    name_en = "Standard"
    clock = "working_hours"
    response_hours = Decimal(9)
    resolution_hours = Decimal(90)
    calendar = factory.SubFactory(WorkingCalendarFactory)


class CategoryGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CategoryGroup
        django_get_or_create = ("code",)

    code = "roads"
    name_uk = "Дороги"
    name_en = "Roads"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"category-{n}")
    group = factory.SubFactory(CategoryGroupFactory)
    name_uk = factory.Sequence(lambda n: f"Категорія {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
    sla_policy = factory.SubFactory(SlaPolicyFactory)
    duplicate_radius_m = 50


class RoutingRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoutingRule

    category = factory.SubFactory(CategoryFactory)
    executor = factory.SubFactory(ExecutorFactory)


class DispatcherFactory(UserFactory):
    """A city duty officer (the `dispatchers` group)."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def dispatcher_group(self, create, extracted, **kwargs):  # noqa: ARG002
        if create:
            self.groups.add(Group.objects.get_or_create(name=DISPATCHERS_GROUP)[0])


class LeadershipFactory(UserFactory):
    """Someone from the mayor's office (the `leadership` group)."""

    class Meta:
        skip_postgeneration_save = True

    @factory.post_generation
    def leadership_group(self, create, extracted, **kwargs):  # noqa: ARG002
        if create:
            self.groups.add(Group.objects.get_or_create(name=LEADERSHIP_GROUP)[0])


def line(*points: tuple[float, float]) -> LineString:
    return LineString(*points, srid=4326)


class OutageFactory(factory.django.DjangoModelFactory):
    """An active emergency water outage over a square around the town hall, by default."""

    class Meta:
        model = Outage
        skip_postgeneration_save = True

    kind = "water"
    nature = "emergency"
    area = factory.LazyFunction(lambda: square(half=0.005))
    affected_streets = "вул. Стрийська, 1–57"
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=2))
    expected_end_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=8))
    provider = factory.SubFactory(ExecutorFactory, code="water", name_uk="Водоканал", name_en="Water utility")
    published_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def published_event(self, create, extracted, **kwargs):  # noqa: ARG002
        if create:
            OutageEvent.objects.create(outage=self, kind="published", actor=self.published_by, at=self.created_at)


class BudgetProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetProject
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"2026-test-{n:03d}")
    title_uk = factory.Sequence(lambda n: f"Ремонт вулиці {n}")
    title_en = factory.Sequence(lambda n: f"Street repair {n}")
    sector = "roads"
    status = "planned"
    budget_year = 2026
    planned_amount = Decimal("1000000.00")
    spent_amount = Decimal("0.00")
    geom = factory.LazyFunction(lambda: line((CENTRE_LON, CENTRE_LAT), (CENTRE_LON + 0.01, CENTRE_LAT)))


class DutyContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DutyContact
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"contact-{n}")
    name_uk = factory.Sequence(lambda n: f"Служба {n}")
    name_en = factory.Sequence(lambda n: f"Service {n}")
    phones = factory.LazyFunction(lambda: ["104"])
